"""Topics: the glossary's terms that were said, then key phrases for what the glossary lacks.

The glossary is the programme's own vocabulary, so a term from it that the speakers used is
the best topic there is; terms rank by how often they were said. A term matches on stems in the
language it was spoken in ("women-led organization" finds "women-led organizations"). Entries
of kind `avoid` are never topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..glossary import Entry
from .sentences import Sentence
from .text import stems


@dataclass(frozen=True)
class TermHit:
    entry: Entry
    language: str            # the language it was said in
    count: int
    first: int               # index of the first sentence that says it

    @property
    def text(self) -> str:
        return self.entry.term(self.language)


def _occurrences(haystack: list[str], needle: list[str]) -> int:
    n = len(needle)
    return sum(1 for k in range(len(haystack) - n + 1) if haystack[k:k + n] == needle)


def glossary_hits(sentences: Sequence[Sentence], entries: Sequence[Entry]) -> list[TermHit]:
    """Glossary terms said in the session, most said first (ties: said earlier first)."""
    stemmed = [stems(s.text, s.language) for s in sentences]
    hits = []
    for entry in entries:
        if entry.kind == "avoid":
            continue
        for lang in sorted({s.language for s in sentences}):
            term = entry.term(lang) if lang in ("en", "es", "fr") else ""
            needle = stems(term, lang) if term else []
            if not needle:
                continue
            counts = [_occurrences(words, needle) for words in stemmed]
            total = sum(counts)
            if total:
                hits.append(TermHit(entry, lang, total, next(i for i, c in enumerate(counts) if c)))
    return sorted(hits, key=lambda h: (-h.count, h.first, h.text))


def said_in(sentences: Sequence[Sentence], text: str, lang: str) -> int | None:
    """The first sentence that says `text` (on stems), if any."""
    needle = stems(text, lang)
    if not needle:
        return None
    for i, sent in enumerate(sentences):
        if sent.language == lang and _occurrences(stems(sent.text, lang), needle):
            return i
    return None
