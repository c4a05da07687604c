"""Sentence-level against segment-by-segment translation of transcripts: chrF on human translations.

    .venv/bin/python bench/bench_sentences.py [--words 11] [--per-passage 3]

36 long English sentences with their human Spanish translations from Tatoeba (CC BY 2.0 FR,
bench/data/tatoeba_en_es.tsv, attributions per line) are read out as a transcript would cut
them: every few sentences form one speaker's passage, cut into caption segments of --words
words wherever that falls, as Whisper cuts by time and not by sense. Both ways then run on the
same engine (Apertium, the real engine available offline) with the project's glossary:

  segment   each segment translated on its own (the translate stage before sentence joining)
  sentence  segments joined into sentences, each translated whole, shared back over its segments
            (pipeline.translate.transcripts.translate_transcript, what the stage does now)

and each passage's segments, read in order, are scored with chrF (character n-grams 1..6,
beta 2, as bench/apertium_pivot.py) against the passage's human translation. Both directions:
English->Spanish, and Spanish->English with the Spanish as the source.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from apertium_pivot import chrf  # noqa: E402  (the same chrF as the pivot measurement)


def pairs() -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in (ROOT / "bench" / "data" / "tatoeba_en_es.tsv")
            .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [(en, es) for en, es, _ in rows]


def passages(rows: list[tuple[str, str]], size: int) -> list[tuple[str, str]]:
    return [(" ".join(r[0] for r in rows[i:i + size]), " ".join(r[1] for r in rows[i:i + size]))
            for i in range(0, len(rows), size)]


def transcript_of(texts: list[str], lang: str, words: int):
    """Each text one speaker's passage, cut every `words` words, one second per word."""
    from pipeline.transcript import Segment, Transcript

    segments, t = [], 0.0
    for n, text in enumerate(texts):
        tokens = text.split()
        for i in range(0, len(tokens), words):
            chunk = tokens[i:i + words]
            segments.append(Segment(t, t + len(chunk), " ".join(chunk), lang, speaker=f"speaker {n}"))
            t += len(chunk)
        t += 2.0
    return Transcript(lang, t, tuple(segments), "bench", "cut by words")


def by_passage(transcript, count: int) -> list[str]:
    out = [""] * count
    for seg in transcript.segments:
        n = int(seg.speaker.split()[-1])
        out[n] = f"{out[n]} {seg.text}".strip()
    return out


def score(hyps: list[str], refs: list[str]) -> float:
    return 100 * sum(chrf(h, r) for h, r in zip(hyps, refs, strict=True)) / len(refs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=11, help="words per caption segment (default 11)")
    parser.add_argument("--per-passage", type=int, default=3, help="sentences per speaker (default 3)")
    args = parser.parse_args()

    from pipeline.translate.choose import find_route, load
    from pipeline.translate.enforce import translate_enforced
    from pipeline.translate.service import glossary_in
    from pipeline.translate.transcripts import translate_transcript

    glossary = glossary_in(ROOT / "glossary")
    sets = passages(pairs(), args.per_passage)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {len(pairs())} sentence pairs "
          f"(Tatoeba, CC BY 2.0 FR) in {len(sets)} passages, segments of {args.words} words")
    for source, target, column in (("en", "es", 0), ("es", "en", 1)):
        texts = [p[column] for p in sets]
        refs = [p[1 - column] for p in sets]
        src = transcript_of(texts, source, args.words)
        route = find_route(source, target, prefer="apertium")
        old = translate_enforced([s.text for s in src.segments], target, glossary.terms(source), load(route))
        segment = by_passage(src.with_segments([s.__class__(s.start, s.end, t, target, None, s.speaker)
                                                for s, t in zip(src.segments, old.texts, strict=True)]),
                             len(sets))
        sentence = by_passage(translate_transcript(src, target, glossary, prefer="apertium").transcript,
                              len(sets))
        before, after = score(segment, refs), score(sentence, refs)
        print(f"{source}->{target} ({route.name}, {len(src.segments)} segments): chrF segment by segment "
              f"{before:.1f}, sentence by sentence {after:.1f} ({after - before:+.1f})")
        shown = next((i for i, (a, b) in enumerate(zip(segment, sentence, strict=True)) if a != b), 0)
        cut = next((k for k, (a, b) in enumerate(zip(segment[shown], sentence[shown], strict=False))
                    if a != b), 0)
        start = max(0, cut - 60)
        print(f"   e.g. segment:  …{segment[shown][start:start + 140]}…")
        print(f"        sentence: …{sentence[shown][start:start + 140]}…")


if __name__ == "__main__":
    main()
