"""openai-whisper (PyTorch, fp32 on CPU): the user's named engine, selectable with --engine.

The same primitives as the default engine over the same driver: windows encoded once, the
language read from that encoding, beam search (5) without timestamps, words timed by openai's own
cross-attention alignment (whisper.timing) against the same encoder output.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from ..models import require_openai_whisper, resolve_openai_checkpoint
from .base import SAMPLE_RATE, WINDOW_SECONDS, Alignment, Hypothesis, Request, Timed

FRAMES_PER_SECOND = 50


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


class _FromFeatures:
    """The model as whisper.timing.find_alignment sees it, called with encoder output instead of
    a mel spectrogram, so aligning does not run the encoder a second time."""

    def __init__(self, model) -> None:
        self._model = model

    def __getattr__(self, name: str):
        return getattr(self._model, name)

    def __call__(self, features, tokens):
        return self._model.decoder(tokens, features)


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, model: str = "base", beam_size: int = 5) -> None:
        require_openai_whisper()
        self.model = model
        self.beam_size = beam_size
        self._model = load_checkpoint(resolve_openai_checkpoint(model), model)

    @cache  # noqa: B019  (one engine per process, a handful of languages)
    def _tokenizer(self, language: str | None):
        from whisper.tokenizer import get_tokenizer

        return get_tokenizer(True, num_languages=self._model.num_languages, language=language,
                             task="transcribe")

    def encode(self, windows: Sequence[np.ndarray], seconds: float = WINDOW_SECONDS):
        """Always 30 s windows: openai-whisper's encoder accepts no shorter input (`seconds` is a
        hint the default engine uses to tell languages from 5 s)."""
        import torch
        import whisper

        n = int(WINDOW_SECONDS * SAMPLE_RATE)
        with torch.inference_mode():     # one window at a time, as the default engine (memory)
            return torch.cat([self._model.encoder(whisper.log_mel_spectrogram(
                np.pad(w[:n], (0, n - len(w[:n]))).astype(np.float32), self._model.dims.n_mels)[None])
                for w in windows])

    def detect(self, encoded, spans: Sequence[tuple[int, float, float]]) -> list[dict[str, float]]:
        import torch

        tokenizer = self._tokenizer(None)
        languages = list(tokenizer.all_language_tokens)
        out = []
        with torch.inference_mode():
            for item, start, end in spans:
                a = max(0, int(start * FRAMES_PER_SECOND))
                b = min(encoded.shape[1], max(a + 1, int(np.ceil(end * FRAMES_PER_SECOND))))
                logits = self._model.logits(torch.tensor([[tokenizer.sot]]),
                                            encoded[item:item + 1, a:b])[0, 0]
                probs = logits[languages].softmax(dim=-1).tolist()
                out.append(dict(zip(tokenizer.all_language_codes, probs, strict=True)))
        return out

    def decode(self, encoded, requests: Sequence[Request]) -> list[Hypothesis]:
        import whisper

        results: list[Hypothesis | None] = [None] * len(requests)
        groups: dict[tuple, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault((r.language, r.temperature, r.max_tokens), []).append(i)
        for (language, temperature, max_tokens), members in groups.items():
            if temperature > 0:
                import torch
                torch.manual_seed(9)            # the same recording always gives the same text
            options = whisper.DecodingOptions(
                task="transcribe", language=language, temperature=temperature, without_timestamps=True,
                beam_size=None if temperature > 0 else self.beam_size, best_of=5 if temperature > 0 else None,
                sample_len=max_tokens or None, fp16=False)
            for i in members:       # one window a call: openai-whisper's beam search takes one audio
                result = whisper.decode(self._model, encoded[requests[i].item], options)
                results[i] = Hypothesis(tuple(result.tokens), result.text, float(result.avg_logprob),
                                        float(result.no_speech_prob))
        return results  # type: ignore[return-value]

    def align(self, encoded, items: Sequence[Alignment]) -> list[list[Timed]]:
        from whisper.timing import find_alignment

        model = _FromFeatures(self._model)
        out = []
        for a in items:
            timings = find_alignment(model, self._tokenizer(a.language), list(a.tokens), encoded[a.item],
                                     int(round(a.seconds * 100))) if a.tokens else []
            out.append([Timed(float(t.start), float(t.end), t.word, float(t.probability)) for t in timings])
        return out
