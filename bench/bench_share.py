#!/usr/bin/env python3
"""The WhatsApp voice note against the 96 kbps master: loudness, intelligibility, size, and memory.

    .venv/bin/python bench/bench_share.py [--skip-long] [--longform DIR] [--json FILE]

1. Speech fixtures (tests/data/speech): each is mastered (pipeline.audio.master: the 96 kbps
   podcast MP3 and the 32 kbps low copy) and encoded as the share stage does (Ogg Opus, voip,
   the bitrate rule). Loudness is measured by ffmpeg's ebur128 filter (integrated LUFS and true
   peak), an independent meter; intelligibility is Whisper base's WER (the default engine, language
   fixed) on the master, on the voice note and on the 32 kbps MP3 peer, against the reference text.
2. A 90-minute session: real long-form speech (the longform fixtures, with 1 s pauses, looped to
   90 min) is made into a 96 kbps mono master with ffmpeg, then encoded by the share stage's
   encoder, ffmpeg and PyAV, each in a child process so its peak resident memory (getrusage) is its
   own; the same for a 10-minute cut, to show memory does not grow with length. Size against
   WhatsApp's 16 MB and the bitrate rule's prediction.

Work files go to output/bench-share/ (git-ignored). Load averages are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SPEECH = ROOT / "tests" / "data" / "speech"
WORK = ROOT / "output" / "bench-share"
LONGFORM = ROOT.parent / "shared" / "fixtures" / "longform"


def ffmpeg() -> str:
    import imageio_ffmpeg
    return imageio_ffmpeg.get_ffmpeg_exe()


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) from ffmpeg's ebur128 filter."""
    out = subprocess.run([ffmpeg(), "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = out.split("Summary:")[-1]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def speech_fixtures() -> list[dict]:
    from pipeline.audio import master
    from pipeline.share.voicenote import encode
    from pipeline.transcribe import load_engine, transcribe_file
    from tests.conftest import referenced_speech, wer

    engine = load_engine("faster-whisper", "base")
    rows = []
    for clip, lang, ref in referenced_speech():
        folder = WORK / "fixtures" / clip.rsplit(".", 1)[0]
        folder.mkdir(parents=True, exist_ok=True)
        info = master(SPEECH / clip, folder)
        started = time.perf_counter()
        note = encode(folder / "podcast.mp3", folder, info.duration)
        encode_s = time.perf_counter() - started
        reference = (SPEECH / ref).read_text(encoding="utf-8").replace("\n", " ")
        row = {"clip": clip, "seconds": info.duration, "encode_s": encode_s, "bitrate": note.bitrate}
        for key, name in (("master", "podcast.mp3"), ("low", "podcast-low.mp3"), ("note", "voice-note.opus")):
            path = folder / name
            row[f"{key}_bytes"] = path.stat().st_size
            row[f"{key}_lufs"], row[f"{key}_peak"] = ebur128(path)
            row[f"{key}_wer"] = wer(reference, transcribe_file(path, engine, lang).text)
        rows.append(row)
    return rows


def build_session(target: Path, seconds: float, source: Path) -> float:
    """A mono 44.1 kHz 96 kbps MP3 of real speech: the source files, 1 s apart, looped to `seconds`."""
    import av

    files = sorted(p for p in source.iterdir() if p.suffix in (".mp3", ".wav", ".m4a", ".flac"))
    lengths = {}
    for path in files:
        with av.open(str(path)) as c:
            lengths[path] = c.duration / 1e6
    playlist, total = [], 0.0
    while total < seconds:
        for path in files:
            playlist.append(path)
            total += lengths[path] + 1.0
            if total >= seconds:
                break
    inputs, chains = [], []
    for i, path in enumerate(playlist):
        inputs += ["-i", str(path)]
        chains.append(f"[{i}:a]aformat=sample_rates=44100:channel_layouts=mono,apad=pad_dur=1[a{i}]")
    graph = ";".join(chains) + ";" + "".join(f"[a{i}]" for i in range(len(playlist))) + \
        f"concat=n={len(playlist)}:v=0:a=1,atrim=0:{seconds}[out]"
    subprocess.run([ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *inputs,
                    "-filter_complex", graph, "-map", "[out]", "-c:a", "libmp3lame", "-b:a", "96k",
                    "-ac", "1", "-ar", "44100", str(target)], check=True)
    with av.open(str(target)) as c:
        return c.duration / 1e6


def encode_child(source: str, duration: str, encoder: str, outdir: str) -> None:
    """Runs in a child process: one encoding; prints its facts as JSON, with the peak resident memory
    of this process (VmHWM: PyAV encodes here) and of its largest child (the ffmpeg binary; rusage,
    an upper bound, since Linux carries the spawning process's figure into the child)."""
    import resource

    from pipeline.share.voicenote import encode

    started = time.perf_counter()
    note = encode(Path(source), Path(outdir), float(duration), encoder=encoder)
    status = Path("/proc/self/status").read_text()
    print(json.dumps({"bitrate": note.bitrate, "bytes": note.bytes, "duration": note.duration,
                      "wall_s": time.perf_counter() - started,
                      "self_rss_mb": int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024,
                      "child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def measured_encoding(source: Path, duration: float, encoder: str) -> dict:
    outdir = WORK / f"{source.stem}-{encoder}"
    outdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, __file__, "--child", str(source), str(duration), encoder,
                           str(outdir)], capture_output=True, text=True, check=True)
    facts = json.loads(done.stdout)
    # the encoder's peak: the ffmpeg binary's own, or the Python process that runs PyAV
    peak = facts["child_rss_mb"] if encoder == "ffmpeg" else facts["self_rss_mb"]
    return {**facts, "encoder": encoder, "peak_rss_mb": peak}


def long_session(source: Path) -> list[dict]:
    from pipeline.share.voicenote import WHATSAPP_LIMIT, share_bitrate

    rows = []
    for minutes in (10, 90):
        mp3 = WORK / f"session-{minutes}min.mp3"
        if not mp3.is_file():
            build_session(mp3, minutes * 60.0, source)
        import av
        with av.open(str(mp3)) as c:
            duration = c.duration / 1e6
        for encoder in ("ffmpeg", "pyav"):
            row = measured_encoding(mp3, duration, encoder)
            row.update(minutes=minutes, predicted_bytes=share_bitrate(duration) * duration / 8,
                       fits=row["bytes"] <= WHATSAPP_LIMIT, master_bytes=mp3.stat().st_size)
            rows.append(row)
    return rows


def report_fixtures() -> list[dict]:
    print(f"speech fixtures ({load()})")
    print(f"{'clip':34} {'s':>6} {'kbps':>4} {'MB master/low/note':>20} {'LUFS master/note':>17} "
          f"{'dBTP m/n':>11} {'WER master/low/note':>20}")
    fixtures = speech_fixtures()
    for r in fixtures:
        print(f"{r['clip']:34} {r['seconds']:6.1f} {r['bitrate'] // 1000:4d} "
              f"{r['master_bytes'] / 1e6:6.3f}/{r['low_bytes'] / 1e6:5.3f}/{r['note_bytes'] / 1e6:5.3f} "
              f"{r['master_lufs']:8.1f}/{r['note_lufs']:5.1f} {r['master_peak']:5.1f}/{r['note_peak']:5.1f} "
              f"{r['master_wer']:6.3f}/{r['low_wer']:5.3f}/{r['note_wer']:5.3f}")
    total = {k: sum(r[k] for r in fixtures) for k in ("seconds", "master_bytes", "note_bytes", "encode_s")}
    worst = max(r["note_wer"] - r["master_wer"] for r in fixtures)
    shift = max(abs(r["note_lufs"] - r["master_lufs"]) for r in fixtures)
    print(f"voice note / master size: {total['note_bytes'] / total['master_bytes']:.3f}; "
          f"largest WER loss {worst:+.3f} (limit +0.02); largest loudness shift {shift:.2f} LU; "
          f"encoded at {total['seconds'] / total['encode_s']:.0f}x real time ({load()})")
    return fixtures


def report_long(longform: Path) -> list[dict]:
    print(f"\nlong sessions from {longform} ({load()})")
    rows = long_session(longform)
    for r in rows:
        print(f"{r['minutes']:3d} min {r['encoder']:6}: {r['bitrate'] // 1000} kbps, "
              f"{r['bytes'] / 1e6:6.2f} MB (rule {r['predicted_bytes'] / 1e6:6.2f} MB, "
              f"x{r['bytes'] / r['predicted_bytes']:.3f}; {'fits' if r['fits'] else 'OVER'} 16 MB), "
              f"master {r['master_bytes'] / 1e6:.1f} MB, {r['duration'] / r['wall_s']:.0f}x real time, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB")
    print(f"({load()})")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-long", action="store_true", help="Only the speech fixtures.")
    parser.add_argument("--skip-fixtures", action="store_true", help="Only the long sessions.")
    parser.add_argument("--longform", type=Path, default=LONGFORM if LONGFORM.is_dir() else SPEECH,
                        help="Folder of real speech to build the long session from.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        encode_child(*args.child)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    figures = {}
    if not args.skip_fixtures:
        figures["fixtures"] = report_fixtures()
    if not args.skip_long:
        figures["long"] = report_long(args.longform)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
