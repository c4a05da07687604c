"""Find glossary forms in text: case- and inflection-tolerant, longest match first.

"Women-led organizations", "women led organisations"? No: spelling variants are separate entries;
what is tolerated is what speech and transcripts vary on their own: a capitalized first word, a
plural, a hyphen written as a space (or a space as a hyphen), a typographic apostrophe. Names
(kind keep) and acronyms are matched case-sensitively, so the common word "lab" never becomes
"Learning Lab". When two entries share a form, the first in the glossary wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..glossary import Entry
from .inflect import word_variants

_HYPHENS = "-‐‑–"
_APOSTROPHES = "'’"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry
    found: str          # the text as written in the source
    plural: bool        # matched an inflected (plural) spelling of the form


def _word_regex(word: str) -> str:
    out = []
    for ch in word:
        if ch in _HYPHENS:
            out.append(rf"[{_HYPHENS}\s]")
        elif ch in _APOSTROPHES:
            out.append(f"[{_APOSTROPHES}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _case_sensitive(entry: Entry, form: str) -> bool:
    letters = [c for c in form if c.isalpha()]
    return entry.kind == "keep" or (len(letters) > 1 and all(c.isupper() for c in letters))


def form_regex(entry: Entry, form: str, lang: str, plural: bool = True) -> re.Pattern[str]:
    parts = []
    for variants in word_variants(form, lang):
        options = variants if plural else variants[:1]
        # longest spelling first, so "organizations" is not cut back to "organization"
        alternatives = sorted({_word_regex(v) for v in options}, key=len, reverse=True)
        parts.append(alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")")
    body = rf"(?:\s+|\s*[{_HYPHENS}]\s*)".join(parts)      # "peer learning" also as "peer-learning"
    flags = 0 if _case_sensitive(entry, form) else re.IGNORECASE
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


@dataclass(frozen=True)
class _Compiled:
    order: int
    entry: Entry
    any_form: re.Pattern[str]
    singular: re.Pattern[str]


class TermMatcher:
    """The glossary's forms in one language, compiled once."""

    def __init__(self, entries: Sequence[Entry], lang: str, kinds: Sequence[str] = ("term", "keep")) -> None:
        self.lang = lang
        self._compiled = []
        for order, entry in enumerate(entries):
            form = entry.term(lang) if entry.kind != "avoid" else getattr(entry, lang)
            if entry.kind in kinds and form:
                self._compiled.append(_Compiled(order, entry, form_regex(entry, form, lang),
                                                form_regex(entry, form, lang, plural=False)))

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, the longest winning where they overlap, in text order."""
        candidates = []
        for c in self._compiled:
            for m in c.any_form.finditer(text):
                plural = c.singular.fullmatch(m.group(0)) is None
                match = Match(m.start(), m.end(), c.entry, m.group(0), plural)
                candidates.append((m.start(), m.end(), c.order, match))
        candidates.sort(key=lambda x: (x[0] - x[1], x[0], x[2]))
        taken: list[Match] = []
        for start, end, _, match in candidates:
            if all(end <= t.start or start >= t.end for t in taken):
                taken.append(match)
        return sorted(taken, key=lambda m: m.start)
