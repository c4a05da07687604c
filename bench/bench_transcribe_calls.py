#!/usr/bin/env python3
"""Which model calls set transcription's peak memory, call by call.

    .venv/bin/python bench/bench_transcribe_calls.py RECORDING [--top 25] [--json calls.json]

Transcribes a recording as the transcribe stage does (default engine, base, beam 5, language told
per turn) with every engine call (encode, detect, decode, align) wrapped: the process's peak
resident memory is reset just before the call (Linux: /proc/self/clear_refs) and read just after,
so each call shows the memory held when it started and the peak it reached. Prints the costliest
calls with their shape (windows, seconds a window; for decode the token bound, the longest text and
the temperature) and the range of memory held between calls. Measured on bench_memory's 3-hour
recording (output/bench-memory/speech-180min.mp3), README: held 430-630 MB between calls; decoding
8 windows of 20 s reached 718 MB, aligning 6 of 25 s 751 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def memory_mb() -> tuple[int, int]:
    """(peak since the last reset, resident now) in MB."""
    status = Path("/proc/self/status").read_text()
    return (int(status.split("VmHWM:")[1].split()[0]) // 1024,
            int(status.split("VmRSS:")[1].split()[0]) // 1024)


def shape(name: str, args: tuple, kwargs: dict, out) -> tuple:
    if name == "encode":
        return len(args[0]), kwargs.get("seconds", 30.0)
    encoded, items = args[0], args[1]
    described = (len(items), round(encoded.shape[1] / 50, 1))
    if name == "decode":
        described += (max(r.max_tokens for r in items), max(len(h.tokens) for h in out), items[0].temperature)
    return described


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recording", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", type=Path, help="write every call's record here")
    args = parser.parse_args()

    from pipeline.transcribe import load_engine, transcribe_file

    engine = load_engine("faster-whisper", "base")
    calls: list[tuple] = []
    for name in ("encode", "detect", "decode", "align"):
        def measured(*a, _call=getattr(engine, name), _name=name, **k):
            Path("/proc/self/clear_refs").write_text("5")       # peak := resident now
            held = memory_mb()[1]
            out = _call(*a, **k)
            peak, after = memory_mb()
            calls.append((_name, shape(_name, a, k, out), held, peak, after))
            return out
        setattr(engine, name, measured)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=ROOT / "output") as scratch:
        transcribe_file(args.recording, engine, "auto", workdir=Path(scratch))
    print(f"{len(calls)} calls in {time.perf_counter() - started:.0f} s; memory held when a call started: "
          f"{min(c[2] for c in calls)}-{max(c[2] for c in calls)} MB")
    print("call     shape                               held MB  peak MB  after MB")
    for name, described, held, peak, after in sorted(calls, key=lambda c: -c[3])[:args.top]:
        print(f"{name:8} {str(described):35} {held:8} {peak:8} {after:9}")
    if args.json:
        args.json.write_text(json.dumps(calls))


if __name__ == "__main__":
    main()
