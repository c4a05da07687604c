"""Chapters: where the talk turns to something else, found by lexical cohesion (TextTiling).

At every gap between two sentences we compare the words of a block before it with a block
after it (Hearst 1997, TextTiling). Inside one topic the blocks share words; across a change of
topic they do not, so the similarity drops into a valley. A gap's depth is how far the
similarity climbs back on both sides. Two cues from the recording add a little: a silence
longer than the session's usual pause (a new topic often starts after one) and a change of
spoken language (another speaker). Gaps scoring above the mean by one standard deviation, and
above MIN_SCORE, become chapter starts, deepest first, as long as no chapter gets shorter than
MIN_WORDS or a fifteenth of the session. Blocks hold at least two sentences, so one sentence
that shares no word with its neighbour does not make a valley by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .sentences import Sentence

PAUSE_WEIGHT = 0.15       # depth added by a silence PAUSE_CAP seconds longer than the usual pause
PAUSE_CAP = 3.0
LANGUAGE_WEIGHT = 0.15    # depth added where the spoken language changes (another speaker)
MIN_SCORE = 0.1           # no chapter starts at a gap shallower than this
MIN_WORDS = 15            # a chapter holds at least this many words...
MIN_SHARE = 1 / 15        # ...and at least this share of the session's words
CUTOFF_SIGMA = 1.0        # a boundary's score must exceed mean + CUTOFF_SIGMA * std of all gaps
MIN_BLOCK = 2             # sentences on each side of a gap, at least


@dataclass(frozen=True)
class Boundary:
    index: int            # the first sentence of the new chapter
    similarity: float
    depth: float
    score: float


def block_size(tokens: Sequence[int]) -> int:
    """Content words per block: about a tenth of the session, between 6 and 60."""
    return int(min(60, max(6, sum(tokens) / 5)))


def _block(matrix, tokens: Sequence[int], start: int, step: int, size: int):
    rows, total, i = [], 0, start
    while 0 <= i < len(tokens) and (total < size or len(rows) < MIN_BLOCK):
        rows.append(i)
        total += tokens[i]
        i += step
    return np.asarray(matrix[rows].sum(axis=0)).ravel()


def gap_similarity(matrix, tokens: Sequence[int]) -> np.ndarray:
    """Cosine similarity of the blocks on both sides of every gap (gap g sits before sentence g)."""
    size = block_size(tokens)
    sims = np.zeros(len(tokens))
    for g in range(1, len(tokens)):
        left = _block(matrix, tokens, g - 1, -1, size)
        right = _block(matrix, tokens, g, 1, size)
        norm = np.linalg.norm(left) * np.linalg.norm(right)
        sims[g] = float(left @ right / norm) if norm else 0.0
    return sims


def depth_scores(sims: np.ndarray) -> np.ndarray:
    """How far similarity climbs back on both sides of each gap (TextTiling's depth score)."""
    depth = np.zeros_like(sims)
    n = len(sims)
    for g in range(1, n):
        left = g
        while left - 1 >= 1 and sims[left - 1] > sims[left]:
            left -= 1
        right = g
        while right + 1 < n and sims[right + 1] > sims[right]:
            right += 1
        depth[g] = (sims[left] - sims[g]) + (sims[right] - sims[g])
    return depth


def boundaries(sentences: Sequence[Sentence], matrix, tokens: Sequence[int]) -> list[Boundary]:
    """Chapter starts (sentence indices), best first checked, returned in time order."""
    n = len(sentences)
    if n < 3:
        return []
    sims = gap_similarity(matrix, tokens)
    depth = depth_scores(sims)
    pauses = np.zeros(n)
    for g in range(1, n):
        pauses[g] = max(0.0, sentences[g].start - sentences[g - 1].end)
    longer = np.clip((pauses - np.median(pauses[1:])) / PAUSE_CAP, 0.0, 1.0)   # than a usual pause
    switched = np.array([g > 0 and sentences[g].language != sentences[g - 1].language for g in range(n)])
    score = depth + PAUSE_WEIGHT * longer + LANGUAGE_WEIGHT * switched
    gaps = score[1:]
    cutoff = gaps.mean() + CUTOFF_SIGMA * gaps.std()
    counts = [s.word_count for s in sentences]
    total = sum(counts)
    least = max(MIN_WORDS, total * MIN_SHARE)
    starts = np.concatenate([[0], np.cumsum(counts)])   # words before sentence i
    chosen: list[int] = []
    for g in sorted(range(1, n), key=lambda g: -score[g]):
        if score[g] <= cutoff or score[g] < MIN_SCORE:
            break
        edges = sorted([0, n, *chosen])
        k = np.searchsorted(edges, g)
        before, after = edges[k - 1], edges[k]
        if starts[g] - starts[before] < least or starts[after] - starts[g] < least:
            continue
        chosen.append(g)
    return [Boundary(g, float(sims[g]), float(depth[g]), float(score[g])) for g in sorted(chosen)]
