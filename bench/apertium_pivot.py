"""Which pivot language reads better for Apertium en<->fr (no direct Debian pair): Spanish or Catalan?

    .venv/bin/python bench/apertium_pivot.py

Twelve everyday session sentences with human translations (bench/data/pivot_sentences.tsv) go
through both chains, one Apertium process per leg, and are scored with chrF (character n-gram
F-score, n=1..6, beta=2: robust for morphology-rich output and short texts) against the human
reference. pipeline/translate/apertium.py's PIVOTS records the winner per direction.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHAINS = {("en", "fr"): {"es": ("eng-spa", "es-fr"), "ca": ("eng-cat", "cat-fra")},
          ("fr", "en"): {"es": ("fr-es", "spa-eng"), "ca": ("fra-cat", "cat-eng")}}


def chrf(hypothesis: str, reference: str, order: int = 6, beta: float = 2.0) -> float:
    hyp, ref = re.sub(r"\s+", "", hypothesis), re.sub(r"\s+", "", reference)
    precision = recall = 0.0
    for n in range(1, order + 1):
        h = Counter(hyp[i:i + n] for i in range(len(hyp) - n + 1))
        r = Counter(ref[i:i + n] for i in range(len(ref) - n + 1))
        common = sum((h & r).values())
        precision += common / max(1, sum(h.values()))
        recall += common / max(1, sum(r.values()))
    precision, recall = precision / order, recall / order
    if precision + recall == 0:
        return 0.0
    return (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall)


def main() -> None:
    from pipeline.translate.apertium import ApertiumEngine

    rows = [line.split("\t") for line in (ROOT / "bench" / "data" / "pivot_sentences.tsv")
            .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    text = {"en": [r[0] for r in rows], "fr": [r[1] for r in rows]}
    for (source, target), chains in CHAINS.items():
        for via, (first, second) in chains.items():
            out = ApertiumEngine(second).translate(ApertiumEngine(first).translate(text[source]))
            score = 100 * sum(chrf(o, r) for o, r in zip(out, text[target], strict=True)) / len(out)
            print(f"{source}->{via}->{target}: chrF {score:.1f}")
            print(f"   e.g. {out[2]}")


if __name__ == "__main__":
    main()
