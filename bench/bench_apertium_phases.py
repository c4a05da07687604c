#!/usr/bin/env python3
"""Apertium in one pipeline against its two phases (the generator run apart): memory, time, output.

    .venv/bin/python bench/bench_apertium_phases.py [--paragraphs 400] [--modes eng-cat,cat-fra]

For every mode learninglab uses (pipeline/translate/apertium.py's MODES and pivots):
- each step's resident size once it has loaded its data: the step started alone, its peak (VmHWM)
  read from /proc while it waits on its input. Summed over the whole mode (every step alive at once,
  as in one pipeline) and over each phase;
- the process tree's peak, sampled ten times a second (bench/rss.py), and the wall time, when
  `apertium -u MODE` translates the batches and when the engine's phases do;
- how many paragraphs come out the same both ways.
The text is real: the reference texts of tests/data/longform/pieces.tsv (LibriVox readings and
speech clips) by language; Spanish, with only four pieces, topped up with fr-es's translation of the
French, and Catalan (the pivot of en->fr) made by eng-cat from the English, as the engine makes it.
Each mode gets --paragraphs of them, BATCH (200) to a call as the engine sends them.
Measured (README): cat-fra's steps 700 MB loaded all at once, 253 in analysis and 446 in generation;
sampled peak 681 MB in one pipeline against 464 in phases, 3.9 s against 5.2; 400/400 paragraphs
the same in every mode.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rss import run  # noqa: E402  (after the path above)

from pipeline.translate import apertium  # noqa: E402

SOURCE = {"eng-spa": "en", "spa-eng": "es", "es-fr": "es", "fr-es": "fr", "eng-cat": "en", "cat-eng": "ca",
          "fra-cat": "fr", "cat-fra": "ca"}


def loaded_mb(step: str) -> float:
    """One step of a mode, alone: its resident peak once its data is loaded and it waits on input."""
    command = shlex.split(step.replace("$1", "-n").replace("$2", ""))
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    status = Path(f"/proc/{process.pid}/status")
    last, steady_since = -1, time.monotonic()
    while time.monotonic() - steady_since < 0.5 and process.poll() is None:
        resident = next((int(line.split()[1]) for line in status.read_text().splitlines()
                         if line.startswith("VmRSS:")), 0)
        if resident != last:
            last, steady_since = resident, time.monotonic()
        time.sleep(0.05)
    peak = next((int(line.split()[1]) for line in status.read_text().splitlines()
                 if line.startswith("VmHWM:")), 0) if process.poll() is None else 0
    process.stdin.close()
    process.wait()
    return peak / 1024


def texts(paragraphs: int) -> dict[str, list[str]]:
    rows = [row.split("\t") for row in (ROOT / "tests/data/longform/pieces.tsv").read_text(
        encoding="utf-8").splitlines()[1:]]
    by = {lang: [r[6] for r in rows if r[3] == lang] for lang in ("en", "es", "fr")}
    by["es"] += apertium.ApertiumEngine("fr-es").translate(by["fr"])
    by["ca"] = apertium.ApertiumEngine("eng-cat").translate(by["en"])
    return {lang: [t for _ in range(paragraphs // len(some) + 1) for t in some][:paragraphs]
            for lang, some in by.items()}


def translate_measured(commands: list[list[str]], batch: str, scratch: Path) -> tuple[str, float]:
    """The batch through `commands` one after the other: (output, the largest tree peak in MB)."""
    peak, current = 0.0, scratch / "in.txt"
    current.write_text(batch, encoding="utf-8")
    for n, command in enumerate(commands):
        out = scratch / f"out{n}.txt"
        with open(current, "rb") as given, open(out, "wb") as taken:
            code, tree = run(command, stdin=given, stdout=taken, stderr=subprocess.DEVNULL)
        if code != 0:
            raise SystemExit(f"{' '.join(command)} failed")
        peak, current = max(peak, tree), out
    return current.read_text(encoding="utf-8"), peak


def paragraphs_of(output: str) -> list[str]:
    return [" ".join(p.split()) for p in output.split("\n\n") if p.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=400)
    parser.add_argument("--modes", default=",".join(SOURCE))
    args = parser.parse_args()
    given = texts(args.paragraphs)
    print(f"{'mode':8} {'steps loaded MB: all':>21} {'analysis':>9} {'generation':>11}   "
          f"{'sampled peak MB: whole':>22} {'phased':>7}   {'s whole':>7} {'phased':>7}   same")
    for mode in args.modes.split(","):
        engine = apertium.ApertiumEngine(mode)
        lines = [apertium._normalise(t) for t in given[SOURCE[mode]]]
        size = apertium.BATCH
        batches = ["\n\n".join(lines[k:k + size]) + "\n" for k in range(0, len(lines), size)]
        steps = (apertium.MODES_DIR / f"{mode}.mode").read_text(encoding="utf-8").strip().split(" | ")
        sizes = [loaded_mb(step) for step in steps]
        cut = len(steps) - len(engine.phases[1].split(" | ")) if engine.phases else len(steps)
        whole_out, phased_out, whole_peak, phased_peak, whole_s, phased_s = [], [], 0.0, 0.0, 0.0, 0.0
        with tempfile.TemporaryDirectory() as scratch, engine._pipeline() as pipeline:
            for batch in batches:
                started = time.perf_counter()
                out, peak = translate_measured([["apertium", "-u", mode]], batch, Path(scratch))
                whole_s += time.perf_counter() - started
                whole_out += paragraphs_of(out)
                whole_peak = max(whole_peak, peak)
                started = time.perf_counter()
                out, peak = translate_measured(pipeline.commands, batch, Path(scratch))
                phased_s += time.perf_counter() - started
                phased_out += paragraphs_of(out)
                phased_peak = max(phased_peak, peak)
        same = sum(a == b for a, b in zip(whole_out, phased_out, strict=True))
        print(f"{mode:8} {sum(sizes):21.0f} {sum(sizes[:cut]):9.0f} {sum(sizes[cut:]):11.0f}   "
              f"{whole_peak:22.0f} {phased_peak:7.0f}   {whole_s:7.1f} {phased_s:7.1f}   "
              f"{same}/{len(whole_out)}")


if __name__ == "__main__":
    main()
