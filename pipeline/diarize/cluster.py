"""Who speaks when: speaker-encoder windows inside the speech turns, clustered into voices.

Chosen by measurement on the real recordings with speaker references (bench/bench_diarize.py; the
figures are in README, Speakers):
- Windows of 1.6 s (what the encoder was trained on) side by side inside each speech turn, the last
  one ending with the turn; a turn shorter than that is one shorter window. Windows every 0.8 s
  cost twice as much and did no better (AMI DER 0.342 against 0.333 when compared, and a single
  French reader split in two). Each frame takes the voice of the window(s) covering it.
- Agglomerative clustering (average linkage, cosine) first cuts the windows finely; clusters whose
  windows are on average more alike than MERGE are then joined, most alike first. Spectral clustering
  with an eigengap count was tried too: it needs no threshold but split one speaker into several on
  short recordings and mislabelled the three-speaker clip (0.89 word accuracy against 1.00). Joining
  by the cosine of normalised centroids (0.75) did as well on the short clips but merged six of the
  thirteen readers of the 60-minute session into one voice (DER 0.47; now 0.09, 13 voices found).
- A voice with less than MIN_VOICE seconds of windows is too little to be a person (a cough, a
  laugh, a window across a change of speaker): it joins the voice it is closest to.
- A hint (the number of [[speakers]] in episode.toml) only decides the doubtful pairs, those whose
  average similarity is within HINT_BAND: above the hint they are joined, at or below it they are kept
  apart (AMI DER 0.331 with the true count as hint, 0.341 without).
  A pair outside the band is decided by the voices alone, so a listed person who never speaks, or an
  interpreter nobody listed, cannot make two people one voice or one person two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FRAME = 0.01                 # seconds per mel frame
WINDOW = 160                 # frames per window (1.6 s)
HOP = 160                    # frames between windows: side by side (0.8 s did no better, at twice the cost)
MIN_WINDOW = 40              # a turn shorter than 0.4 s gets no window of its own
LINK = 0.3                   # average-linkage cosine distance of the first, fine clustering
MERGE = 0.575                # average window similarity above which two clusters are one voice
HINT_BAND = (0.525, 0.625)   # pairs the hint may decide
MIN_VOICE = 2.0              # seconds of windows a voice needs to stand on its own
# Windows clustered directly; the others join their nearest cluster. The linkage's distances grow
# with the square of this (at 3000, a 3-hour session's diarize peaked at 308 MB, at 1500 267 MB:
# bench/bench_memory.py), while the 60-minute session's 2172 windows give the same 13 voices and DER
# 0.098 with 3000, 2000, 1500 or 1000 of them linked (bench/bench_diarize.py prints them).
MAX_LINKED = 1500


@dataclass(frozen=True)
class VoiceTurn:
    start: float
    end: float
    voice: int               # 1, 2, … in order of first appearance


def windows(turns: Sequence[tuple[float, float]], n_frames: int) -> list[tuple[int, int]]:
    """Frame ranges [start, end) to embed: WINDOW frames every HOP inside each turn, the last one
    ending with the turn; a short turn is one window of its own length."""
    out = []
    for start, end in turns:
        a, b = int(round(start / FRAME)), min(n_frames, int(round(end / FRAME)))
        if b - a < MIN_WINDOW:
            continue
        if b - a <= WINDOW:
            out.append((a, b))
            continue
        out += [(s, s + WINDOW) for s in range(a, b - WINDOW + 1, HOP)]
        if out[-1][1] < b:
            out.append((b - WINDOW, b))
    return out


def _centroids(x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = np.unique(labels)
    c = np.stack([x[labels == i].mean(0) for i in ids])
    return ids, c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)


def _absorb_small(x: np.ndarray, labels: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """The cluster with the least speech joins its nearest neighbour until every one has MIN_VOICE."""
    while True:
        ids, c = _centroids(x, labels)
        if len(ids) < 2:
            return labels
        talk = np.array([seconds[labels == i].sum() for i in ids])
        small = int(talk.argmin())
        if talk[small] >= MIN_VOICE:
            return labels
        sims = c @ c[small]
        sims[small] = -np.inf
        labels = np.where(labels == ids[small], ids[int(sims.argmax())], labels)


def _merge(x: np.ndarray, labels: np.ndarray, hint: int | None) -> np.ndarray:
    """Join the most alike pair of clusters while it sounds like one voice. Alike is the average
    similarity of their windows (the dot product of their mean embeddings, not normalised): a cluster
    that holds two voices has a shorter mean and stops attracting the others, where the cosine of
    normalised centroids drifts towards everyone and swallowed six readers of a 60-minute session."""
    low, high = HINT_BAND
    while True:
        ids = np.unique(labels)
        if len(ids) < 2:
            return labels
        means = np.stack([x[labels == i].mean(0) for i in ids])
        sims = means @ means.T
        np.fill_diagonal(sims, -np.inf)
        a, b = np.unravel_index(int(sims.argmax()), sims.shape)
        best = sims[a, b]
        if hint is None or not low <= best < high:
            join = best >= MERGE
        else:
            join = len(ids) > hint
        if not join:
            return labels
        labels = np.where(labels == ids[b], ids[a], labels)


def cluster_voices(x: np.ndarray, seconds: np.ndarray, hint: int | None = None) -> np.ndarray:
    """A cluster number for every window embedding (rows of `x`, L2-normalised)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(x)
    if n < 2:
        return np.zeros(n, int)
    picked = np.linspace(0, n - 1, min(n, MAX_LINKED)).round().astype(int)
    fine = fcluster(linkage(x[picked], "average", metric="cosine"), LINK, "distance")
    labels = np.zeros(n, int)
    labels[picked] = fine
    if len(picked) < n:
        ids, c = _centroids(x[picked], fine)
        rest = np.setdiff1d(np.arange(n), picked)
        labels[rest] = ids[(x[rest] @ c.T).argmax(1)]
    labels = _absorb_small(x, labels, seconds)
    return _merge(x, labels, hint)


