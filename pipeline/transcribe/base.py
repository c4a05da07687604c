"""The one small protocol every speech-to-text engine implements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from ..transcript import Segment

SAMPLE_RATE = 16000
Progress = Callable[[float], None]


class Engine(Protocol):
    name: str
    model: str

    def language_probs(self, audio: np.ndarray) -> dict[str, float]:
        """Probability of each language code for a stretch of 16 kHz mono audio."""

    def transcribe(self, audio: np.ndarray, language: str, hotwords: Sequence[str],
                   progress: Progress) -> list[Segment]:
        """Segments (with word times) for 16 kHz mono audio in a known language; times from 0."""
