"""Argos packages run by CTranslate2 and SentencePiece directly, without the argostranslate library.

argostranslate translates one text at a time and pulls torch, spacy and stanza only to split
sentences; a transcript is already split into segments, so all segments of a language pair go
to CTranslate2 in one batched call (README: "Translation and the glossary" has the figures).
Decoding settings follow argostranslate's (beam 4, length penalty 0.2, unknown words copied).
"""

from __future__ import annotations

import os

from .packages import ArgosPackage

BEAM_SIZE = 4
HYPOTHESES = 4          # n-best candidates tried when a placeholder did not survive
MAX_BATCH = 32


class ArgosEngine:
    name = "argos"

    def __init__(self, package: ArgosPackage) -> None:
        import ctranslate2
        import sentencepiece

        self.package = package
        self.identity = package.identity
        threads = min(os.cpu_count() or 1, 8)
        self.translator = ctranslate2.Translator(str(package.path / "model"), device="cpu",
                                                 compute_type="auto", inter_threads=1, intra_threads=threads)
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(package.path / "sentencepiece.model"))

    def _run(self, texts: list[str], hypotheses: int) -> list[list[str]]:
        todo = [i for i, t in enumerate(texts) if t.strip()]
        out: list[list[str]] = [[""] for _ in texts]
        if not todo:
            return out
        tokens = [self.sp.encode(texts[i], out_type=str) for i in todo]
        prefix = self.package.target_prefix
        results = self.translator.translate_batch(
            tokens, max_batch_size=MAX_BATCH, beam_size=max(BEAM_SIZE, hypotheses), num_hypotheses=hypotheses,
            length_penalty=0.2, replace_unknowns=True,
            target_prefix=[[prefix]] * len(tokens) if prefix else None)
        for i, result in zip(todo, results, strict=True):
            decoded = []
            for hyp in result.hypotheses:
                text = self.sp.decode(hyp[1:] if prefix and hyp[:1] == [prefix] else hyp)
                decoded.append(" ".join(text.split()))
            out[i] = decoded
        return out

    def translate(self, texts: list[str]) -> list[str]:
        return [options[0] for options in self._run(texts, 1)]

    def retry(self, texts: list[str]) -> list[list[str]]:
        return self._run(texts, HYPOTHESES)
