#!/usr/bin/env python3
"""A long session of real speech, transcribed by learninglab and by its peers; one table of results.

    .venv/bin/python bench/bench_longform.py [--minutes 60] [--pieces all|tuning|holdout]
        [--systems learninglab,plain,batched,openai,alone] [--excerpt 300] [--json FILE]

The session is built from real read speech only (tests/data/longform/pieces.tsv: LibriVox and
other recordings cut at pauses into turns of 4-25 s, each with its reference text; see
bench/make_longform.py): the turns of all readers mixed like a call (en, es, fr), 0.5-2 s pauses
of faint room tone between them, 3 minutes of digital silence after the first third and 3 minutes
of pink noise after the second. When the pieces run out before `--minutes`, they are used again in
a new order. Recordings kept out of tuning (`--pieces holdout`): Kipling's "How the Rhinoceros Got
His Skin", Sonnet 3, and Baudelaire's "Danse macabre" and "Les litanies de Satan".

Systems, each in its own process (peak RSS: its own high-water mark, or its process tree's sampled
ten times a second, whichever is larger; bench/rss.py), model loaded and warmed up before the
clock starts:

- learninglab: the pipeline's own path, `transcribe_file(..., workdir=...)` (default engine);
- plain: faster-whisper `WhisperModel.transcribe()` as a new user calls it (beam 5, VAD on);
- batched: faster-whisper `BatchedInferencePipeline.transcribe()` (beam 5, batch 8);
- openai: on the first `--excerpt` seconds only: learninglab with the openai-whisper engine, and
  openai-whisper's own `transcribe()` (beam 5);
- alone: every piece transcribed by itself (faster-whisper, its language given): the accuracy
  reference.

Figures: x real time (session seconds / transcription wall seconds), peak RSS, WER of the whole
session (its transcript against the references of all turns in order), the share of reference words
recovered (1 - (substitutions + deletions) / reference words), the same by language and for the
held-out recordings (each transcript word is given to the turn its time falls in), and the words
emitted inside the silence and noise stretches. Load averages are printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HOLDOUT = ("en_rhinoceros_skin_kipling_librivox", "en_sonnet003_librivox",
           "fr_fleursdumal_121_danse_macabre_librivox", "fr_fleursdumal_145_les_litanies_de_satan_librivox")
RATE = 16000
STRETCH = 180.0


# -- the session ---------------------------------------------------------------------------------

def build_session(folder: Path, minutes: float, which: str, seed: int = 9):
    """The session's WAV and its placements (JSON), built once per settings and reused."""
    from tests.sessions import interleave, join, load_pieces, write_wav

    wav, meta = folder / f"session-{which}-{minutes:g}.wav", folder / f"session-{which}-{minutes:g}.json"
    if wav.exists() and meta.exists():
        return wav, json.loads(meta.read_text())
    pieces = [p for p in load_pieces()
              if p.scored and (which == "all" or (p.source in HOLDOUT) == (which == "holdout"))]
    order, total, round_ = [], 2 * STRETCH, 0
    while total < minutes * 60 - 30:          # the pieces in a mixed order, again if they run out
        for p in interleave(pieces, seed + round_):
            if total >= minutes * 60 - 30:
                break
            order.append(p)
            total += p.duration + 1.25
        round_ += 1
    third = len(order) // 3
    audio, placed = join(order, {third: ("silence", STRETCH), 2 * third: ("noise", STRETCH)}, seed)
    folder.mkdir(parents=True, exist_ok=True)
    write_wav(wav, audio)
    rows = [{"kind": p.kind, "start": p.start, "end": p.end,
             **({"source": p.piece.source, "language": p.piece.language, "reference": p.piece.reference,
                 "file": str(p.piece.file), "piece_start": p.piece.start, "piece_end": p.piece.end}
                if p.piece else {})} for p in placed]
    meta.write_text(json.dumps(rows))
    return wav, rows


# -- workers (each in its own process) ------------------------------------------------------------

def _segments_of_transcript(transcript) -> list[dict]:
    return [{"start": s.start, "end": s.end, "text": s.text, "language": s.language,
             "words": [[w.start, w.end, w.text] for w in s.words or ()]} for s in transcript.segments]


