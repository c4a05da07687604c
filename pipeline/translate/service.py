"""One entry point for every caller (the stages, translate-text, the summarize stage): the project's
glossary, compiled once per process, the automatically chosen engine for a pair, and a memory of
translations already made, so a text that did not change never goes to an engine twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from ..glossary import Entry, glossary_files, load_glossary
from .choose import load, route_for
from .enforce import BatchResult, translate_enforced
from .matching import TermMatcher


class Glossary:
    """The entries and their matchers per language (compiled on first use)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)

    @cached_property
    def digest(self) -> str:
        """Changes whenever any entry does: a remembered translation is only as good as its glossary."""
        return hashlib.sha256(repr(self.entries).encode()).hexdigest()[:16]

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


@dataclass(frozen=True)
class Made:
    text: str
    engine: str         # the route that made it ("apertium via ca")
    flagged: bool       # its glossary terms could not be enforced


class Memory:
    """Translations already made, each under its language pair, engine identity, glossary and text.
    What a run uses is what it saves: texts that are gone are forgotten."""

    def __init__(self, entries: dict[str, dict] | None = None) -> None:
        self.entries = dict(entries or {})
        self.used: dict[str, dict] = {}

    @classmethod
    def load(cls, path: Path) -> Memory:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()                # none yet, or damaged: everything is translated again
        return cls(data if isinstance(data, dict) else {})

    def save(self, path: Path) -> None:
        from .. import atomic

        atomic.write_text(path, json.dumps(self.used, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _remembered_as(source: str, target: str, identity: str, glossary: Glossary, text: str) -> str:
    return hashlib.sha256(json.dumps([source, target, identity, glossary.digest, text]).encode()).hexdigest()


def translate_remembered(texts: Sequence[str], source: str, target: str, *, glossary: Glossary,
                         models: Path | None, prefer: str, memory: Memory) -> list[Made]:
    """Like translate_batch, but only texts `memory` has not seen with this engine and glossary go to
    the engine (in one batch)."""
    route = route_for(source, target, models, prefer)
    keys = [_remembered_as(source, target, route.identity, glossary, t) for t in texts]
    todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in memory.entries))
    if todo:
        batch = translate_enforced(todo, target, glossary.terms(source), load(route))
        for text, outcome in zip(todo, batch.outcomes, strict=True):
            made = Made(outcome.text, route.name, not outcome.enforced)
            memory.entries[_remembered_as(source, target, route.identity, glossary, text)] = asdict(made)
    for key in keys:
        memory.used[key] = memory.entries[key]
    return [Made(**memory.entries[key]) for key in keys]
