"""faster-whisper (CTranslate2, int8 on CPU): the default engine."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import resolve_whisper
from ..transcript import Segment
from .base import Progress, hotword_prompt, make_segment


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, model: str = "base", beam_size: int = 5, compute_type: str = "int8") -> None:
        import os

        from faster_whisper import WhisperModel

        self.model = model
        self.beam_size = beam_size
        path = resolve_whisper(model)
        self._model = WhisperModel(str(path), device="cpu", compute_type=compute_type,
                                   cpu_threads=os.cpu_count() or 2)

    def language_probs(self, audio: np.ndarray) -> dict[str, float]:
        _, _, probs = self._model.detect_language(audio)
        return dict(probs)

    def transcribe(self, audio: np.ndarray, language: str, hotwords: Sequence[str],
                   progress: Progress) -> list[Segment]:
        segments, _info = self._model.transcribe(
            audio, language=language, beam_size=self.beam_size, word_timestamps=True,
            vad_filter=True, vad_parameters={"min_silence_duration_ms": 700},
            hotwords=hotword_prompt(hotwords),
            condition_on_previous_text=True)
        out = []
        for seg in segments:
            out.append(make_segment(seg.start, seg.end, seg.text, language,
                                    ((w.start, w.end, w.word, w.probability) for w in seg.words or ())))
            progress(seg.end)
        return out