def timeline(x: np.ndarray, spans: Sequence[tuple[int, int]], labels: np.ndarray,
             turns: Sequence[tuple[float, float]]) -> list[VoiceTurn]:
    """Voice turns: every frame of a speech turn goes to the voice its windows are most like (the
    similarities of the windows covering a frame are summed; a frame no window covers takes its
    nearest window's), numbered by first appearance. Scores are made turn by turn, over the
    windows that reach into the turn only (not a score row for every frame of a 3-hour session
    at once)."""
    if not len(x):          # no turn long enough to tell a voice (a click, a breath): no voice
        return []
    _, c = _centroids(x, labels)
    sims = x @ c.T                                          # window x voice
    starts = np.array([a for a, _ in spans])
    ends = np.array([b for _, b in spans])
    by_start = np.argsort(starts, kind="stable")
    sorted_starts = starts[by_start]
    longest = int((ends - starts).max())
    centres = (starts + ends) / 2
    raw: list[tuple[float, float, int]] = []
    for start, end in turns:
        a, b = int(round(start / FRAME)), int(round(end / FRAME))
        if b <= a:
            continue
        near = by_start[np.searchsorted(sorted_starts, a - longest):np.searchsorted(sorted_starts, b)]
        near = near[ends[near] > a]                         # the windows covering part of [a, b)
        enter, leave = np.clip(starts[near] - a, 0, b - a), np.clip(ends[near] - a, 0, b - a)
        score = np.zeros((b - a + 1, sims.shape[1]), np.float32)
        np.add.at(score, enter, sims[near])
        np.add.at(score, leave, -sims[near])
        score = np.cumsum(score, 0)[:b - a]
        inside = np.bincount(enter, minlength=b - a + 1) - np.bincount(leave, minlength=b - a + 1)
        covered = np.cumsum(inside)[:b - a] > 0
        best = score.argmax(1)
        alone = np.flatnonzero(~covered)
        if len(alone):
            nearest = np.abs(centres[None, :] - (a + alone)[:, None]).argmin(1)
            best[alone] = sims[nearest].argmax(1)
        edges = np.flatnonzero(np.diff(best)) + 1
        for lo, hi in zip(np.r_[0, edges], np.r_[edges, b - a], strict=True):
            raw.append((round(float(a + lo) * FRAME, 3), round(float(a + hi) * FRAME, 3), int(best[lo])))
    order: dict[int, int] = {}
    for _, _, k in raw:
        order.setdefault(k, len(order) + 1)
    return [VoiceTurn(s, e, order[k]) for s, e, k in raw]
