"""Caption and text renderings of a transcript: WebVTT, SRT (Podcasting 2.0 rules), plain text.

Each is made in pieces, a cue or a paragraph at a time, from a transcript held whole or read as a
stream (`*_pieces`); `to_vtt`, `to_srt` and `to_text` join the pieces for short transcripts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import zip_longest

from .transcript import Segment, TranscriptLike, Word

SRT_MAX_LINES = 2
SRT_MAX_CHARS = 32
VTT_MAX_CHARS = 65


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def wrap_words(words: list[str], width: int) -> list[str]:
    """Greedy word wrap; a word longer than `width` is cut into pieces."""
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not word:
            continue
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines


def _word_times(seg: Segment) -> list[tuple[str, float, float]]:
    """Each whitespace word with a time span: from Whisper's word times when they match,
    else spread over the segment in proportion to characters."""
    tokens = seg.text.split()
    if seg.words and [w.text.strip() for w in seg.words if w.text.strip()] == tokens:
        return [(w.text.strip(), w.start, w.end) for w in seg.words if w.text.strip()]
    total = sum(len(t) + 1 for t in tokens) or 1
    out, t = [], seg.start
    span = max(seg.end - seg.start, 0.0)
    for tok in tokens:
        dt = span * (len(tok) + 1) / total
        out.append((tok, t, t + dt))
        t += dt
    return out


# Cues are filled to this share of their room, so that a translation (Spanish and French run
# about 20% longer than English) still fits in the same cue and changes at the same moment.
FILL = 0.7


def segment_cues(seg: Segment, max_chars: int, max_lines: int, fill: float = FILL) -> Iterator[Cue]:
    """Split one segment into cues of at most `max_lines` lines of `max_chars` characters,
    timed by the words they hold, ending exactly at the segment's end."""
    timed = _word_times(seg)
    if not timed:
        return
    budget = fill * max_chars * max_lines
    chunk: list[tuple[str, float, float]] = []
    cues: list[tuple[list[tuple[str, float, float]], list[str]]] = []
    for item in timed:
        words = [w for w, _, _ in chunk + [item]]
        trial = wrap_words(words, max_chars)
        if chunk and (len(trial) > max_lines or len(" ".join(words)) > budget):
            cues.append((chunk, wrap_words([w for w, _, _ in chunk], max_chars)))
            chunk = [item]
        else:
            chunk.append(item)
    if chunk:
        cues.append((chunk, wrap_words([w for w, _, _ in chunk], max_chars)))
    for i, (words, lines) in enumerate(cues):
        start = seg.start if i == 0 else words[0][1]
        end = seg.end if i == len(cues) - 1 else cues[i + 1][0][0][1]
        # an over-long single word may wrap to more lines than allowed: split it into cues
        for j in range(0, len(lines), max_lines):
            part = tuple(lines[j:j + max_lines])
            n = max(1, (len(lines) + max_lines - 1) // max_lines)
            k = j // max_lines
            yield Cue(start + (end - start) * k / n, start + (end - start) * (k + 1) / n, part)


def share_out(tokens: list[str], weights: list[int]) -> list[list[str]]:
    """Tokens into len(weights) consecutive groups in proportion to the weights (characters),
    every group non-empty while there are tokens enough."""
    total_w = sum(weights) or 1
    total_c = sum(len(t) + 1 for t in tokens) or 1
    groups: list[list[str]] = [[] for _ in weights]
    position, k, bound = 0, 0, weights[0] * total_c / total_w
    for i, tok in enumerate(tokens):
        left_tokens, left_slots = len(tokens) - i, len(weights) - k
        if k + 1 < len(weights) and groups[k] and (position + (len(tok) + 1) / 2 > bound
                                                   or left_tokens <= left_slots - 1):
            k += 1
            bound += weights[k] * total_c / total_w
        groups[k].append(tok)
        position += len(tok) + 1
    return groups


def sentence_parts(tokens: list[str]) -> list[list[str]]:
    """Tokens cut where a sentence ends (. ! ? … before a word that starts with a capital)."""
    parts: list[list[str]] = [[]]
    for i, tok in enumerate(tokens):
        parts[-1].append(tok)
        following = tokens[i + 1].lstrip("\"'“‘«¿¡(") if i + 1 < len(tokens) else ""
        if tok.rstrip("\"'”’»)").endswith((".", "!", "?", "…")) and following[:1].isupper():
            parts.append([])
    return [p for p in parts if p]


def _anchored(tokens: list[str], slots: list[Cue]) -> list[list[str]] | None:
    """Each translated sentence shared over the slots its source sentence fills, so a cue where a
    sentence starts in the source starts with that sentence in the translation too. None when
    the two texts do not hold the same number of sentences (then: in proportion over all slots)."""
    slot_tokens = [" ".join(c.lines).split() for c in slots]
    source = sentence_parts([t for ts in slot_tokens for t in ts])
    target = sentence_parts(tokens)
    if len(source) < 2 or len(source) != len(target):
        return None
    owner = [k for k, part in enumerate(source) for _ in part]       # source token -> its sentence
    weights = [[0] * len(slots) for _ in source]
    n = 0
    for j, ts in enumerate(slot_tokens):
        for tok in ts:
            weights[owner[n]][j] += len(tok) + 1
            n += 1
    groups: list[list[str]] = [[] for _ in slots]
    for k, part in enumerate(target):
        used = [j for j, w in enumerate(weights[k]) if w]
        for j, group in zip(used, share_out(part, [weights[k][j] for j in used]), strict=True):
            groups[j] += group
    return groups if all(groups) else None


def aligned_cues(seg: Segment, timing: Segment, max_chars: int, max_lines: int) -> Iterator[Cue]:
    """A translated segment's cues on the source segment's cue times, so captions in every
    language change at the same moments; a slot whose text will not fit is split inside itself."""
    slots = list(segment_cues(timing, max_chars, max_lines))
    tokens = seg.text.split()
    if not slots or len(tokens) < len(slots):
        yield from segment_cues(seg, max_chars, max_lines)
        return
    groups = (_anchored(tokens, slots)
              or share_out(tokens, [sum(len(line) for line in c.lines) for c in slots]))
    for slot, words in zip(slots, groups, strict=True):
        lines = wrap_words(words, max_chars)
        parts = [tuple(lines[j:j + max_lines]) for j in range(0, len(lines), max_lines)]
        span = (slot.end - slot.start) / len(parts)
        for k, part in enumerate(parts):
            yield Cue(slot.start + k * span, slot.start + (k + 1) * span, part)


def _cues(transcript: TranscriptLike, timing: TranscriptLike | None,
          max_chars: int) -> Iterator[tuple[Segment, Cue]]:
    """Each segment's cues; a translated segment (its source segment, at the same place in `timing`
    and at the same times, says something else) on its source segment's cue times."""
    sources: Iterable[Segment | None] = timing.iter_segments() if timing is not None else ()
    for seg, source in zip_longest(transcript.iter_segments(), sources):
        if seg is None:
            break
        if source is not None and (source.start, source.end) == (seg.start, seg.end) \
                and source.text != seg.text:
            cues = aligned_cues(seg, source, max_chars, SRT_MAX_LINES)
        else:
            cues = segment_cues(seg, max_chars, SRT_MAX_LINES)
        for cue in cues:
            yield seg, cue


def _vtt_annotation(name: str) -> str:
    """A voice name inside <v …>: WebVTT ends the tag at '>' and reads '&' as an escape."""
    return " ".join(name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split())


def vtt_pieces(transcript: TranscriptLike, timing: TranscriptLike | None = None) -> Iterator[str]:
    """WebVTT, a cue at a time; with `timing` (the source of a translation), cues follow the source's
    cue times. Every cue of a speaker's segment carries its voice tag (each cue is shown on its own)."""
    yield f"WEBVTT\nLanguage: {transcript.language}\n"
    for seg, cue in _cues(transcript, timing, VTT_MAX_CHARS):
        text = "\n".join(cue.lines)
        if seg.speaker:
            text = f"<v {_vtt_annotation(seg.speaker)}>{text}"
        if seg.language != transcript.language:
            text = f"<lang {seg.language}>{text}</lang>"
        yield f"\n{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{text}\n"


def speaker_changes(segments: Iterable[Segment]) -> Iterator[tuple[Segment, bool]]:
    """Each segment, and whether a new speaker starts talking there (text and SRT name the speaker
    only then)."""
    previous = None
    for seg in segments:
        yield seg, bool(seg.speaker) and seg.speaker != previous
        previous = seg.speaker if seg.text.strip() else previous


def _named_at_changes(segments: Iterator[Segment]) -> Iterator[Segment]:
    """SRT has no voice tags: where the speaker changes, the name opens the segment's first cue (as
    words of no duration, so the segment's word times still time its cues)."""
    for seg, new in speaker_changes(segments):
        if new:
            said = f"{seg.speaker}:"
            words = (tuple(Word(seg.start, seg.start, w) for w in said.split()) + seg.words
                     if seg.words else None)
            seg = Segment(seg.start, seg.end, f"{said} {seg.text}", seg.language, words, seg.speaker)
        yield seg


def srt_pieces(transcript: TranscriptLike, timing: TranscriptLike | None = None) -> Iterator[str]:
    """SRT (Podcasting 2.0: at most 2 lines of 32 characters), a cue at a time; `timing` as for VTT."""
    source = timing.map(_named_at_changes) if timing is not None else None
    for n, (_, cue) in enumerate(_cues(transcript.map(_named_at_changes), source, SRT_MAX_CHARS), start=1):
        lines = "\n".join(cue.lines)
        block = f"{n}\n{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}\n{lines}\n"
        yield block if n == 1 else "\n" + block


def text_pieces(transcript: TranscriptLike) -> Iterator[str]:
    """Plain text, a paragraph per segment, with its start time for finding it in the audio; the
    speaker's name where the speaker changes."""
    empty = True
    for seg, new in speaker_changes(transcript.iter_segments()):
        stamp = _clock(seg.start, ".")[:8]
        who = f"{seg.speaker}: " if new else ""
        yield f"[{stamp}] {who}{seg.text.strip()}\n"
        empty = False
    if empty:
        yield "\n"


def to_vtt(transcript: TranscriptLike, timing: TranscriptLike | None = None) -> str:
    return "".join(vtt_pieces(transcript, timing))


def to_srt(transcript: TranscriptLike, timing: TranscriptLike | None = None) -> str:
    return "".join(srt_pieces(transcript, timing))


def to_text(transcript: TranscriptLike) -> str:
    return "".join(text_pieces(transcript))
