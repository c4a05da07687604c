"""Give every word and segment of a transcript the voice heard at its time.

A segment whose words change voice is split there, so each segment (and each word in it) has one
speaker; a segment without word times takes the voice heard most over its span. The speaker of a
segment is the voice's number as text ("1", "2", …): names are never written here (pipeline.voices
shows them where they are shown).
"""

from __future__ import annotations

from dataclasses import replace

from ..transcript import Segment, Transcript, Word
from . import Diarization


def _parts(words: tuple[Word, ...], voices: list[int | None]) -> list[tuple[int | None, list[Word]]]:
    parts: list[tuple[int | None, list[Word]]] = []
    for word, voice in zip(words, voices, strict=True):
        if parts and parts[-1][0] == voice:
            parts[-1][1].append(word)
        else:
            parts.append((voice, [word]))
    return parts


def _label(seg: Segment, diarization: Diarization) -> list[Segment]:
    if not seg.words:
        voice = diarization.voice_at(seg.start, seg.end)
        return [replace(seg, speaker=str(voice) if voice else None)]
    parts = _parts(seg.words, [diarization.voice_at(w.start, w.end) for w in seg.words])
    if len(parts) == 1:
        voice = parts[0][0]
        return [replace(seg, speaker=str(voice) if voice else None)]
    out = []
    for i, (voice, words) in enumerate(parts):
        start = seg.start if i == 0 else words[0].start
        end = seg.end if i == len(parts) - 1 else words[-1].end
        out.append(replace(seg, start=start, end=max(end, start), text=" ".join(w.text for w in words),
                           words=tuple(words), speaker=str(voice) if voice else None))
    return out


def label_transcript(transcript: Transcript, diarization: Diarization) -> Transcript:
    return transcript.with_segments([part for seg in transcript.segments
                                     for part in _label(seg, diarization)])
