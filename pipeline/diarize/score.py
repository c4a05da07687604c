"""How right a diarization is: the diarization error rate (DER) against a reference, and the share of
words given the right speaker. Used by bench/bench_diarize.py and the tests; never by the pipeline.

DER follows NIST's md-eval: time is cut into 10 ms frames; in each scored frame with R reference and
H system speakers, missed speech is max(0, R - H), false alarm max(0, H - R), and confusion
min(R, H) minus the reference speakers matched to their system speaker, under the one-to-one mapping
of speakers that maximises matched time. Overlapped speech counts (a frame where two people talk is
two speakers' worth of reference). The collar removes ±0.25 s around every reference boundary from
scoring. DER is the sum of the three errors over the reference speech time.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

FRAME = 0.01

Turn = tuple[float, float, Hashable]          # start, end, speaker


@dataclass(frozen=True)
class DER:
    missed: float          # seconds
    false_alarm: float
    confusion: float
    reference: float       # seconds of reference speech (overlap counted once per speaker)
    overlap_missed: float = 0.0   # the part of `missed` where the system heard fewer speakers than spoke

    @property
    def rate(self) -> float:
        return (self.missed + self.false_alarm + self.confusion) / self.reference if self.reference else 0.0

    def __add__(self, other: DER) -> DER:
        return DER(self.missed + other.missed, self.false_alarm + other.false_alarm,
                   self.confusion + other.confusion, self.reference + other.reference,
                   self.overlap_missed + other.overlap_missed)


def read_rttm(text: str) -> list[Turn]:
    turns = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0] == "SPEAKER":
            start, length = float(parts[3]), float(parts[4])
            turns.append((start, start + length, parts[7]))
    return turns


def _activity(turns: Sequence[Turn], n: int) -> tuple[list[Hashable], np.ndarray]:
    names = list(dict.fromkeys(t[2] for t in turns))
    active = np.zeros((len(names), n), bool)
    for start, end, who in turns:
        a, b = int(round(start / FRAME)), int(round(end / FRAME))
        active[names.index(who), max(0, a):max(0, min(n, b))] = True
    return names, active


def best_mapping(overlap: np.ndarray) -> list[tuple[int, int]]:
    """The one-to-one pairing of rows and columns with the largest total overlap."""
    from scipy.optimize import linear_sum_assignment

    if overlap.size == 0:
        return []
    rows, cols = linear_sum_assignment(-overlap)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def der(reference: Sequence[Turn], system: Sequence[Turn], duration: float, collar: float = 0.25) -> DER:
    n = int(round(duration / FRAME))
    _, ref = _activity(reference, n)
    _, hyp = _activity(system, n)
    scored = np.ones(n, bool)
    pad = int(round(collar / FRAME))
    for start, end, _ in reference:
        for edge in (int(round(start / FRAME)), int(round(end / FRAME))):
            scored[max(0, edge - pad):max(0, edge + pad)] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    r, h = ref.sum(0), hyp.sum(0)
    overlap = (ref[:, None, :] & hyp[None, :, :]).sum(2) if len(ref) and len(hyp) else np.zeros((0, 0))
    matched = np.zeros(ref.shape[1], int)
    for i, j in best_mapping(overlap):
        matched += ref[i] & hyp[j]
    return DER(missed=float(np.maximum(0, r - h).sum() * FRAME),
               false_alarm=float(np.maximum(0, h - r).sum() * FRAME),
               confusion=float((np.minimum(r, h) - matched).sum() * FRAME),
               reference=float(r.sum() * FRAME),
               overlap_missed=float(np.maximum(0, r - h)[h > 0].sum() * FRAME))


def word_accuracy(reference: Sequence[Hashable], system: Sequence[Hashable]) -> float:
    """Share of words whose system speaker is their reference speaker, under the best one-to-one
    mapping of system speakers onto reference speakers."""
    refs, hyps = list(dict.fromkeys(reference)), list(dict.fromkeys(system))
    counts = np.zeros((len(refs), len(hyps)))
    for a, b in zip(reference, system, strict=True):
        counts[refs.index(a), hyps.index(b)] += 1
    right = sum(counts[i, j] for i, j in best_mapping(counts))
    return right / len(reference) if len(reference) else 0.0
