"""Sentences with their times: the units every summary line, key point and chapter is made of.

Whisper's segments are cut by time, not by sense: a sentence may run over two segments and a
segment may hold three sentences. We join each run of same-language segments, split it with
pysbd (rule-based, en/es/fr, no data download) and give every sentence the time of its first
and last word (word timestamps when the transcript has them, else a share of its segment's
time by characters). Each sentence keeps the index of the segment it starts in, so a line of
the summary links back to the transcript.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cache

from ..transcript import Segment, Transcript

MAX_WORDS = 60     # a longer "sentence" (unpunctuated speech) is cut at its segment boundaries


@dataclass(frozen=True)
class Sentence:
    text: str
    start: float
    end: float
    language: str
    segment: int          # index in transcript.segments of the segment it starts in

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class _Timed:
    """A span of the joined text and its time: one word, or a whole segment that has no words."""
    begin: int
    end: int
    start: float
    stop: float
    segment: int
    whole: bool = False

    def at(self, offset: int) -> float:
        """A word has one start and one end; inside a whole segment, time goes with the characters."""
        share = min(1.0, max(0.0, (offset - self.begin) / max(1, self.end - self.begin)))
        return self.start + share * (self.stop - self.start)


@cache
def _segmenter(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang if lang in ("en", "es", "fr") else "en", clean=False)


def _runs(segments: tuple[Segment, ...]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i, seg in enumerate(segments):
        if not seg.text.strip():
            continue
        if runs and segments[runs[-1][-1]].language == seg.language:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _layout(segments: tuple[Segment, ...], run: list[int]) -> tuple[str, list[_Timed], list[int]]:
    """The run's text, the timed spans in it, and where each segment begins in it."""
    parts: list[str] = []
    spans: list[_Timed] = []
    seg_begins: list[int] = []
    offset = 0
    for i in run:
        seg = segments[i]
        text = seg.text.strip()
        seg_begins.append(offset)
        cursor = 0
        for w in seg.words or ():
            token = w.text.strip()
            at = text.find(token, cursor) if token else -1
            if at < 0:
                continue
            spans.append(_Timed(offset + at, offset + at + len(token), w.start, w.end, i))
            cursor = at + len(token)
        if not seg.words or cursor == 0:
            spans.append(_Timed(offset, offset + len(text), seg.start, seg.end, i, whole=True))
        parts.append(text)
        offset += len(text) + 1
    return " ".join(parts), spans, seg_begins


def _start(spans: list[_Timed], ends: list[int], at: int) -> tuple[float, int]:
    span = spans[min(len(spans) - 1, bisect.bisect_right(ends, at))]   # first span ending after `at`
    return (span.at(at) if span.whole else span.start), span.segment


def _stop(spans: list[_Timed], begins: list[int], at: int) -> float:
    span = spans[max(0, bisect.bisect_left(begins, at) - 1)]          # last span beginning before `at`
    return span.at(at) if span.whole else span.stop


def _cut_long(text: str, begin: int, seg_begins: list[int]) -> list[tuple[int, int]]:
    """Split an over-long sentence at the segment boundaries inside it."""
    end = begin + len(text)
    if len(text.split()) <= MAX_WORDS:
        return [(begin, end)]
    cuts = [b for b in seg_begins if begin < b < end]
    bounds = [begin, *cuts, end]
    return [(a, b - 1 if b < end else b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def split_sentences(transcript: Transcript) -> tuple[Sentence, ...]:
    """Every sentence of the transcript, in time order, in the language it was spoken."""
    out: list[Sentence] = []
    segments = transcript.segments
    for run in _runs(segments):
        lang = segments[run[0]].language
        text, spans, seg_begins = _layout(segments, run)
        begins, ends = [s.begin for s in spans], [s.end for s in spans]
        cursor = 0
        for piece in _segmenter(lang).segment(text):
            piece = piece.strip()
            at = text.find(piece, cursor) if piece else -1
            if at < 0:
                continue
            cursor = at + len(piece)
            for a, b in _cut_long(piece, at, [seg_begins[j] for j in range(len(run))]):
                chunk = text[a:b].strip()
                if not chunk:
                    continue
                start, seg = _start(spans, ends, a)
                stop = _stop(spans, begins, b)
                out.append(Sentence(chunk, round(start, 3), round(max(stop, start), 3), lang, seg))
    out.sort(key=lambda s: s.start)
    return tuple(out)


def split_text(text: str, lang: str) -> list[str]:
    """Plain sentences of a written text (a human-written summary), no times."""
    return [s.strip() for s in _segmenter(lang).segment(text) if s.strip()]