def _faster_segments(segments) -> list[dict]:
    return [{"start": s.start, "end": s.end, "text": s.text, "language": "",
             "words": [[w.start, w.end, w.word] for w in s.words or ()]} for s in segments]


def _excerpt(wav: Path, seconds: float, folder: Path) -> Path:
    from pipeline.audio import decode

    path = folder / f"{wav.stem}-excerpt{seconds:g}.wav"
    if not path.exists():
        from tests.sessions import write_wav

        write_wav(path, decode(wav, RATE)[:int(seconds * RATE)])
    return path


def worker(system: str, wav: Path, meta: list[dict], excerpt: float) -> dict:
    from pipeline.audio import decode
    from pipeline.models import resolve_whisper

    warm = decode(ROOT / "tests" / "data" / "speech" / "en_jfk_ask_not.wav", RATE)
    started = time.perf_counter()
    if system in ("learninglab", "learninglab-excerpt", "openai-learninglab"):
        import importlib

        from pipeline.transcribe import load_engine, transcribe_audio, transcribe_file

        for setting in filter(None, os.environ.get("BENCH_TUNE", "").split(",")):  # decoding.CHUNK_SECONDS=20
            name, value = setting.split("=")
            module, attr = name.rsplit(".", 1)
            setattr(importlib.import_module(f"pipeline.transcribe.{module}"), attr, type(getattr(
                importlib.import_module(f"pipeline.transcribe.{module}"), attr))(float(value)))

        engine = load_engine("openai-whisper" if system.startswith("openai") else "faster-whisper", "base")
        load = time.perf_counter() - started
        transcribe_audio(engine, warm, "en")
        source = wav if system == "learninglab" else _excerpt(wav, excerpt, wav.parent)
        scratch = wav.parent / f".scratch-{system}"
        scratch.mkdir(exist_ok=True)
        started = time.perf_counter()
        stats: dict = {}
        transcript = transcribe_file(source, engine, "auto", workdir=scratch, stats=stats)
        wall = time.perf_counter() - started
        scratch.rmdir()
        return {"segments": _segments_of_transcript(transcript), "wall": wall, "load": load,
                "seconds": transcript.duration, "stats": stats,
                "extra": {"untranscribed": transcript.extra["untranscribed"]}}
    if system == "openai-plain":
        import whisper

        from pipeline.models import resolve_openai_checkpoint
        from pipeline.transcribe.openai import load_checkpoint

        model = load_checkpoint(resolve_openai_checkpoint("base"), "base")
        load = time.perf_counter() - started
        whisper.transcribe(model, warm, language="en", fp16=False, verbose=None)
        audio = decode(_excerpt(wav, excerpt, wav.parent), RATE)
        started = time.perf_counter()
        result = whisper.transcribe(model, audio, beam_size=5, best_of=5, fp16=False, verbose=None)
        wall = time.perf_counter() - started
        return {"segments": [{"start": s["start"], "end": s["end"], "text": s["text"], "language": "",
                              "words": []} for s in result["segments"]],
                "wall": wall, "load": load, "seconds": len(audio) / RATE}
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    model = WhisperModel(str(resolve_whisper("base")), device="cpu", compute_type="int8",
                         cpu_threads=os.cpu_count() or 2)
    load = time.perf_counter() - started
    list(model.transcribe(warm, beam_size=5)[0])
    if system == "alone":
        from tests.sessions import Piece, piece_audio

        segments, wall, seconds = [], 0.0, 0.0
        for row in meta:
            if row["kind"] != "speech":
                continue
            piece = Piece(Path(row["file"]), row["piece_start"], row["piece_end"], row["language"],
                          row["source"], True, row["reference"])
            audio = piece_audio(piece)
            started = time.perf_counter()
            found, _ = model.transcribe(audio, language=piece.language, beam_size=5, vad_filter=False,
                                        condition_on_previous_text=False)
            text = " ".join(s.text.strip() for s in found)
            wall += time.perf_counter() - started
            seconds += len(audio) / RATE
            segments.append({"start": row["start"], "end": row["end"], "text": text,
                             "language": piece.language, "words": []})
        return {"segments": segments, "wall": wall, "load": load, "seconds": seconds}
    started = time.perf_counter()
    if system == "plain":
        found, _ = model.transcribe(str(wav), beam_size=5, vad_filter=True)
    else:
        found, _ = BatchedInferencePipeline(model).transcribe(str(wav), beam_size=5, batch_size=8)
    segments = _faster_segments(list(found))
    wall = time.perf_counter() - started
    from pipeline.audio import verify
    return {"segments": segments, "wall": wall, "load": load, "seconds": verify(wav)}


