"""faster-whisper's CTranslate2 Whisper (int8 on CPU): the default engine's primitives.

faster-whisper's `WhisperModel.model` is a `ctranslate2.models.Whisper`, whose `detect_language`,
`generate` and `align` all accept encoder output: each window is encoded once and that one
encoding serves language detection, decoding and word timing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache

import numpy as np

from ..models import resolve_whisper
from .base import SAMPLE_RATE, WINDOW_SECONDS, Alignment, Hypothesis, Request, Timed

FRAMES_PER_SECOND = 50           # encoder output frames (20 ms each)
# Alignment holds every text token's attention over every frame of every window it is given: 8
# windows of 20 s with three 156-token texts added 401 MB, the same aligned two at a time 110 MB,
# no slower and every word time within one frame (bench/bench_align_batch.py). Over a 3-hour
# session it was transcription's peak.
ALIGN_BATCH = 2
SEED = 9


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, model: str = "base", beam_size: int = 5, compute_type: str = "int8") -> None:
        from faster_whisper import WhisperModel

        self.model = model
        self.beam_size = beam_size
        self._whisper = WhisperModel(str(resolve_whisper(model)), device="cpu", compute_type=compute_type,
                                     cpu_threads=os.cpu_count() or 2)
        self._ct2 = self._whisper.model

    @cache  # noqa: B019  (one engine per process, a handful of languages)
    def _tokenizer(self, language: str):
        from faster_whisper.tokenizer import Tokenizer

        return Tokenizer(self._whisper.hf_tokenizer, True, task="transcribe", language=language)

    @staticmethod
    def _view(array: np.ndarray):
        import ctranslate2

        return ctranslate2.StorageView.from_array(np.ascontiguousarray(array))

    def encode(self, windows: Sequence[np.ndarray], seconds: float = WINDOW_SECONDS) -> np.ndarray:
        """One window at a time: on a CPU batching the encoder gains nothing (measured: 1.07 s a
        window alone, 1.34 s in fours) and its working memory grows with the batch (+290 MB).
        CTranslate2 takes shorter inputs too: 5 s cost a tenth of 30 s, enough to tell a language."""
        n = int(seconds * SAMPLE_RATE)
        out = []
        for w in windows:
            mel = self._whisper.feature_extractor(np.pad(w[:n], (0, n - len(w[:n]))), padding=0)
            out.append(np.asarray(self._ct2.encode(self._view(mel[None].astype(np.float32)))))
        return np.concatenate(out)

    def detect(self, encoded: np.ndarray, spans: Sequence[tuple[int, float, float]]
               ) -> list[dict[str, float]]:
        """Spans of the same frames (the heads of turns, all 5 s) are told in one call."""
        out: list[dict[str, float]] = [{} for _ in spans]
        same: dict[tuple[int, int], list[int]] = {}
        for k, (_, start, end) in enumerate(spans):
            a = max(0, int(start * FRAMES_PER_SECOND))
            b = min(encoded.shape[1], max(a + 1, int(np.ceil(end * FRAMES_PER_SECOND))))
            same.setdefault((a, b), []).append(k)
        for (a, b), members in same.items():
            found = self._ct2.detect_language(self._view(encoded[[spans[k][0] for k in members], a:b]))
            for k, probs in zip(members, found, strict=True):
                out[k] = {token[2:-2]: p for token, p in probs}
        return out

    def _prompt(self, language: str) -> list[int]:
        """The start of a transcription in `language`, without timestamps (words are timed by `align`)."""
        tokenizer = self._tokenizer(language)
        return [*tokenizer.sot_sequence, tokenizer.no_timestamps]

    def decode(self, encoded: np.ndarray, requests: Sequence[Request]) -> list[Hypothesis]:
        import ctranslate2
        from faster_whisper.transcribe import get_suppressed_tokens

        results: list[Hypothesis | None] = [None] * len(requests)
        groups: dict[float, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(r.temperature, []).append(i)
        for temperature, members in groups.items():
            sampling = ({"beam_size": 1, "num_hypotheses": 5, "sampling_topk": 0,
                         "sampling_temperature": temperature} if temperature > 0 else
                        {"beam_size": self.beam_size})
            if temperature > 0:
                ctranslate2.set_random_seed(SEED)      # the same recording always gives the same text
            tokenizer = self._tokenizer(requests[members[0]].language)
            found = self._ct2.generate(
                self._view(encoded[[requests[i].item for i in members]]),
                [self._prompt(requests[i].language) for i in members],
                max_length=self._max_length([requests[i].max_tokens for i in members]),
                return_scores=True, return_no_speech_prob=True, suppress_blank=True,
                suppress_tokens=list(get_suppressed_tokens(tokenizer, [-1])), **sampling)
            for i, result in zip(members, found, strict=True):
                tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
                logprob = result.scores[0] * len(result.sequences_ids[0]) / (len(result.sequences_ids[0]) + 1)
                results[i] = Hypothesis(tuple(tokens), tokenizer.decode(tokens), float(logprob),
                                        float(result.no_speech_prob))
        return results  # type: ignore[return-value]

    def _max_length(self, max_tokens: Sequence[int]) -> int:
        """CTranslate2's `max_length` for one call, whose texts may each take their `max_tokens`
        (0: no bound of their own). Measured on real speech: its Whisper stops at half the length
        asked (448 gives at most 224 text tokens)."""
        limit = self._whisper.max_length
        return limit if 0 in max_tokens else min(limit, 2 * max(max_tokens))

    def align(self, encoded: np.ndarray, items: Sequence[Alignment]) -> list[list[Timed]]:
        out: list[list[Timed]] = [[] for _ in items]
        by_language: dict[str, list[int]] = {}
        for i, a in enumerate(items):
            if a.tokens:
                by_language.setdefault(a.language, []).append(i)
        calls = [same[k:k + ALIGN_BATCH] for same in by_language.values()
                 for k in range(0, len(same), ALIGN_BATCH)]          # one language a call
        for members in calls:
            tokenizer = self._tokenizer(items[members[0]].language)
            results = self._ct2.align(self._view(encoded[[items[i].item for i in members]]),
                                      tokenizer.sot_sequence, [list(items[i].tokens) for i in members],
                                      [int(round(items[i].seconds * 100)) for i in members])
            for i, result in zip(members, results, strict=True):
                out[i] = _words(tokenizer, list(items[i].tokens), result.alignments, result.text_token_probs)
        return out


def _words(tokenizer, tokens: list[int], pairs, probs) -> list[Timed]:
    """Word times from a token-to-frame alignment: a word starts where its first token's path starts."""
    words, word_tokens = tokenizer.split_to_word_tokens(tokens + [tokenizer.eot])
    if len(word_tokens) <= 1 or not pairs:
        return []
    text_index = np.array([p[0] for p in pairs])
    time_index = np.array([p[1] for p in pairs])
    jumps = np.pad(np.diff(text_index), (1, 0), constant_values=1).astype(bool)
    times = time_index[jumps] / FRAMES_PER_SECOND
    bounds = np.pad(np.cumsum([len(t) for t in word_tokens[:-1]]), (1, 0))
    probs = np.asarray(probs)
    out = []
    for k, word in enumerate(words[:-1]):
        a, b = bounds[k], bounds[k + 1]
        if a >= len(times):
            break
        out.append(Timed(float(times[a]), float(times[min(b, len(times) - 1)]), word,
                         float(probs[a:b].mean()) if b > a else 0.0))
    return out
