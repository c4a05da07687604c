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

import numpy as np

from .cluster import FRAME, HOP, MIN_WINDOW, WINDOW, VoiceTurn, cluster_voices, timeline, windows

SAMPLE_RATE = 16000
VAD_THRESHOLD = 0.25       # Silero speech probability; 0.5 (its default) missed 11 s more of AMI's speech
VAD_GAP_MS = 700
VERSION = 1                # of the embedding windows: a change re-embeds


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


def speech_turns(audio: np.ndarray) -> list[tuple[float, float]]:
    """Speech turns from faster-whisper's Silero VAD, for transcripts that do not carry their own."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(audio, VadOptions(threshold=VAD_THRESHOLD, speech_pad_ms=100,
                                                     min_silence_duration_ms=VAD_GAP_MS))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def loudness_gain(audio: np.ndarray, turns: Sequence[tuple[float, float]]) -> float:
    """resemblyzer's volume rule (raise quiet speech to -30 dBFS, never lower it), on the speech only."""
    from .encoder import TARGET_DBFS

    parts = [audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)] for a, b in turns]
    speech = np.concatenate(parts) if parts else audio
    rms = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2))) if len(speech) else 0.0
    if rms <= 0:
        return 1.0
    return max(1.0, 10 ** ((TARGET_DBFS - 20 * np.log10(rms)) / 20))


def embed(audio: np.ndarray, turns: Sequence[tuple[float, float]],
          progress: Callable[[float], None] = lambda share: None) -> Embeddings:
    """Speaker embeddings of 1.6 s windows every 0.8 s inside the speech turns."""
    from .encoder import load_encoder, mel_spectrogram

    mel = mel_spectrogram(audio * np.float32(loudness_gain(audio, turns)))
    spans = windows(turns, len(mel))
    vectors = load_encoder().embed(mel, spans, progress=progress)
    return Embeddings(vectors, tuple(spans))


def diarize(embeddings: Embeddings, turns: Sequence[tuple[float, float]],
            hint: int | None = None) -> Diarization:
    labels = cluster_voices(embeddings.vectors, embeddings.seconds, hint)
    return Diarization(tuple(timeline(embeddings.vectors, embeddings.spans, labels, turns)))


def diarize_audio(audio: np.ndarray, turns: Sequence[tuple[float, float]] | None = None,
                  hint: int | None = None) -> Diarization:
    """16 kHz mono audio -> voice turns (speech turns found here when not given)."""
    turns = speech_turns(audio) if turns is None else list(turns)
    return diarize(embed(audio, turns), turns, hint)


__all__ = ["Diarization", "Embeddings", "VoiceTurn", "diarize", "diarize_audio", "embed", "speech_turns",
           "HOP", "MIN_WINDOW", "WINDOW"]
