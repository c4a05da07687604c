"""The one small protocol every speech-to-text engine implements, and the shapes it exchanges.

An engine offers only primitives over a batch of audio windows (each at most 30 s, Whisper's
window): encode them once, tell the language of stretches of them from that encoding, decode
them, and time the words of a text against them. Everything else (voice activity, chunking,
languages, coverage, fallbacks, segments) is the shared driver in `decoding.py`, so every engine
gets the same completeness guarantees.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

SAMPLE_RATE = 16000
WINDOW_SECONDS = 30.0
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Request:
    """Decode window `item` of an encoded batch in `language` (no previous text: measured, no gain),
    in at most `max_tokens` text tokens (0: the model's own limit)."""
    item: int
    language: str
    temperature: float = 0.0
    max_tokens: int = 0


@dataclass(frozen=True)
class Hypothesis:
    tokens: tuple[int, ...]
    text: str
    avg_logprob: float
    no_speech_prob: float

    @property
    def compression_ratio(self) -> float:
        """Above about 2.4 the text repeats itself (Whisper's own test for a decoding loop)."""
        data = self.text.strip().encode("utf-8")
        return len(data) / len(zlib.compress(data)) if data else 0.0


@dataclass(frozen=True)
class Timed:
    """A word as an engine times it: seconds from the start of its window."""
    start: float
    end: float
    text: str          # with its leading space, as the tokenizer gives it
    probability: float


@dataclass(frozen=True)
class Alignment:
    """Time the words of `tokens` (a decoded text) against window `item`, `seconds` long."""
    item: int
    language: str
    tokens: tuple[int, ...]
    seconds: float


class Engine(Protocol):
    name: str
    model: str
    beam_size: int

    def encode(self, windows: Sequence[np.ndarray], seconds: float = WINDOW_SECONDS) -> Any:
        """Encode 16 kHz mono windows, each padded to `seconds` (at most 30: Whisper's window; an
        engine may pad to 30 whatever it is asked, as long as `detect` and `decode` still work)."""

    def detect(self, encoded: Any, spans: Sequence[tuple[int, float, float]]) -> list[dict[str, float]]:
        """Language probabilities of stretches (item, start s, end s) of encoded windows."""

    def decode(self, encoded: Any, requests: Sequence[Request]) -> list[Hypothesis]:
        """One hypothesis per request: beam search at temperature 0, sampling above."""

    def align(self, encoded: Any, items: Sequence[Alignment]) -> list[list[Timed]]:
        """The words of each decoded text with their times in its window."""
