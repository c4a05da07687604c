"""Speech turns from one Silero VAD pass over the recording, read in blocks.

The Silero model that faster-whisper bundles scores 32 ms windows one after another, carrying
its recurrent state; we feed it 320 s at a time and carry that state (and the 64 samples of
context each window sees) from block to block, so the scores are exactly those of one call on
the whole recording while memory stays bounded. Turns are then cut from the scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .base import SAMPLE_RATE

WINDOW = 512                 # samples per score (32 ms)
CONTEXT = 64                 # samples of the previous window each window sees
BLOCK_WINDOWS = 10_000       # windows per model call (320 s)
ONSET, OFFSET = 0.5, 0.35    # speech starts above ONSET, ends below OFFSET (hysteresis)
# Who speaks when counts faint speech too (a murmured answer, a far end of the table): the same scores
# cut at lower thresholds. On AMI's meeting excerpts 0.5/0.35 missed 6.7 s more speech than these
# (diarization error 0.359 against 0.345, bench/bench_diarize.py); Whisper is given only the turns
# above ONSET, where faint noise would make it invent text.
FAINT_ONSET, FAINT_OFFSET = 0.25, 0.1
MERGE_GAP = 0.7              # seconds of silence that still belong to one turn
MIN_SPEECH = 0.2             # shorter blips are not turns
PAD = 0.1                    # seconds kept around each turn
MAX_TURN = 29.0              # a turn must fit in one Whisper window: longer ones are cut at a pause


class Readable(Protocol):
    samples: int

    def read_samples(self, start: int, end: int) -> np.ndarray: ...


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    language: str = ""
    probability: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_probabilities(audio: Readable, block_windows: int = BLOCK_WINDOWS) -> np.ndarray:
    """Silero's speech probability for every 32 ms window of the recording."""
    import os

    # onnxruntime (which runs Silero) otherwise starts Microsoft's telemetry on import, which writes
    # a session file into $TMPDIR and keeps a cache of events: nothing about a session leaves here.
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    from faster_whisper.vad import get_vad_model

    session = get_vad_model().session
    h = np.zeros((1, 1, 128), dtype=np.float32)
    c = np.zeros((1, 1, 128), dtype=np.float32)
    previous = np.zeros(CONTEXT, dtype=np.float32)
    out = []
    step = block_windows * WINDOW
    for start in range(0, audio.samples, step):
        block = audio.read_samples(start, min(audio.samples, start + step))
        if len(block) % WINDOW:
            block = np.pad(block, (0, WINDOW - len(block) % WINDOW))
        windows = block.reshape(-1, WINDOW)
        context = np.concatenate([previous[None], windows[:-1, -CONTEXT:]])
        previous = windows[-1, -CONTEXT:].copy()
        probs, h, c = session.run(None, {"input": np.concatenate([context, windows], axis=1), "h": h, "c": c})
        out.append(np.asarray(probs).reshape(-1))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def _split_long(probs: np.ndarray, a: int, b: int, longest: int) -> list[tuple[int, int]]:
    """Cut a run of windows longer than `longest` at its quietest moment, again until all fit."""
    if b - a <= longest:
        return [(a, b)]
    lo, hi = max(a + 1, b - longest), min(b - 1, a + longest)
    if lo >= hi:
        lo, hi = a + (b - a) // 2, a + (b - a) // 2 + 1
    smooth = np.convolve(probs[a:b], np.ones(5) / 5, mode="same")
    cut = lo + int(np.argmin(smooth[lo - a:hi - a]))
    return _split_long(probs, a, cut, longest) + _split_long(probs, cut, b, longest)


def _runs(probs: np.ndarray, onset: float = ONSET, offset: float = OFFSET) -> list[list[int]]:
    """Windows of speech by hysteresis: from a score above `onset` until one below `offset`."""
    runs: list[list[int]] = []
    active = False
    for i, p in enumerate(probs):
        if not active and p >= onset:
            active = True
            runs.append([i, i + 1])
        elif active:
            if p >= offset:
                runs[-1][1] = i + 1
            else:
                active = False
    return runs


def pauses_from_probabilities(probs: np.ndarray, shortest: float = 0.3) -> list[tuple[float, float]]:
    """The pauses inside turns too (those shorter than MERGE_GAP): where a sentence may break."""
    step = WINDOW / SAMPLE_RATE
    runs = _runs(probs)
    return [(a[1] * step, b[0] * step) for a, b in zip(runs, runs[1:], strict=False)
            if (b[0] - a[1]) * step >= shortest]


def turns_from_probabilities(probs: np.ndarray, duration: float, onset: float = ONSET,
                             offset: float = OFFSET) -> list[Turn]:
    """Speech turns: hysteresis on the scores, short gaps merged, blips dropped, padded, long ones cut."""
    step = WINDOW / SAMPLE_RATE
    runs = _runs(probs, onset, offset)
    merged: list[list[int]] = []
    for run in runs:
        if merged and (run[0] - merged[-1][1]) * step < MERGE_GAP:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    spans = [s for a, b in merged if (b - a) * step >= MIN_SPEECH
             for s in _split_long(probs, a, b, int((MAX_TURN - 2 * PAD) / step))]
    turns = []
    for k, (a, b) in enumerate(spans):
        start, end = a * step - PAD, b * step + PAD
        if k and spans[k - 1][1] == a:             # a cut inside one run: no padding across the cut
            start = a * step
        if k + 1 < len(spans) and spans[k + 1][0] == b:
            end = b * step
        previous_end = turns[-1].end if turns else 0.0
        turns.append(Turn(round(max(start, previous_end, 0.0), 3), round(min(end, duration), 3)))
    return [t for t in turns if t.end > t.start]
