"""Topics: the glossary's terms that were said, then key phrases for what the glossary lacks.

The glossary is the programme's own vocabulary, so a term from it that the speakers used is
the best topic there is; terms rank by how often they were said. A term is found by the same
matcher that enforces it in translation (pipeline/translate/matching.py: plurals, a capitalized
first word, hyphen or space; names case-sensitive), in the language it was spoken in. Entries of
kind `avoid` are never topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import LANGUAGES
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
    from ..translate.matching import TermMatcher

    counts: dict[tuple[int, str], list[int]] = {}       # (entry index, language) -> [count, first]
    index = {id(entry): i for i, entry in enumerate(entries)}
    for lang in sorted({s.language for s in sentences} & set(LANGUAGES)):
        matcher = TermMatcher(entries, lang)
        for n, sent in enumerate(sentences):
            if sent.language != lang:
                continue
            for match in matcher.find(sent.text):
                seen = counts.setdefault((index[id(match.entry)], lang), [0, n])
                seen[0] += 1
    hits = [TermHit(entries[i], lang, count, first) for (i, lang), (count, first) in counts.items()]
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
