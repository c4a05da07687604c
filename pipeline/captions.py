"""Caption and text renderings of a transcript: WebVTT, SRT (Podcasting 2.0 rules), plain text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .transcript import Segment, Transcript

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


def segment_cues(seg: Segment, max_chars: int, max_lines: int) -> Iterator[Cue]:
    """Split one segment into cues of at most `max_lines` lines of `max_chars` characters,
    timed by the words they hold, ending exactly at the segment's end."""
    timed = _word_times(seg)
    if not timed:
        return
    chunk: list[tuple[str, float, float]] = []
    cues: list[tuple[list[tuple[str, float, float]], list[str]]] = []
    for item in timed:
        trial = wrap_words([w for w, _, _ in chunk + [item]], max_chars)
        if chunk and len(trial) > max_lines:
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


def to_vtt(transcript: Transcript) -> str:
    out = ["WEBVTT", f"Language: {transcript.language}", ""]
    for seg in transcript.segments:
        for cue in segment_cues(seg, VTT_MAX_CHARS, SRT_MAX_LINES):
            text = "\n".join(cue.lines)
            if seg.speaker:
                text = f"<v {seg.speaker}>{text}"
            if seg.language != transcript.language:
                text = f"<lang {seg.language}>{text}</lang>"
            out += [f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}", text, ""]
    return "\n".join(out)


def to_srt(transcript: Transcript) -> str:
    out: list[str] = []
    n = 0
    for seg in transcript.segments:
        words_seg = seg
        if seg.speaker:
            words_seg = Segment(seg.start, seg.end, f"{seg.speaker}: {seg.text}", seg.language)
        for cue in segment_cues(words_seg, SRT_MAX_CHARS, SRT_MAX_LINES):
            n += 1
            out += [str(n), f"{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}", *cue.lines, ""]
    return "\n".join(out)


def to_text(transcript: Transcript) -> str:
    """Plain text: one paragraph per segment, with its start time for finding it in the audio."""
    lines = []
    for seg in transcript.segments:
        stamp = _clock(seg.start, ".")[:8]
        who = f"{seg.speaker}: " if seg.speaker else ""
        lines.append(f"[{stamp}] {who}{seg.text.strip()}")
    return "\n".join(lines) + "\n"
