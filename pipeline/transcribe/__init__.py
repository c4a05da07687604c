"""Transcription: engines behind one protocol (base.py), and the driver they share (decoding.py)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from ..errors import LearningLabError
from ..transcript import Transcript
from .base import SAMPLE_RATE, Engine, Progress

ENGINES = ("faster-whisper", "openai-whisper")
SCRATCH_NAME = ".speech-16k.pcm.tmp"     # inside the stage's temporary folder; swept if a run is killed


def load_engine(name: str = "faster-whisper", model: str = "base", beam_size: int = 5) -> Engine:
    """Load a model once per process: every episode of a run shares it."""
    return _load(name, model, beam_size)


@cache
def _load(name: str, model: str, beam_size: int) -> Engine:
    if name == "faster-whisper":
        from .faster import FasterWhisperEngine
        return FasterWhisperEngine(model, beam_size)
    if name == "openai-whisper":
        from .openai import OpenAIWhisperEngine
        return OpenAIWhisperEngine(model, beam_size)
    raise LearningLabError(None, f"unknown transcription engine {name!r}", field="engine",
                           fix=f"use one of {', '.join(ENGINES)}")


def transcribe_audio(engine: Engine, audio: np.ndarray, language: str = "auto", hotwords: Sequence[str] = (),
                     progress: Progress = lambda s: None) -> Transcript:
    """Transcribe 16 kHz mono audio held in memory (a clip); with language "auto", each turn's own."""
    from ..audio import Clip
    from .decoding import transcribe_source

    return transcribe_source(engine, Clip(audio, SAMPLE_RATE), language, hotwords, progress)


def transcribe_file(path: Path, engine: Engine, language: str = "auto", hotwords: Sequence[str] = (),
                    progress: Progress = lambda s: None, workdir: Path | None = None,
                    stats: dict | None = None) -> Transcript:
    """Transcribe a recording. With `workdir` (the stage's temporary folder), it is decoded once
    to 16-bit PCM there and read in windows, so a long session never sits in memory; without,
    it is decoded into memory (clips, tests)."""
    from ..audio import Pcm16, decode
    from .decoding import transcribe_source

    if workdir is None:
        return transcribe_audio(engine, decode(path, SAMPLE_RATE), language, hotwords, progress)
    scratch = Path(workdir) / SCRATCH_NAME
    try:
        source = Pcm16.decode(path, scratch, SAMPLE_RATE)
        return transcribe_source(engine, source, language, hotwords, progress, stats)
    finally:
        scratch.unlink(missing_ok=True)


def clock(seconds: float) -> str:
    """12:31, or 1:02:31 past the hour."""
    s = int(seconds)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def untranscribed_lines(transcript: Transcript, most: int = 10) -> list[str]:
    """'12:31–12:40: speech not transcribed', one line per stretch the driver could not decode."""
    spans = transcript.extra.get("untranscribed", [])
    lines = [f"{clock(a)}–{clock(b)}: speech not transcribed" for a, b in spans[:most]]
    if len(spans) > most:
        lines.append(f"… and {len(spans) - most} more stretches of speech not transcribed "
                     "(transcribe/transcript.json, extra.untranscribed)")
    return lines
