"""How long the summarize stage's own work takes on a 60-minute session (issue 5: under 5 s).

The session is made of real Whisper transcripts (tests/data/summarize/transcripts/: the demo
episodes and the sonnet + JFK + three-speaker recording, English, Spanish and French), repeated
back to back with their times shifted until an hour is filled. Translation is the translate
stage's engines' time and is measured by its own benchmark; this times sentence splitting,
ranking, chapters and topics.

    .venv/bin/python bench/bench_summarize.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from pipeline import transcript as transcript_io
from pipeline.glossary import load_glossary
from pipeline.summarize.generate import summarize_transcript
from pipeline.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS = ROOT / "tests" / "data" / "summarize" / "transcripts"
GAP = 2.0


def long_transcript(minutes: float) -> Transcript:
    sources = [transcript_io.load(p) for p in sorted(TRANSCRIPTS.glob("*.json"))]
    segments, offset = [], 0.0
    while offset < minutes * 60:
        for source in sources:
            for seg in source.segments:
                words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in seg.words or ())
                segments.append(replace(seg, start=seg.start + offset, end=seg.end + offset,
                                        words=words or None))
            offset += source.duration + GAP
    return Transcript("en", offset, tuple(segments), "faster-whisper", "base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    args = parser.parse_args()
    transcript = long_transcript(args.minutes)
    words = sum(len(s.text.split()) for s in transcript.segments)
    entries = load_glossary(ROOT / "glossary")
    started = time.perf_counter()      # a fresh process: imports (numpy, scipy, pysbd) included
    summary = summarize_transcript(transcript, entries, sentences=4, key_points=5)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    summarize_transcript(transcript, entries, sentences=4, key_points=5)
    warm = time.perf_counter() - again
    print(f"transcript: {transcript.duration / 60:.1f} min, {len(transcript.segments)} segments, "
          f"{words} words")
    print(f"summary {len(summary.summary)} sentences, {len(summary.key_points)} key points, "
          f"{len(summary.topics)} topics, {len(summary.chapters)} chapters")
    print(f"summarize (source language): {seconds:.2f} s in a fresh process, {warm:.2f} s warm  "
          "(target: < 5 s)")


if __name__ == "__main__":
    main()
