#!/usr/bin/env python3
"""The two bounds on a decoding call the transcription driver sets, measured on real speech.

    .venv/bin/python bench/bench_decode_bounds.py SESSION.wav

(e.g. the 5-minute excerpt bench/bench_longform.py writes:
output/bench-longform/session-all-60-excerpt300.wav)

1. Seconds of windows per batch (decoding.BATCH_SECONDS): the peak resident memory a batch of n
   windows of s seconds adds when decoded with 5 beams, each shape in a fresh process (a process's
   high-water mark only rises).
2. Tokens per decoding (decoding.token_limit): every 25 s window of the recording decoded without a
   bound and with the driver's, in batches of 6 (the most BATCH_SECONDS allows at 25 s): the text
   tokens per second of window (median, 99th percentile, most), how many texts reach the model's
   own limit (224: a loop) or the driver's bound, and the time of each.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RATE = 16000
SHAPES = ((8, 30.0), (5, 30.0), (6, 25.0), (8, 20.0))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_shape(wav: Path, n: int, seconds: float) -> None:
    """In its own process: the peak a batch of n windows of `seconds` adds while decoded."""
    from pipeline.audio import decode
    from pipeline.transcribe.base import Request
    from pipeline.transcribe.faster import FasterWhisperEngine

    audio = decode(wav, RATE)
    engine = FasterWhisperEngine()
    windows = [audio[int(i * seconds * RATE):int((i + 1) * seconds * RATE)] for i in range(n)]
    encoded = engine.encode(windows, seconds=seconds)
    engine.decode(encoded[:1], [Request(0, "en", max_tokens=8)])         # warm, a short decoding
    before = peak_mb()
    engine.decode(encoded, [Request(i, "en") for i in range(n)])
    print(f"batch of {n} x {seconds:g} s, beam 5: peak {before:.0f} -> {peak_mb():.0f} MB "
          f"(+{peak_mb() - before:.0f})", flush=True)


def token_bounds(wav: Path) -> None:
    from pipeline.audio import decode
    from pipeline.transcribe.base import Request
    from pipeline.transcribe.decoding import BATCH, BATCH_SECONDS, token_limit
    from pipeline.transcribe.faster import FasterWhisperEngine

    audio = decode(wav, RATE)
    engine = FasterWhisperEngine()
    seconds, size = 25.0, min(BATCH, int(BATCH_SECONDS // 25.0))
    step = int(seconds * RATE)
    windows = [audio[i:i + step] for i in range(0, len(audio) - step, step)]
    encoded = engine.encode(windows, seconds=seconds)
    for bound in (0, token_limit(seconds)):
        started, lengths = time.perf_counter(), []
        for i in range(0, len(windows), size):
            members = range(i, min(len(windows), i + size))
            lengths += [len(h.tokens) for h in engine.decode(encoded[list(members)],
                                                             [Request(j, "en", max_tokens=bound)
                                                              for j in range(len(members))])]
        wall = time.perf_counter() - started
        rates = np.array(lengths) / seconds
        label = f"bound {bound} tokens" if bound else "no bound"
        print(f"{len(windows)} windows of 25 s, {label}: {wall:.1f} s; tokens a second median "
              f"{np.median(rates):.2f}, p99 {np.percentile(rates, 99):.2f}, most {rates.max():.2f}; "
              f"{sum(n >= 224 for n in lengths)} at the model's limit"
              + (f", {sum(n >= bound for n in lengths)} at the bound" if bound else ""), flush=True)


def main() -> None:
    if sys.argv[1] == "--shape":
        one_shape(Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
        return
    wav = Path(sys.argv[1])
    for n, seconds in SHAPES:
        subprocess.run([sys.executable, __file__, "--shape", str(wav), str(n), str(seconds)], check=True)
    token_bounds(wav)


if __name__ == "__main__":
    main()
