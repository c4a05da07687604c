#!/usr/bin/env python3
"""Which model calls set transcription's peak memory, call by call.

    .venv/bin/python bench/bench_transcribe_calls.py RECORDING [--top 25] [--json calls.json]

Transcribes a recording as the transcribe stage does (default engine, base, beam 5, language told
per turn) with every engine call (encode, detect, decode, align) wrapped, two ways at once:
- each call's own peak: the process's peak resident memory is reset just before the call (Linux:
  /proc/self/clear_refs) and read just after, so each call shows the memory held when it started
  and the peak it reached (the costliest calls are printed with their shape: windows, seconds a
  window; for decode the token bound, the longest text and the temperature);
- the whole stage sampled every 20 ms with the step it was in (a call and its number of windows,
  or "between calls"): the highest samples of each step, which shows where the stage's peak falls.
Measured on bench_memory's 3-hour recording (output/bench-memory/speech-180min.mp3) when alignment
took up to eight windows a call, README: 603 calls, memory held when one started 306-628 MB
(357-628 for decodings and alignments); decoding 8 windows of 20 s reached 718 MB (+239), aligning
8 of 20 s 752 (+273); sampled, every sample above 760 MB fell inside alignment (8 windows 930 MB,
6 windows 878), decoding 724 at most. Alignment now takes two windows a call (bench_align_batch.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rss import status_mb  # noqa: E402  (after the path above)

BETWEEN = "between calls"


def memory_mb() -> tuple[int, int]:
    """(peak since the last reset, resident now) in MB."""
    return int(status_mb("VmHWM")), int(status_mb("VmRSS"))


class StepSampler:
    """Resident memory every 20 ms, kept as the highest sample of each step the stage was in."""

    def __init__(self) -> None:
        self.step, self.peaks = BETWEEN, {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            step, resident = self.step, int(status_mb("VmRSS"))
            self.peaks[step] = max(self.peaks.get(step, 0), resident)
            time.sleep(0.02)

    def __enter__(self) -> StepSampler:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._done.set()
        self._thread.join()


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
    sampler = StepSampler()
    for name in ("encode", "detect", "decode", "align"):
        def measured(*a, _call=getattr(engine, name), _name=name, **k):
            windows = len(a[0]) if _name == "encode" else len(a[1])
            Path("/proc/self/clear_refs").write_text("5")       # peak := resident now
            held = memory_mb()[1]
            sampler.step = f"{_name} of {windows} windows"
            try:
                out = _call(*a, **k)
            finally:
                sampler.step = BETWEEN
            peak, after = memory_mb()
            calls.append((_name, shape(_name, a, k, out), held, peak, after))
            return out
        setattr(engine, name, measured)
    started = time.perf_counter()
    with sampler, tempfile.TemporaryDirectory(dir=ROOT / "output") as scratch:
        transcribe_file(args.recording, engine, "auto", workdir=Path(scratch))
    print(f"{len(calls)} calls in {time.perf_counter() - started:.0f} s; memory held when a call started: "
          f"{min(c[2] for c in calls)}-{max(c[2] for c in calls)} MB")
    print("call     shape                               held MB  peak MB  after MB")
    for name, described, held, peak, after in sorted(calls, key=lambda c: -c[3])[:args.top]:
        print(f"{name:8} {str(described):35} {held:8} {peak:8} {after:9}")
    print("\nsampled every 20 ms, the highest sample of each step (MB):")
    for step, peak in sorted(sampler.peaks.items(), key=lambda item: -item[1])[:args.top]:
        print(f"{peak:8}  {step}")
    if args.json:
        args.json.write_text(json.dumps(calls))


if __name__ == "__main__":
    main()
