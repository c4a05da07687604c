"""Redaction: names and words said aloud that must never reach a public page or feed.

Matching ignores case and accents ("María", "maria", "MARÍA" are one name), treats every apostrophe
(' ’ ʼ) as one, every hyphen (- ‐ ‑ – —) and every space (including no-break spaces) as a gap between
words, and respects word boundaries. In a transcript a name may be split across two segments
("… the Real Academia" | "Española said …"): segments are matched as one running text (and their
words as another), read as a stream a window of segments at a time, so a 3-hour transcript is never
held whole. Time ranges silenced in the audio are blanked in the transcript too, so the text never
tells what the audio no longer says.

`redact_spec` gives the public view of an episode: its human-written text (title, description,
speakers, summaries, key points, chapters, topics) with every listed form redacted. Everything the
pipeline makes or publishes starts from that view, so no stage ever sees the raw text.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .transcript import Segment, TranscriptLike, Word

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


def _origins(text: str) -> Sequence[int]:
    """For each character of the folded text, the index of the original character (no list of a long
    text's characters: where every character folds to one, the index is its own)."""
    if all(len(_FOLDS[ord(char)]) == 1 for char in set(text)):
        return range(len(text))
    return array("L", (i for i, char in enumerate(text) for _ in _FOLDS[ord(char)]))


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
    found = [m.span() for m in pattern.finditer(fold(text))]
    if not found:
        return []
    origin = _origins(text)
    return [(origin[a], origin[b - 1] + 1) for a, b in found]


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


def _cut_by(texts: Sequence[str], spans: Sequence[tuple[int, int]]) -> list[str]:
    """Each of the consecutive pieces of one running text (joined by spaces) with its share of the
    spans replaced by the mark."""
    out, a = [], 0                      # each piece's offset in the running text
    for text in texts:
        b = a + len(text)
        pieces, last = [], 0
        for s, e in spans:
            if s < b and e > a:
                start, end = max(s, a) - a, min(e, b) - a
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


WINDOW = 256        # segments matched together; a window's last few wait for the next one


def _reach(phrases: Sequence[str]) -> int:
    """The most words any listed form spans: a match starting in one word ends within this many."""
    return max((len([w for w in re.split(_GAP, fold(p)) if w]) for p in phrases), default=0)


def _tokens(text: str) -> int:
    return len(fold(text).split())


def _settled(segments: Sequence[Segment], text_spans: Sequence[tuple[int, int]],
             word_spans: Sequence[tuple[int, int]], reach: int) -> int:
    """How many leading segments of a window no later segment can change: cut where no match
    crosses, in front of at least `reach` more words of each running text (segments' and words')
    already in the window, or where no word of that running text comes before the cut (no match
    can start there). Tried from the window's end: the first cut that holds is taken."""
    said = [[w.text for w in seg.words or ()] for seg in segments]
    first_text = next((k for k, seg in enumerate(segments) if seg.text.strip()), len(segments))
    first_word = next((k for k, words in enumerate(said) if any(w.strip() for w in words)), len(segments))
    text_at = len(" ".join(seg.text for seg in segments)) + 1      # where segment k starts in each
    word_at = len(" ".join(w for words in said for w in words)) + 1
    text_after = word_after = 0
    for k in range(len(segments) - 1, 0, -1):
        text_at -= len(segments[k].text) + 1
        word_at -= sum(len(w) + 1 for w in said[k])
        text_after += _tokens(segments[k].text)
        word_after += sum(_tokens(w) for w in said[k])
        enough = (text_after >= reach or first_text >= k) and (word_after >= reach or first_word >= k)
        crossed = any(s < text_at < e for s, e in text_spans) or any(s < word_at < e for s, e in word_spans)
        if enough and not crossed:
            return k
    return 0


Spans = list[tuple[int, int]]


def _matches(segments: Sequence[Segment], phrases: Sequence[str]) -> tuple[Spans, Spans]:
    """Where the phrases occur in the segments' running text, and in their words'."""
    return (match_spans(" ".join(s.text for s in segments), phrases),
            match_spans(" ".join(w.text for s in segments for w in s.words or ()), phrases))


def _settled_windows(segments: Iterable[Segment], phrases: Sequence[str],
                     window: int) -> Iterator[tuple[list[Segment], Spans, Spans]]:
    """The stream in windows whose matches nothing later can change: each window's segments, with
    the matches in their running text and in their words' (offsets from the window's start). What
    a window leaves unsettled waits for the segments after it."""
    reach, held, limit = _reach(phrases), [], window
    for seg in segments:
        held.append(seg)
        if len(held) < limit:
            continue
        text_spans, word_spans = _matches(held, phrases)
        n = _settled(held, text_spans, word_spans, reach)
        if n:
            text_end = sum(len(s.text) + 1 for s in held[:n])
            word_end = sum(len(w.text) + 1 for s in held[:n] for w in s.words or ())
            yield (held[:n], [m for m in text_spans if m[0] < text_end],
                   [m for m in word_spans if m[0] < word_end])
            del held[:n]
        limit = window + len(held) if n else 2 * limit      # nothing settled: read twice as far
    if held:
        yield held, *_matches(held, phrases)


def _redacted(segments: Sequence[Segment], text_spans: Spans, word_spans: Spans) -> Iterator[Segment]:
    """The segments with their share of the matches (in their text, in their words) marked."""
    if not text_spans and not word_spans:
        yield from segments
        return
    texts = _cut_by([s.text for s in segments], text_spans)
    word_texts = iter(_cut_by([w.text for s in segments for w in s.words or ()], word_spans))
    for seg, text in zip(segments, texts, strict=True):
        marked = seg.words
        if seg.words:
            marked = tuple(_collapse([replace(w, text=MARK) if MARK in (t := next(word_texts)) and t != w.text
                                      else w for w in seg.words]))
        yield seg if text == seg.text and marked == seg.words else replace(seg, text=text, words=marked)


def redact_segments(segments: Iterable[Segment], phrases: Sequence[str],
                    ranges: Sequence[tuple[float, float]] = (), window: int = WINDOW) -> Iterator[Segment]:
    """The segments with every listed form and every silenced range redacted, given out as soon as
    nothing later can change them."""
    phrases = [p for p in phrases if p.strip()]
    blanked = (_blank_ranges(seg, ranges) for seg in segments)
    if not phrases:
        yield from blanked
        return
    for held, text_spans, word_spans in _settled_windows(blanked, phrases, window):
        yield from _redacted(held, text_spans, word_spans)


def _blocks(pieces: Iterable[str], size: int) -> Iterator[str]:
    """The pieces joined into blocks of about `size` characters, each ending where a piece ends."""
    held, length = [], 0
    for piece in pieces:
        held.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(held)
            held, length = [], 0
    if held:
        yield "".join(held)


def find_all(pieces: Iterable[str], phrases: Sequence[str], block: int = 4096,
             window: int = 16) -> Iterator[str]:
    """Every listed form in a text read in pieces that end where its lines end (a file's lines), as
    written there (its spaces and line breaks shown as one space): found a window of blocks of lines
    at a time, as redaction finds them (a block is a segment without words)."""
    phrases = [p for p in phrases if p.strip()]
    if not phrases:
        return
    blocks = (Segment(0.0, 0.0, text, "") for text in _blocks(pieces, block))
    for held, text_spans, _ in _settled_windows(blocks, phrases, window):
        text = " ".join(b.text for b in held)
        yield from (" ".join(text[a:b].split()) for a, b in text_spans)


def redact_transcript(transcript: TranscriptLike, phrases: Sequence[str],
                      ranges: Sequence[tuple[float, float]] = ()) -> TranscriptLike:
    """The transcript (held whole or a stream) with the listed forms and ranges redacted."""
    if not phrases and not ranges:
        return transcript
    return transcript.map(lambda segments: redact_segments(segments, phrases, ranges))


def changes(before: TranscriptLike, after: TranscriptLike) -> bool:
    """Whether a transcript and its redaction differ (for a stream: one pass over both). A stream that
    redaction leaves as it is can be read without redacting it again at every later pass."""
    return any(a != b for a, b in zip(before.iter_segments(), after.iter_segments(), strict=True))


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