def measure(system: str, wav: Path, excerpt: float, folder: Path, tag: str = "") -> dict:
    from rss import run

    out = folder / f"result-{system}{tag}-{wav.stem}.json"
    code, tree = run([sys.executable, __file__, "--worker", system, "--session", str(wav),
                      "--excerpt", str(excerpt), "--json", str(out)], cwd=ROOT)
    if code != 0:
        raise SystemExit(f"{system}: worker failed")
    result = json.loads(out.read_text())
    result["peak_rss_mb"] = max(result["own_peak_mb"], tree)
    return result


# -- scoring ---------------------------------------------------------------------------------------

def _codes(*texts: list[str]):
    import numpy as np

    vocabulary: dict[str, int] = {}
    return [np.array([vocabulary.setdefault(w, len(vocabulary)) for w in t], dtype=np.int64) for t in texts]


def _edits(reference: list[str], hypothesis: list[str]) -> tuple[int, int]:
    """(word edit distance, longest common subsequence): row by row, each row in numpy (the
    insertions along a row are a running minimum, the matches a running maximum)."""
    import numpy as np

    ref, hyp = _codes(reference, hypothesis)
    m = len(hyp)
    cost = np.arange(m + 1)
    common = np.zeros(m + 1, dtype=np.int64)
    steps = np.arange(m + 1)
    for i, word in enumerate(ref, 1):
        same = np.concatenate([[False], hyp == word])
        best = np.minimum(np.concatenate([[i], cost[:-1] + (~same[1:])]), cost + 1)
        cost = np.minimum.accumulate(best - steps) + steps
        candidate = np.maximum(common, np.concatenate([[0], common[:-1] + same[1:]]))
        common = np.maximum.accumulate(candidate)
    return int(cost[m]), int(common[m])


def score(result: dict, meta: list[dict], until: float | None = None) -> dict:
    """WER of the whole session and per group, words recovered, words inside silence/noise."""
    from tests.conftest import normalize_words

    rows = [r for r in meta if until is None or r["end"] <= until]
    starts = [r["start"] for r in rows]
    speech = [k for k, r in enumerate(rows) if r["kind"] == "speech"]
    per: dict[int, list[str]] = {k: [] for k in range(len(rows))}
    invented = 0
    import bisect

    for seg in result["segments"]:
        units = seg["words"] or [[seg["start"], seg["end"], seg["text"]]]
        for start, end, text in units:
            middle = (start + end) / 2
            if until is not None and middle > until:
                continue
            k = max(0, bisect.bisect_right(starts, middle) - 1)
            r = rows[k]
            if r["kind"] in ("silence", "noise") and r["start"] + 1 < middle < r["end"] - 1:
                invented += len(normalize_words(text))
                continue
            if r["kind"] != "speech":
                k = min(speech, key=lambda j: min(abs(middle - rows[j]["start"]),
                                                  abs(middle - rows[j]["end"])))
            per[k] += normalize_words(text)
    reference = [w for k in speech for w in normalize_words(rows[k]["reference"])]
    hypothesis = [w for k in speech for w in per[k]]        # the transcript in order (times sort it)
    edits, hits = _edits(reference, hypothesis)
    groups: dict[str, list[int]] = {}
    for k in speech:
        groups.setdefault(rows[k]["language"], []).append(k)
        groups.setdefault("holdout" if rows[k]["source"] in HOLDOUT else "tuning", []).append(k)
    by_group = {}
    for name, members in groups.items():
        ref = [w for k in members for w in normalize_words(rows[k]["reference"])]
        e = sum(_edits(normalize_words(rows[k]["reference"]), per[k])[0] for k in members)
        by_group[name] = e / max(1, len(ref))
    return {"wer": edits / max(1, len(reference)), "recovered": hits / max(1, len(reference)),
            "invented": invented, "groups": by_group, "words": len(reference)}


