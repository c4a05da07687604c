"""Whole sentences for the engines, and their translations laid back onto the pieces they came in.

Captions and lines cut sentences where time or layout runs out, not where the sense ends. A
caption segment translated on its own comes back as a capitalised half-sentence ("As which…",
"Of the drivers…"). So the units of one run (consecutive caption segments of one speaker in one
language, or the lines of a paragraph that continue each other) are joined, cut into sentences
(pysbd, as the summaries are), each sentence is translated whole, and its translation is shared
back over the units it spanned in proportion to the characters it had in each, never beyond them.
Every unit keeps its place (a segment its times, a line its line break); every piece of a
translation is a piece of one fluent sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..captions import share_out

MAX_WORDS = 60      # an unpunctuated "sentence" longer than this is cut where its units meet


@dataclass(frozen=True)
class Piece:
    unit: int           # which unit (segment, line) this part of a sentence lies in
    chars: int          # its length there, in the source


@dataclass(frozen=True)
class Sentence:
    text: str
    pieces: tuple[Piece, ...]


def _split(text: str, lang: str) -> list[str]:
    from ..summarize.sentences import split_text

    return split_text(text, lang)


def _run_sentences(units: Sequence[str], run: list[int], lang: str) -> list[Sentence]:
    """The sentences of one run of units, each with the pieces of it every unit holds."""
    texts = [" ".join(units[i].split()) for i in run]
    begins, offset = [], 0
    for text in texts:
        begins.append(offset)
        offset += len(text) + 1
    joined = " ".join(texts)
    bounds: list[tuple[int, int]] = []
    cursor = 0
    for sentence in _split(joined, lang):
        at = joined.find(sentence, cursor)
        if at < 0:
            continue
        cursor = at + len(sentence)
        cuts = [b for b in begins if at < b < cursor] if len(sentence.split()) > MAX_WORDS else []
        edges = [at, *cuts, cursor]
        bounds += [(a, b) for a, b in zip(edges, edges[1:], strict=False)]
    out = []
    for a, b in bounds:
        pieces = []
        for k, begin in enumerate(begins):
            part = joined[max(a, begin):min(b, begin + len(texts[k]))].strip()
            if part:
                pieces.append(Piece(run[k], len(part)))
        text = joined[a:b].strip()
        if text and pieces:
            out.append(Sentence(text, tuple(pieces)))
    return out


def sentences(units: Sequence[str], runs: Sequence[Sequence[int]], lang: str) -> list[Sentence]:
    """Every sentence of `units` (texts), reading each run (indexes of units that continue one
    another, in order) as one text; units in no run are not read."""
    out: list[Sentence] = []
    for run in runs:
        out += _run_sentences(units, [i for i in run if units[i].strip()], lang)
    return out


def opening_case(source: str, translation: str) -> str:
    """A sentence that starts with a capital starts with one in translation too (Apertium can
    lower it after an unknown first word): no caption opens a sentence in lower case."""
    first = next((c for c in source if c.isalpha()), "")
    at = next((i for i, c in enumerate(translation) if c.isalpha()), None)
    if first.isupper() and at is not None and translation[at].islower():
        return translation[:at] + translation[at].upper() + translation[at + 1:]
    return translation


def lay_back(found: Sequence[Sentence], translations: Sequence[str], count: int) -> list[str]:
    """Per unit (0..count-1), its share of the translations, in sentence order."""
    parts: list[list[str]] = [[] for _ in range(count)]
    for sentence, text in zip(found, translations, strict=True):
        text = opening_case(sentence.text, text)
        groups = share_out(text.split(), [p.chars for p in sentence.pieces])
        for piece, group in zip(sentence.pieces, groups, strict=True):
            if group:
                parts[piece.unit].append(" ".join(group))
    return [" ".join(p) for p in parts]
