#!/usr/bin/env python3
"""CTranslate2 options the transcription driver could use on a CPU, measured on real speech.

    .venv/bin/python bench/bench_ct2_options.py SESSION.wav

Three questions, each answered on windows cut from a recording of real speech (e.g. the 5-minute
excerpt bench/bench_longform.py writes, output/bench-longform/session-all-60-excerpt300.wav):

1. the encoder: 16 five-second heads and 8 twenty-second windows, one call each or one batch;
2. decoding (beam 5): 16 windows of 20 s in batches of 4, 8 or 16;
3. two CTranslate2 workers of one thread each (inter_threads=2, two batches at once from two
   Python threads) against one worker of all the cores (what the engine uses).

Measured on this 2-core machine with nothing else running (README, "Transcription"): batching the
encoder gained nothing (0.83-0.95 s one by one, 0.87-0.89 s batched for the heads), batches of 8
decoded fastest (12.8 / 11.2 / 11.9 s), two workers 10.3-11.9 s against 11.8-12.1 s: within the
machine's drift. While the test suite ran beside it, two workers took 25.3 s against 35.2 s: a
lead for a loaded machine, not taken (sampling fallbacks would then depend on thread timing).
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RATE = 16000


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def windows(audio: np.ndarray, seconds: float, count: int, step: float) -> list[np.ndarray]:
    return [audio[int(i * step * RATE):int((i * step + seconds) * RATE)] for i in range(count)]


def two_workers():
    """The default engine with two CTranslate2 workers of one thread each."""
    from faster_whisper import WhisperModel

    from pipeline.models import resolve_whisper
    from pipeline.transcribe.faster import FasterWhisperEngine

    engine = FasterWhisperEngine.__new__(FasterWhisperEngine)
    engine.model, engine.beam_size = "base", 5
    engine._whisper = WhisperModel(str(resolve_whisper("base")), device="cpu", compute_type="int8",
                                   cpu_threads=1, num_workers=2)
    engine._ct2 = engine._whisper.model
    return engine


def main() -> None:
    from pipeline.audio import decode
    from pipeline.transcribe.base import Alignment, Request
    from pipeline.transcribe.faster import FasterWhisperEngine

    audio = decode(Path(sys.argv[1]))
    engine = FasterWhisperEngine()
    heads, long = windows(audio, 5, 16, 9), windows(audio, 20, 8, 20)
    engine.decode(engine.encode(heads[:1], seconds=5), [Request(0, "en")])       # warm up

    for name, group, seconds in (("5 s heads x16", heads, 5), ("20 s windows x8", long, 20)):
        mels = np.stack([engine._whisper.feature_extractor(w, padding=0) for w in group]).astype(np.float32)
        alone = timed(lambda group=group, seconds=seconds: engine.encode(group, seconds=seconds))
        batched = timed(lambda mels=mels: engine._ct2.encode(engine._view(mels)))
        print(f"encoder, {name}: one call each {alone:.2f} s, one batch {batched:.2f} s")

    encoded = engine.encode(long + long, seconds=20)
    for size in (4, 8, 16):
        seconds = timed(lambda size=size: [engine.decode(encoded[i:i + size], [Request(j, "en") for j in
                                                                                range(min(size, 16 - i))])
                                           for i in range(0, 16, size)])
        print(f"decoding 16 windows of 20 s in batches of {size}: {seconds:.2f} s")

    def work(engine, batch):
        enc = engine.encode(batch, seconds=20)
        hyps = engine.decode(enc, [Request(j, "en") for j in range(len(batch))])
        engine.align(enc, [Alignment(j, "en", h.tokens, 18.0) for j, h in enumerate(hyps)])

    halves = (long[:4] + long[:4], long[4:] + long[4:])
    one = timed(lambda: [work(engine, half) for half in halves])
    other = two_workers()
    work(other, long[:1])
    with ThreadPoolExecutor(2) as pool:
        two = timed(lambda: list(pool.map(lambda half: work(other, half), halves)))
    print(f"encode + decode + align of 2 x 8 windows: one worker of all cores {one:.2f} s, "
          f"two workers of one thread {two:.2f} s")


if __name__ == "__main__":
    main()
