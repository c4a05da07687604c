"""Diarization: who speaks when, offline on a CPU, with resemblyzer's GE2E speaker encoder.

`embed` is the costly part (the encoder over 1.6 s windows of every speech turn); `diarize` turns
those embeddings into numbered voices and is cheap, so the stage keeps the embeddings and reuses
them when only the text or the hint changed. Voices are numbered 1, 2, … by first appearance; names
are given later by staff ([voices] in episode.toml) and applied only where they are shown.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from ..audio import Clip
from .cluster import FRAME, HOP, MIN_WINDOW, WINDOW, VoiceTurn, cluster_voices, timeline, windows

SAMPLE_RATE = 16000
VERSION = 1                # of the embedding windows: a change re-embeds
STRETCH_FRAMES = 6000      # 60 s of spectrogram at a time (embed)


@dataclass(frozen=True)
class Embeddings:
    vectors: np.ndarray                 # (windows, 256) float32, L2-normalised
    spans: tuple[tuple[int, int], ...]  # each window's frames [start, end)

    @property
    def seconds(self) -> np.ndarray:
        return np.array([(b - a) * FRAME for a, b in self.spans], np.float32)


@dataclass(frozen=True)
class Diarization:
    turns: tuple[VoiceTurn, ...]

    @property
    def voices(self) -> tuple[int, ...]:
        return tuple(sorted({t.voice for t in self.turns}))

    def talk_time(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for t in self.turns:
            out[t.voice] = out.get(t.voice, 0.0) + t.end - t.start
        return {v: round(out[v], 2) for v in sorted(out)}

    def numbering(self, recording: str) -> str:
        """Names the numbering: staff's [voices] are trusted only for the numbering they were read from.
        It is the recording (its digest) and the order in which the voices take turns (turns of a second
        or more): another recording, a renumbering, a merge or a split change it; a boundary moved by a
        frame does not."""
        order: list[int] = []
        for t in self.turns:
            if t.end - t.start >= 1.0 and (not order or order[-1] != t.voice):
                order.append(t.voice)
        return hashlib.sha256(json.dumps([recording, order]).encode()).hexdigest()[:12]

    @cached_property
    def _starts(self) -> list[float]:
        return [t.start for t in self.turns]

    def voice_at(self, start: float, end: float) -> int | None:
        """The voice heard most between start and end; the nearest one when none is heard there.
        (Voice turns are in time order and never overlap: a binary search finds the few that matter.)"""
        if not self.turns:
            return None
        last = bisect.bisect_left(self._starts, end) - 1
        heard: dict[int, float] = {}
        k = last
        while k >= 0 and self.turns[k].end > start:
            t = self.turns[k]
            heard[t.voice] = heard.get(t.voice, 0.0) + min(end, t.end) - max(start, t.start)
            k -= 1
        if heard:
            return max(heard, key=heard.get)
        middle = (start + end) / 2
        near = self.turns[max(0, last):last + 2]
        return min(near, key=lambda t: max(t.start - middle, middle - t.end)).voice


class Readable(Protocol):
    """16 kHz mono audio read by sample ranges: a Pcm16 file of a long session, or a Clip in memory."""
    samples: int

    def read_samples(self, start: int, end: int) -> np.ndarray: ...


def speech_turns(audio: Readable | np.ndarray) -> list[tuple[float, float]]:
    """Where anyone may be speaking, faint speech included: the transcription's Silero pass cut at
    its lower thresholds, for a transcript that did not record its voice activity."""
    from ..transcribe.vad import FAINT_OFFSET, FAINT_ONSET, speech_probabilities, turns_from_probabilities

    if isinstance(audio, np.ndarray):
        audio = Clip(audio, SAMPLE_RATE)
    turns = turns_from_probabilities(speech_probabilities(audio), audio.samples / SAMPLE_RATE,
                                     FAINT_ONSET, FAINT_OFFSET)
    return [(t.start, t.end) for t in turns]


def loudness_gain(audio: Readable, turns: Sequence[tuple[float, float]]) -> float:
    """resemblyzer's volume rule (raise quiet speech to -30 dBFS, never lower it), on the speech only,
    read turn by turn."""
    from .encoder import TARGET_DBFS

    energy, count = 0.0, 0
    for a, b in turns:
        part = audio.read_samples(int(a * SAMPLE_RATE), int(b * SAMPLE_RATE)).astype(np.float64)
        energy, count = energy + float(np.sum(part ** 2)), count + len(part)
    if count == 0:
        return 1.0
    rms = (energy / count) ** 0.5
    if rms <= 0:
        return 1.0
    return max(1.0, 10 ** ((TARGET_DBFS - 20 * np.log10(rms)) / 20))


def _mel_stretch(audio: Readable, first: int, last: int, gain: float) -> np.ndarray:
    """Mel frames [first, last) of the whole recording's spectrogram, from the samples they see only
    (frame i is centred on sample i*160; beyond the recording's ends the samples are zeros)."""
    from .encoder import HOP_LENGTH, N_FFT, mel_frames

    lo, hi = first * HOP_LENGTH - N_FFT // 2, (last - 1) * HOP_LENGTH + N_FFT // 2
    inside = audio.read_samples(max(0, lo), min(audio.samples, hi)) * np.float32(gain)
    padded = np.pad(inside, (max(0, -lo), max(0, hi - audio.samples)))
    return mel_frames(padded, last - first)


def embed(audio: Readable | np.ndarray, turns: Sequence[tuple[float, float]],
          progress: Callable[[float], None] = lambda share: None) -> Embeddings:
    """Speaker embeddings of 1.6 s windows every 1.6 s inside the speech turns.

    The spectrogram is made a stretch of at most STRETCH_FRAMES at a time, for the windows inside
    it only: memory stays the same for a 3-hour session as for a clip (the whole spectrogram
    of three hours, with its FFT frames, would take gigabytes)."""
    from .encoder import HOP_LENGTH, load_encoder

    if isinstance(audio, np.ndarray):
        audio = Clip(audio, SAMPLE_RATE)
    gain = loudness_gain(audio, turns)
    spans = windows(turns, 1 + audio.samples // HOP_LENGTH)
    groups: list[list[int]] = []
    for k in sorted(range(len(spans)), key=lambda k: spans[k]):    # in time order, by stretch
        if groups and spans[k][1] - spans[groups[-1][0]][0] <= STRETCH_FRAMES:
            groups[-1].append(k)
        else:
            groups.append([k])
    encoder = load_encoder()
    vectors = np.zeros((len(spans), 256), np.float32)
    for done, group in enumerate(groups, 1):
        first, last = spans[group[0]][0], max(spans[k][1] for k in group)
        mel = _mel_stretch(audio, first, last, gain)
        local = [(spans[k][0] - first, spans[k][1] - first) for k in group]
        vectors[group] = encoder.embed(mel, local)
        progress(done / len(groups))
    return Embeddings(vectors, tuple(spans))


def diarize(embeddings: Embeddings, turns: Sequence[tuple[float, float]],
            hint: int | None = None) -> Diarization:
    labels = cluster_voices(embeddings.vectors, embeddings.seconds, hint)
    return Diarization(tuple(timeline(embeddings.vectors, embeddings.spans, labels, turns)))


def diarize_audio(audio: Readable | np.ndarray, turns: Sequence[tuple[float, float]] | None = None,
                  hint: int | None = None) -> Diarization:
    """16 kHz mono audio -> voice turns (speech turns found here when not given)."""
    turns = speech_turns(audio) if turns is None else list(turns)
    return diarize(embed(audio, turns), turns, hint)


__all__ = ["Diarization", "Embeddings", "VoiceTurn", "diarize", "diarize_audio", "embed", "speech_turns",
           "HOP", "MIN_WINDOW", "WINDOW"]
