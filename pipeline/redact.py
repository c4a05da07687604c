"""Redaction: names and words said aloud that must never reach a public page or feed.

Matching ignores case and accents ("María", "maria", "MARÍA" are one name) and respects word
boundaries. Time ranges silenced in the audio are blanked in the transcript too, so the text
never tells what the audio no longer says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from .transcript import Segment, Transcript, Word

MARK = "[redacted]"


def _fold(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded(text: str) -> tuple[str, list[int]]:
    """The text without accents or case, and for each of its characters the original index."""
    out, origin = [], []
    for i, char in enumerate(text):
        for folded in _fold(char):
            out.append(folded)
            origin.append(i)
    return "".join(out), origin


@lru_cache(maxsize=64)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for phrase in sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True):
        words = [re.escape("".join(_fold(c) for c in w)) for w in phrase.split()]
        parts.append(r"[\s\-]+".join(words))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def match_spans(text: str, phrases: Sequence[str]) -> list[tuple[int, int]]:
    """Where the phrases occur in `text` (original character offsets)."""
    pattern = _pattern(tuple(phrases))
    if pattern is None or not text:
        return []
    folded, origin = _folded(text)
    return [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]


def redact_text(text: str, phrases: Sequence[str]) -> str:
    pieces, last = [], 0
    for start, end in match_spans(text, phrases):
        pieces += [text[last:start], MARK]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _redact_words(words: Sequence[Word], phrases: Sequence[str]) -> list[Word]:
    """Mark every word that a phrase touches, also when a name spans several words."""
    offsets, position = [], 0
    for w in words:
        offsets.append((position, position + len(w.text)))
        position += len(w.text) + 1
    spans = match_spans(" ".join(w.text for w in words), phrases)
    return [replace(w, text=MARK) if any(a < e and b > s for s, e in spans) else w
            for w, (a, b) in zip(words, offsets, strict=True)]


def _collapse(words: list[Word]) -> list[Word]:
    """Runs of redacted words become one mark, so the length of what was hidden is not shown."""
    out: list[Word] = []
    for word in words:
        if word.text == MARK and out and out[-1].text == MARK:
            out[-1] = replace(out[-1], end=word.end)
        else:
            out.append(word)
    return out


def _in_ranges(start: float, end: float, ranges: Sequence[tuple[float, float]]) -> bool:
    middle = (start + end) / 2
    return any(a <= middle <= b for a, b in ranges)


def redact_segment(seg: Segment, phrases: Sequence[str], ranges: Sequence[tuple[float, float]]) -> Segment:
    overlaps = any(seg.start < b and seg.end > a for a, b in ranges)
    if overlaps and not seg.words:
        return replace(seg, text=MARK)
    words = None
    text = seg.text
    if seg.words:
        timed = [replace(w, text=MARK) if _in_ranges(w.start, w.end, ranges) else w for w in seg.words]
        words = _collapse(_redact_words(timed, phrases))
        if overlaps:
            text = " ".join(w.text for w in words)
    return replace(seg, text=redact_text(text, phrases), words=tuple(words) if words else None)


def redact_transcript(transcript: Transcript, phrases: Sequence[str],
                      ranges: Sequence[tuple[float, float]] = ()) -> Transcript:
    if not phrases and not ranges:
        return transcript
    return transcript.with_segments([redact_segment(s, phrases, ranges) for s in transcript.segments])
