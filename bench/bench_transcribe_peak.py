#!/usr/bin/env python3
"""When transcription reaches its peak memory: during one long session, or growing with it?

    .venv/bin/python bench/bench_transcribe_peak.py SESSION.wav [--trim]

Transcribes a recording as the transcribe stage does (decoded to 16-bit PCM in a scratch folder,
read in windows; default engine, base, beam 5) and prints the process's peak resident memory
(VmHWM) when the transcription passes 10, 20, 40 and 58 minutes of the recording, and at the end.
With --trim, glibc's malloc_trim runs after every encoder call: if the peak were the allocator's
fragmentation building up, it would be lower and would stop growing. Measured on
bench/bench_longform.py's 60-minute session (output/bench-longform/session-all-60.wav), README:
plain 748 / 919 / 919 / 919 MB, end 919; with --trim 790 / 878 / 878 / 878, end 878 — the peak is
reached by minute 20 and stays: it is the costliest batch, not accumulation.
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rss import own_peak_mb  # noqa: E402  (after the path above)

MARKS = (600, 1200, 2400, 3500)     # seconds of the recording


def peak_mb() -> int:
    return int(own_peak_mb())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("session", type=Path)
    parser.add_argument("--trim", action="store_true", help="malloc_trim after every encoder call")
    args = parser.parse_args()

    from pipeline.transcribe import load_engine, transcribe_file

    engine = load_engine("faster-whisper", "base")
    if args.trim:
        libc, encode = ctypes.CDLL("libc.so.6"), engine.encode

        def trimmed(*a, **k):
            out = encode(*a, **k)
            libc.malloc_trim(0)
            return out
        engine.encode = trimmed
    marks: dict[int, int] = {}

    def progress(seconds: float) -> None:
        for mark in MARKS:
            if seconds >= mark and mark not in marks:
                marks[mark] = peak_mb()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=ROOT / "output") as scratch:
        transcribe_file(args.session, engine, "auto", progress=progress, workdir=Path(scratch))
    seen = ", ".join(f"{m // 60} min {mb} MB" for m, mb in sorted(marks.items()))
    print(f"{'with' if args.trim else 'without'} malloc_trim: peak {seen}; end {peak_mb()} MB "
          f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
