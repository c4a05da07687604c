"""One entry point for every caller (the stage, translate-text, the summarize stage): the project's
glossary, compiled once per process, and the automatically chosen engine for a pair."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

from ..glossary import Entry, glossary_files, load_glossary
from .choose import load, route_for
from .enforce import BatchResult, translate_enforced
from .matching import TermMatcher


class Glossary:
    """The entries and their matchers per language (compiled on first use)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)

    @cache  # noqa: B019 (instances live as long as the process cache below)
    def terms(self, lang: str) -> TermMatcher:
        return TermMatcher(self.entries, lang, ("term", "keep"))

    @cache  # noqa: B019
    def avoid(self, lang: str) -> TermMatcher:
        return TermMatcher(self.entries, lang, ("avoid",))


@lru_cache(maxsize=8)
def _glossary(folder: Path, stamp: tuple) -> Glossary:
    return Glossary(load_glossary(folder))


def glossary_in(folder: Path) -> Glossary:
    """The glossary of a folder, reread only when one of its files changed."""
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in glossary_files(folder))
    return _glossary(Path(folder), stamp)


def translate_batch(texts: Sequence[str], source: str, target: str, *, glossary: Glossary,
                    models: Path | None = None, prefer: str = "auto") -> BatchResult:
    """Translate texts of one language into another, batched, with the glossary enforced."""
    engine = load(route_for(source, target, models, prefer))
    return translate_enforced(list(texts), target, glossary.terms(source), engine)
