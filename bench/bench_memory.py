#!/usr/bin/env python3
"""Peak memory of every stage for a 3-hour recording next to a 20-minute one.

    .venv/bin/python bench/bench_memory.py [--long-minutes 180] [--short-minutes 20] [--stages ...]

Both recordings are built from real speech only: the turns of tests/data/longform/pieces.tsv
(LibriVox readings and the speech clips, en/es/fr) mixed like a call with 0.5-2 s pauses, used
again in new orders until the length is reached, and encoded as a recorder would: MP3, 44.1 kHz
mono, 64 kbit/s (ffmpeg from imageio-ffmpeg, fed block by block). Each is an episode of a copy of
the project in output/bench-memory/; each stage runs in its own process (the pipeline's own
`run_stage`, as `learninglab run` does; localize and diarize as on a first run, their caches of
translated texts and voice embeddings removed, so their engines are asked), whose peak resident
memory is the larger of its own high-water mark and its process tree's (with ffmpeg or Apertium)
sampled ten times a second (bench/rss.py says why not os.wait4).
The two peaks of each stage are printed side by side with their ratio: memory must not grow with
the session's length, and every stage must stay under 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline.stages import STAGES as PIPELINE_STAGES  # noqa: E402  (after the path above)

STAGES = (*(s.name for s in PIPELINE_STAGES), "publish")     # every stage a run does, in its order
LIMIT_MB = 1536


def build_recording(target: Path, minutes: float, seed: int = 9) -> Path:
    """An MP3 of `minutes` of real speech turns, streamed into ffmpeg (never held whole)."""
    import imageio_ffmpeg
    import numpy as np

    from pipeline.audio import to_pcm16
    from tests.sessions import RATE, interleave, load_pieces, piece_audio, room_tone

    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part.mp3")
    ffmpeg = subprocess.Popen([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "s16le",
                               "-ar", str(RATE), "-ac", "1", "-i", "pipe:0", "-ar", "44100", "-ac", "1",
                               "-c:a", "libmp3lame", "-b:a", "64k", str(partial)], stdin=subprocess.PIPE)
    rng = np.random.default_rng(seed)
    pieces, written, round_ = load_pieces(), 0.0, 0
    while written < minutes * 60:
        for piece in interleave(pieces, seed + round_):
            for block in (piece_audio(piece), room_tone(float(rng.uniform(0.5, 2.0)), rng)):
                ffmpeg.stdin.write(to_pcm16(block))
                written += len(block) / RATE
            if written >= minutes * 60:
                break
        round_ += 1
    ffmpeg.stdin.close()
    if ffmpeg.wait() != 0:
        raise SystemExit("ffmpeg failed")
    partial.rename(target)
    return target


def make_project(folder: Path, recording: Path, slug: str) -> Path:
    import shutil

    from tests.conftest import copy_project

    project = folder / f"project-{slug}"
    if not project.exists():
        copy_project(project, episodes=[])
    episode = project / "episodes" / slug
    episode.mkdir(parents=True, exist_ok=True)
    if not (episode / "recording.mp3").exists():
        shutil.copy(recording, episode / "recording.mp3")
    (episode / "episode.toml").write_text(
        f'title = "A long session ({slug})"\ndate = 2026-01-01\nrecording = "recording.mp3"\n'
        'language = "auto"\nstatus = "public"\nguid = "0b7a3c4e-1111-4222-8333-9444555566aa"\n'
        '[redact]\nwords = ["Quilter"]\nranges = [["0:40", "0:45"]]\n', encoding="utf-8")
    return project


def worker(project: Path, slug: str, stage: str) -> dict:
    """One stage in this process, as the runner does it (publish: the project-level step)."""
    from pipeline.project import Project
    from pipeline.runner import Context, run_stage
    from pipeline.stages import STAGES as ALL

    loaded = Project.load(project)
    started = time.perf_counter()
    if stage == "publish":
        from pipeline.publish.site import publish

        report = publish(loaded, {slug})
        return {"status": "ran" if not report.errors else "failed", "seconds": time.perf_counter() - started,
                "error": "; ".join(e.line() for e in report.errors)}
    spec = next(e for e in loaded.episodes().episodes if e.slug == slug)
    from pipeline.diarize.stage import EMBEDDINGS_FILE
    from pipeline.translate.localize import CACHE_FILE

    kept = {"localize": CACHE_FILE, "diarize": EMBEDDINGS_FILE}   # what a later run would reuse
    if stage in kept:              # what a first run does: its engines asked, not its cache read
        (loaded.stage_dir(spec, stage) / kept[stage]).unlink(missing_ok=True)
    result = run_stage(next(s for s in ALL if s.name == stage), Context(loaded, spec), lambda s: None,
                       force=True)
    return {"status": result.status, "seconds": time.perf_counter() - started, "error": result.error}


def measure(project: Path, slug: str, stage: str) -> dict:
    from rss import run

    out = project / f".bench-{stage}.json"
    code, tree = run([sys.executable, __file__, "--worker", stage, "--project", str(project), "--slug", slug,
                      "--json", str(out)], cwd=ROOT)
    if code != 0:
        raise SystemExit(f"{stage}: worker failed")
    result = json.loads(out.read_text())
    out.unlink()
    if result["status"] != "ran":
        raise SystemExit(f"{stage}: {result['error']}")
    result["peak_mb"] = max(result["own_peak_mb"], tree)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--long-minutes", type=float, default=180)
    parser.add_argument("--short-minutes", type=float, default=20)
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--folder", type=Path, default=ROOT / "output" / "bench-memory")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--slug", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        from rss import own_peak_mb

        result = worker(args.project, args.slug, args.worker)
        args.json.write_text(json.dumps({**result, "own_peak_mb": own_peak_mb()}))
        return
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, dict]] = {}
    sizes = {}
    for label, minutes in (("short", args.short_minutes), ("long", args.long_minutes)):
        recording = build_recording(args.folder / f"speech-{minutes:g}min.mp3", minutes)
        sizes[label] = (minutes, recording.stat().st_size)
        project = make_project(args.folder, recording, f"session-{minutes:g}min")
        for stage in args.stages.split(","):
            results.setdefault(stage, {})[label] = measure(project, f"session-{minutes:g}min", stage)
            r = results[stage][label]
            print(f"{label} {stage}: {r['peak_mb']:.0f} MB, {r['seconds']:.0f} s "
                  f"(load {os.getloadavg()[0]:.2f})", flush=True)
    (short_min, short_bytes), (long_min, long_bytes) = sizes["short"], sizes["long"]
    print(f"\nrecordings: {short_min:g} min ({short_bytes / 1e6:.0f} MB MP3) and {long_min:g} min "
          f"({long_bytes / 1e6:.0f} MB MP3) of real speech")
    print(f"{'stage':<11} {f'{short_min:g} min peak MB':>16} {f'{long_min:g} min peak MB':>16} {'ratio':>6} "
          f"{f'{short_min:g} min s':>10} {f'{long_min:g} min s':>10}  verdict")
    for stage, by in results.items():
        short, long = by["short"], by["long"]
        ratio = long["peak_mb"] / short["peak_mb"]
        verdict = "ok" if long["peak_mb"] < LIMIT_MB and ratio <= 1.2 else "OVER"
        print(f"{stage:<11} {short['peak_mb']:16.0f} {long['peak_mb']:16.0f} {ratio:6.2f} "
              f"{short['seconds']:10.0f} {long['seconds']:10.0f}  {verdict}")
    print(f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f}; "
          f"{os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
