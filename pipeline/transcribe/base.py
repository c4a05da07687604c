"""The one small protocol every speech-to-text engine implements."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np

from ..transcript import Segment, Word

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


def hotword_prompt(hotwords: Sequence[str]) -> str | None:
    """Glossary names as the text Whisper is primed with (faster-whisper hotwords, openai-whisper prompt)."""
    return ", ".join(hotwords) if hotwords else None


def make_segment(start: float, end: float, text: str, language: str,
                 words: Iterable[tuple[float, float, str, float]]) -> Segment:
    """One Segment from an engine's raw output: text trimmed, empty words dropped, times rounded to 1 ms."""
    kept = tuple(Word(round(float(s), 3), round(float(e), 3), w.strip(), round(float(p), 3))
                 for s, e, w, p in words if w.strip())
    return Segment(round(float(start), 3), round(float(end), 3), text.strip(), language, kept or None)
