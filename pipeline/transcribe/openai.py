"""openai-whisper (PyTorch, fp32 on CPU): the user's named engine, selectable with --engine.

Same model size and the same decoding choices as the default engine (beam 5, word timestamps,
language fixed per call), so the two can be compared on equal terms. openai-whisper has no
hotwords: the glossary names go in as the initial prompt instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..models import require_openai_whisper, resolve_openai_checkpoint
from ..transcript import Segment
from .base import SAMPLE_RATE, Progress, hotword_prompt, make_segment


def load_checkpoint(path: Path, name: str):
    """A float32 CPU Whisper model from a checkpoint, with the alignment heads word timestamps need.

    Converted checkpoints carry their heads (from CTranslate2's config.json); OpenAI's own files
    do not, and whisper.load_model only knows them by model name, so we look them up the same way.
    """
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    heads = checkpoint.get("alignment_heads") or whisper._ALIGNMENT_HEADS.get(name)
    if heads:
        model.set_alignment_heads(heads.encode() if isinstance(heads, str) else heads)
    return model.float().eval()


@contextmanager
def _reporting(progress: Progress) -> Iterator[None]:
    """Lend whisper.transcribe a progress bar that reports seconds decoded, window by window.

    whisper.transcribe returns all segments at the end and tells its progress only to a tqdm bar;
    we swap the `tqdm` name in its module for the length of the call (the engine is not shared
    between threads) so the pipeline's bar moves during long single-language runs too.
    """
    from whisper.audio import HOP_LENGTH

    class Bar:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.frames = 0

        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def update(self, frames: int) -> None:
            self.frames += frames
            progress(self.frames * HOP_LENGTH / SAMPLE_RATE)

    module = sys.modules["whisper.transcribe"]
    saved = module.tqdm
    module.tqdm = SimpleNamespace(tqdm=Bar)
    try:
        yield
    finally:
        module.tqdm = saved


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, model: str = "base", beam_size: int = 5) -> None:
        require_openai_whisper()
        self.model = model
        self.beam_size = beam_size
        self._model = load_checkpoint(resolve_openai_checkpoint(model), model)

    def language_probs(self, audio: np.ndarray) -> dict[str, float]:
        import whisper

        clip = whisper.pad_or_trim(np.asarray(audio, dtype=np.float32))
        mel = whisper.log_mel_spectrogram(clip, self._model.dims.n_mels)
        _, probs = self._model.detect_language(mel)
        return dict(probs)

    def transcribe(self, audio: np.ndarray, language: str, hotwords: Sequence[str],
                   progress: Progress) -> list[Segment]:
        import whisper

        with _reporting(progress):
            result = whisper.transcribe(
                self._model, np.asarray(audio, dtype=np.float32), language=language, task="transcribe",
                beam_size=self.beam_size, best_of=self.beam_size, word_timestamps=True,
                initial_prompt=hotword_prompt(hotwords), condition_on_previous_text=True,
                fp16=False, verbose=None)
        return [make_segment(seg["start"], seg["end"], seg["text"], language,
                             ((w["start"], w["end"], w["word"], w["probability"])
                              for w in seg.get("words") or ()))
                for seg in result["segments"]]
