"""Transcription: engines behind one protocol, and the language-aware driver they share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from ..audio import decode
from ..errors import LearningLabError
from ..transcript import Segment, Transcript
from .base import SAMPLE_RATE, Engine
from .turns import detect_turns, main_language, runs, speech_turns

ENGINES = ("faster-whisper", "openai-whisper")


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


def _shift(seg: Segment, offset: float) -> Segment:
    words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in seg.words or ()) or None
    return replace(seg, start=seg.start + offset, end=seg.end + offset, words=words)


def transcribe_audio(engine: Engine, audio: np.ndarray, language: str = "auto",
                     hotwords: Sequence[str] = (), progress: Callable[[float], None] = lambda s: None
                     ) -> Transcript:
    """Transcribe 16 kHz mono audio; with language "auto", each speech turn gets its own language."""
    duration = len(audio) / SAMPLE_RATE
    turns = speech_turns(audio)
    if not turns:
        return Transcript(language if language != "auto" else "en", duration, (), engine.name, engine.model)
    if language == "auto":
        turns = detect_turns(engine, audio, turns)
        main = main_language(turns) or "en"
    else:
        turns = [replace(t, language=language, probability=1.0) for t in turns]
        main = language
    segments: list[Segment] = []
    for run in runs(turns, duration):
        clip = audio[int(run.start * SAMPLE_RATE):int(run.end * SAMPLE_RATE)]
        found = engine.transcribe(clip, run.language, hotwords, lambda s, r=run: progress(r.start + s))
        segments += [_shift(s, run.start) for s in found if s.text.strip()]
        progress(run.end)
    segments.sort(key=lambda s: s.start)
    return Transcript(main, duration, tuple(segments), engine.name, engine.model)


def transcribe_file(path: Path, engine: Engine, language: str = "auto", hotwords: Sequence[str] = (),
                    progress: Callable[[float], None] = lambda s: None) -> Transcript:
    return transcribe_audio(engine, decode(path, SAMPLE_RATE), language, hotwords, progress)
