"""Redaction: names and words said aloud that must never reach a public page or feed.

Matching ignores case and accents ("María", "maria", "MARÍA" are one name), treats every apostrophe
(' ’ ʼ) as one, every hyphen (- ‐ ‑ – —) and every space (including no-break spaces) as a gap between
words, and respects word boundaries. In a transcript a name may be split across two segments
("… the Real Academia" | "Española said …"): segments are matched as one running text. Time ranges
silenced in the audio are blanked in the transcript too, so the text never tells what the audio no
longer says.

`redact_spec` gives the public view of an episode: its human-written text (title, description,
speakers, summaries, key points, chapters, topics) with every listed form redacted. Everything the
pipeline makes or publishes starts from that view, so no stage ever sees the raw text.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .transcript import Segment, Transcript, Word

if TYPE_CHECKING:
    from .episode import EpisodeSpec

MARK = "[redacted]"

_APOSTROPHES = "'’‘ʼ`´′ʹ"
_HYPHENS = "-‐‑‒–—―−﹣－"
_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u3000"
_FOLD_TABLE = {ord(c): "'" for c in _APOSTROPHES} | {ord(c): "-" for c in _HYPHENS} | \
    {ord(c): " " for c in _SPACES} | {ord("\u00ad"): None, ord("\u200b"): None}


def _fold(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.translate(_FOLD_TABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _Folds(dict):
    """str.translate's table for `fold`: each character's folded form, worked out when first met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold(chr(code))
        return folded


_FOLDS = _Folds()


def fold(text: str) -> str:
    """Text as redaction compares it: no case, no accents, one apostrophe, one hyphen, one space."""
    return text.translate(_FOLDS)


def _folded(text: str) -> tuple[str, Sequence[int]]:
    """The folded text, and for each of its characters the index of the original character (no list
    of a long text's characters: where every character folds to one, the index is its own)."""
    folded = fold(text)
    if all(len(_FOLDS[ord(char)]) == 1 for char in set(text)):
        return folded, range(len(text))
    return folded, array("L", (i for i, char in enumerate(text) for _ in _FOLDS[ord(char)]))


_GAP = r"[\s\-]+"


@lru_cache(maxsize=64)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for phrase in sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True):
        words = [re.escape(w) for w in re.split(_GAP, fold(phrase)) if w]
        if words:
            parts.append(_GAP.join(words))
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


def find(text: str, phrases: Sequence[str]) -> list[str]:
    """The listed forms found in `text`, as written there (for the last check before publishing)."""
    return [text[a:b] for a, b in match_spans(text, phrases)]


def redact_text(text: str, phrases: Sequence[str]) -> str:
    pieces, last = [], 0
    for start, end in match_spans(text, phrases):
        pieces += [text[last:start], MARK]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def redact_all(texts: Sequence[str], phrases: Sequence[str]) -> list[str]:
    """Redact consecutive pieces of one running text (segments, words): a phrase split between two
    pieces is found too, and each piece loses its share of it."""
    spans = match_spans(" ".join(texts), phrases)
    if not spans:
        return list(texts)
    out, a = [], 0                      # each piece's offset in the running text
    for text in texts:
        b = a + len(text)
        inside = [(max(s, a) - a, min(e, b) - a) for s, e in spans if s < b and e > a]
        pieces, last = [], 0
        for start, end in inside:
            pieces += [text[last:start], MARK]
            last = end
        pieces.append(text[last:])
        out.append("".join(pieces))
        a = b + 1
    return out


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


def _blank_ranges(seg: Segment, ranges: Sequence[tuple[float, float]]) -> Segment:
    """Words spoken inside a silenced range become the mark; a segment without word times goes whole."""
    if not any(seg.start < b and seg.end > a for a, b in ranges):
        return seg
    if not seg.words:
        return replace(seg, text=MARK)
    words = _collapse([replace(w, text=MARK) if _in_ranges(w.start, w.end, ranges) else w
                       for w in seg.words])
    return replace(seg, text=" ".join(w.text for w in words), words=tuple(words))


def redact_transcript(transcript: Transcript, phrases: Sequence[str],
                      ranges: Sequence[tuple[float, float]] = ()) -> Transcript:
    if not phrases and not ranges:
        return transcript
    segments = [_blank_ranges(s, ranges) for s in transcript.segments]
    texts = redact_all([s.text for s in segments], phrases)
    flat = [w for s in segments for w in s.words or ()]
    word_texts = iter(redact_all([w.text for w in flat], phrases))
    out = []
    for seg, text in zip(segments, texts, strict=True):
        words = None
        if seg.words:
            marked = [replace(w, text=MARK) if MARK in (t := next(word_texts)) and t != w.text else w
                      for w in seg.words]
            words = tuple(_collapse(marked))
        out.append(replace(seg, text=text, words=words))
    return transcript.with_segments(out)


def redact_spec(spec: EpisodeSpec) -> EpisodeSpec:
    """The episode as the pipeline may see it: every human-written text with the listed forms redacted.
    Slug, guid, dates and the redaction list itself are left as they are."""
    from .episode import Chapter, LocalText, Speaker

    forms = spec.redaction.forms
    if not forms:
        return spec
    r = lambda text: redact_text(text, forms) if text else text  # noqa: E731

    def local(text: LocalText) -> LocalText:
        return LocalText(r(text.title), r(text.description), r(text.summary),
                         tuple(r(p) for p in text.key_points),
                         tuple(Chapter(c.start, r(c.title)) for c in text.chapters))

    return replace(spec, title=r(spec.title), description=r(spec.description),
                   speakers=tuple(Speaker(r(s.name), r(s.organization), r(s.role)) for s in spec.speakers),
                   topics=tuple(r(t) for t in spec.topics),
                   local={lang: local(text) for lang, text in spec.local.items()})
