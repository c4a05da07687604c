#!/usr/bin/env python3
"""Word alignment's memory by how many windows one call aligns.

    .venv/bin/python bench/bench_align_batch.py RECORDING [--windows 8] [--seconds 20]

Encodes and decodes `--windows` windows of real speech from the recording (base, beam 5, English;
windows cut at fixed places, so some texts run to the token bound as loops do), then aligns their
texts in one call, in twos and one at a time, each in a fresh process (a process's high-water
mark only rises), and prints the memory each way adds above what the process held, its time, and
how far its word times lie from one call's. Measured on bench_memory's 20-minute recording
(output/bench-memory/speech-20min.mp3), README: 8 windows of 20 s, one call +401 MB in 1.39 s; in
twos +110 MB in 1.07 s, every word within 20 ms (one frame) of one call's; one at a time +55 MB in
0.93 s, but two of 493 words moved by up to 1 s (CTranslate2's batched int8 arithmetic differs).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rss import status_mb  # noqa: E402  (after the path above)


def resident_mb() -> int:
    return int(status_mb("VmRSS"))


def one_way(recording: Path, windows: int, seconds: float, per_call: int) -> dict:
    """In its own process: align the windows' texts `per_call` windows a call."""
    from pipeline.audio import decode
    from pipeline.transcribe import faster, load_engine
    from pipeline.transcribe.base import Alignment, Request

    faster.ALIGN_BATCH = per_call
    engine = load_engine("faster-whisper", "base")
    audio = decode(recording)
    step = seconds + 5
    cut = [audio[int(16000 * (60 + step * k)):int(16000 * (60 + step * k + seconds))] for k in range(windows)]
    encoded = engine.encode(cut, seconds=seconds)
    requests = [Request(i, "en", max_tokens=int(16 + 7 * seconds)) for i in range(windows)]
    hyps = engine.decode(encoded, requests)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], resident_mb())
            time.sleep(0.005)

    held = resident_mb()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    timed = engine.align(encoded, [Alignment(i, "en", h.tokens, seconds) for i, h in enumerate(hyps)])
    took = time.perf_counter() - started
    done.set()
    sampler.join()
    return {"added": peak[0] - held, "seconds": took, "tokens": [len(h.tokens) for h in hyps],
            "words": [[(w.start, w.end, w.text) for w in words] for words in timed]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recording", type=Path)
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(one_way(args.recording, args.windows, args.seconds, args.worker)))
        return
    results = {}
    for per_call in (args.windows, 2, 1):
        out = subprocess.run([sys.executable, __file__, str(args.recording), "--windows", str(args.windows),
                              "--seconds", str(args.seconds), "--worker", str(per_call)],
                             capture_output=True, text=True, check=True).stdout
        results[per_call] = json.loads(out.strip().splitlines()[-1])
    print(f"{args.windows} windows of {args.seconds:g} s, text tokens {results[args.windows]['tokens']}")
    whole = results[args.windows]["words"]
    for per_call, r in results.items():
        moved = [max(abs(a[0] - b[0]), abs(a[1] - b[1])) for x, y in zip(whole, r["words"], strict=True)
                 for a, b in zip(x, y, strict=True)]
        print(f"{per_call} a call: +{r['added']} MB, {r['seconds']:.2f} s, word times at most "
              f"{max(moved, default=0):.2f} s from one call's ({sum(m > 0.1 for m in moved)} of {len(moved)} "
              "words by more than 0.1 s)")


if __name__ == "__main__":
    main()