def report(results: dict[str, dict], meta: list[dict], excerpt: float, load: tuple[float, float]) -> None:
    session = meta[-1]["end"]
    turns = sum(1 for r in meta if r["kind"] == "speech")
    print(f"session: {session / 60:.1f} min, {turns} turns of real speech, "
          f"{STRETCH:.0f} s silence + {STRETCH:.0f} s noise")
    head = (f"{'system':<28} {'audio':>7} {'x real time':>11} {'peak RSS MB':>11} {'WER':>6} "
            f"{'recovered':>9} "
            f"{'in silence/noise':>16}  WER en / es / fr / tuning / holdout")
    print(head)
    for name, r in results.items():
        until = excerpt if name.startswith(("openai", "learninglab-excerpt")) else None
        s = score(r, meta, until)
        g = s["groups"]
        cells = " / ".join(f"{g[k]:.3f}" if k in g else "-" for k in ("en", "es", "fr", "tuning", "holdout"))
        invented = "-" if name == "alone" else str(s["invented"])
        print(f"{name:<28} {r['seconds'] / 60:6.1f}m {r['seconds'] / r['wall']:11.1f} "
              f"{r['peak_rss_mb']:11.0f} "
              f"{s['wer']:6.3f} {s['recovered']:9.3f} {invented:>16}  {cells}")
        if r.get("stats"):
            print(f"{'':<28} " + ", ".join(f"{k} {v:.1f} s" if isinstance(v, float) else f"{k} {v}"
                                           for k, v in r["stats"].items()))
        if r.get("extra", {}).get("untranscribed"):
            print(f"{'':<28} untranscribed: {r['extra']['untranscribed']}")
    if "learninglab" in results and "plain" in results:
        ll, plain = results["learninglab"], results["plain"]
        ratio = (ll["seconds"] / ll["wall"]) / (plain["seconds"] / plain["wall"])
        print(f"\nlearninglab / plain faster-whisper: speed {ratio:.2f}x")
    print(f"load average (1 min) before {load[0]:.2f}, after {load[1]:.2f}; {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--pieces", choices=("all", "tuning", "holdout"), default="all")
    parser.add_argument("--systems", default="learninglab,plain,batched,openai,alone")
    parser.add_argument("--excerpt", type=float, default=300.0)
    parser.add_argument("--folder", type=Path, default=ROOT / "output" / "bench-longform")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--tune", default="",
                        help="module.NAME=VALUE,... for learninglab (to measure a setting)")
    parser.add_argument("--tag", default="", help="suffix for this run's result files")
    parser.add_argument("--reuse", action="store_true",
                        help="take a system's figures from an earlier run on the same session if saved")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--session", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        from rss import own_peak_mb

        meta = json.loads(args.session.with_suffix(".json").read_text())
        result = worker(args.worker, args.session, meta, args.excerpt)
        args.json.write_text(json.dumps({**result, "own_peak_mb": own_peak_mb()}))
        return
    os.environ["BENCH_TUNE"] = args.tune
    wav, meta = build_session(args.folder, args.minutes, args.pieces)
    systems = []
    for name in args.systems.split(","):
        systems += (["openai-learninglab", "openai-plain", "learninglab-excerpt"] if name == "openai"
                    else [name])
    before = os.getloadavg()[0]
    results = {}
    for name in systems:
        saved = args.folder / f"result-{name}{args.tag}-{wav.stem}.json"
        if args.reuse and saved.exists():       # measured by an earlier run on the same session
            results[name] = json.loads(saved.read_text())
        else:
            results[name] = measure(name, wav, args.excerpt, args.folder, args.tag)
            results[name]["loadavg"] = os.getloadavg()[0]
            saved.write_text(json.dumps(results[name]))
        print(f"{name}: {results[name]['seconds'] / results[name]['wall']:.1f}x real time "
              f"(load {results[name].get('loadavg', 0):.2f})", flush=True)
    report(results, meta, args.excerpt, (before, os.getloadavg()[0]))
    if args.json:
        args.json.write_text(json.dumps({"results": results}, indent=1))


if __name__ == "__main__":
    main()
