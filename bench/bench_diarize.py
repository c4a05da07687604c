#!/usr/bin/env python3
"""Diarization: error rate and speaker counts on real recordings with references, and its cost
beside transcription on a 60-minute session.

    .venv/bin/python bench/bench_diarize.py [--minutes 60] [--skip-session] [--json FILE]

1. AMI meeting excerpts (tests/data/diarize: 13 x 30 s, 1-4 speakers, RTTM references): the
   diarization error rate of each clip (md-eval rules: 0.25 s collar, overlapped speech counted, so a
   system that gives one speaker per moment misses every overlap) and the number of voices found
   against the reference, without a hint and with the true count as the hint ([[speakers]]).
   "Average" is pooled over all clips (errors / reference time, as md-eval sums a test set); the
   plain mean of the per-clip rates is printed too.
2. The Picovoice three-speaker clip (word-level speaker tags): voices found and the share of words
   with the right speaker after the best one-to-one mapping (Whisper's words, aligned by text).
3. A session of about --minutes minutes, joined from real single-speaker recordings of
   ../shared/fixtures/longform and tests/data/speech cut into 20-90 s turns that alternate between
   the readers, with 0.6-2 s pauses: faster-whisper transcribes it (the pipeline's own path,
   `transcribe_audio(engine, audio, "auto")`) and the diarize stage's work runs on the same audio in
   the same run (speech turns, encoder, clustering, labelling the transcript). Printed: both times,
   their ratio, seconds of diarization per hour of audio, and voices found against the readers;
   then the same embeddings clustered with 3000, 2000 and 1000 windows linked directly (1500 is
   what the stage links: the linkage's memory grows with the square of it).

Load averages are printed beside every figure: this 2-core machine is shared.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DIARIZE_DATA = ROOT / "tests" / "data" / "diarize"
SPEECH = ROOT / "tests" / "data" / "speech"
LONGFORM = ROOT.parent / "shared" / "fixtures" / "longform"
RATE = 16000
LINKED = (3000, 2000, 1000)     # cluster.MAX_LINKED is 1500: what more or fewer linked windows change
# one reader each (their SOURCES.md); files by the same reading are left out (sonnets 2 and 3)
READERS = ("en_told_after_supper_ch1_jerome_librivox.mp3", "en_rhinoceros_skin_kipling_librivox.mp3",
           "en_columbia_address_bush_2003.wma", "fr_fleursdumal_115_les_petites_vieilles_librivox.mp3",
           "fr_fleursdumal_001_benediction_librivox.mp3",
           "fr_fleursdumal_145_les_litanies_de_satan_librivox.mp3",
           "fr_fleursdumal_121_danse_macabre_librivox.mp3", "fr_fleursdumal_039_un_fantome_librivox.mp3",
           "fr_fleursdumal_000_au_lecteur_librivox.mp3")
SHORT_READERS = ("en_sonnet001_librivox.mp3", "es_capitan_veneno_librivox.mp3", "fr_ej-fra_readalongs.m4a",
                 "en_jfk_ask_not.wav")


@contextmanager
def patched(module, name: str, value):
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def ami(hinted: bool) -> dict:
    from pipeline.audio import decode
    from pipeline.diarize import diarize_audio
    from pipeline.diarize.score import DER, der, read_rttm

    total, rows = DER(0, 0, 0, 0), []
    for rttm in sorted(DIARIZE_DATA.glob("*.rttm")):
        reference = read_rttm(rttm.read_text(encoding="utf-8"))
        audio = decode(rttm.with_suffix(".flac"), RATE)
        n = len({who for _, _, who in reference})
        started = time.perf_counter()
        found = diarize_audio(audio, hint=n if hinted else None)
        wall = time.perf_counter() - started
        score = der(reference, [(t.start, t.end, t.voice) for t in found.turns], len(audio) / RATE)
        total = total + score
        rows.append({"clip": rttm.stem.split("_first")[0].removeprefix("en_ami_"), "speakers": n,
                     "found": len(found.voices), "der": score.rate, "missed": score.missed,
                     "false_alarm": score.false_alarm, "confusion": score.confusion,
                     "reference_s": score.reference, "wall_s": wall})
    return {"clips": rows, "pooled_der": total.rate, "mean_der": float(np.mean([r["der"] for r in rows])),
            "count_right": sum(r["found"] == r["speakers"] for r in rows), "missed": total.missed,
            "overlap_missed": total.overlap_missed,
            "false_alarm": total.false_alarm, "confusion": total.confusion, "reference_s": total.reference}


def picovoice(engine) -> dict:
    from pipeline.audio import decode
    from pipeline.diarize import diarize_audio
    from pipeline.diarize.assign import label_transcript
    from pipeline.diarize.score import word_accuracy
    from pipeline.transcribe import transcribe_audio
    from tests.conftest import normalize_words

    audio = decode(SPEECH / "en_picovoice_three_speakers.wav", RATE)
    voiced = label_transcript(transcribe_audio(engine, audio, "en"), diarize_audio(audio))
    reference = json.loads((SPEECH / "en_picovoice_three_speakers.speakers.json").read_text())["words"]
    said = [((normalize_words(w.text) or [""])[0], seg.speaker) for seg in voiced.segments for w in seg.words]
    ref_words = [normalize_words(w["word"])[0] for w in reference]
    matcher = difflib.SequenceMatcher(None, ref_words, [w for w, _ in said], autojunk=False)
    pairs = [(b.a + k, b.b + k) for b in matcher.get_matching_blocks() for k in range(b.size)]
    return {"voices": len({s.speaker for s in voiced.segments}), "aligned_words": len(pairs),
            "reference_words": len(reference),
            "word_accuracy": word_accuracy([reference[i]["speaker_tag"] for i, _ in pairs],
                                           [said[j][1] for _, j in pairs])}


def session(minutes: float, seed: int = 7) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """Real readers taking turns: each recording cut into 20-90 s pieces, dealt out round by round in
    a shuffled order so that readers alternate, joined with short pauses (once all are used, they
    come round again); the reference is who reads each piece."""
    from pipeline.audio import decode

    rng = np.random.default_rng(seed)
    sources = [LONGFORM / f for f in READERS] + [SPEECH / f for f in SHORT_READERS]
    queues = []
    for path in sources:
        audio = decode(path, RATE)
        lengths = [int(rng.uniform(20, 90) * RATE) for _ in range(len(audio) // (20 * RATE) + 1)]
        bounds = np.cumsum([0, *lengths])
        queues.append([(path.stem, audio[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
                       if a < len(audio)])
    dealt = []
    while any(queues):
        dealt += [queues[k].pop(0) for k in rng.permutation(len(queues)) if queues[k]]
    parts, reference, t = [], [], 0.0
    for k in range(10 * len(dealt)):
        if t >= minutes * 60:
            break
        who, piece = dealt[k % len(dealt)]
        pause = np.zeros(int(rng.uniform(0.6, 2.0) * RATE), np.float32)
        reference.append((t, t + len(piece) / RATE, who))
        parts += [piece, pause]
        t += (len(piece) + len(pause)) / RATE
    return np.concatenate(parts).astype(np.float32), reference


def timed_session(engine, minutes: float) -> dict:
    from pipeline.diarize import cluster, diarize, embed, speech_turns
    from pipeline.diarize.assign import label_transcript
    from pipeline.diarize.score import der
    from pipeline.diarize.stage import recorded_turns
    from pipeline.transcribe import transcribe_audio

    audio, reference = session(minutes)
    hours = len(audio) / RATE / 3600
    print(f"session: {len(audio) / RATE / 60:.1f} min, {len({r[2] for r in reference})} readers; {load()}",
          flush=True)
    started = time.perf_counter()
    transcript = transcribe_audio(engine, audio, "auto")
    transcribe_s = time.perf_counter() - started
    print(f"transcribed in {transcribe_s:.0f} s; {load()}", flush=True)
    started = time.perf_counter()
    turns = recorded_turns(transcript)
    vad_s = 0.0
    if turns is None:                        # a transcript without its speech turns: the stage's own VAD
        turns = speech_turns(audio)
        vad_s = time.perf_counter() - started
    t_embed = time.perf_counter()
    embeddings = embed(audio, turns)
    embed_s = time.perf_counter() - t_embed
    t_cluster = time.perf_counter()
    found = diarize(embeddings, turns)
    label_transcript(transcript, found)
    cluster_s = time.perf_counter() - t_cluster
    diarize_s = time.perf_counter() - started
    score = der(reference, [(t.start, t.end, t.voice) for t in found.turns], len(audio) / RATE)
    linked = {}                 # the same embeddings clustered with fewer windows linked directly
    for most in LINKED:
        with patched(cluster, "MAX_LINKED", most):
            again = diarize(embeddings, turns)
        linked[most] = {"voices": len(again.voices), "der": der(
            reference, [(t.start, t.end, t.voice) for t in again.turns], len(audio) / RATE).rate}
    return {"audio_min": len(audio) / RATE / 60, "readers": len({r[2] for r in reference}),
            "linked": linked,
            "voices": len(found.voices), "windows": len(embeddings.spans), "der": score.rate,
            "transcribe_s": transcribe_s, "diarize_s": diarize_s, "vad_s": vad_s, "embed_s": embed_s,
            "cluster_s": cluster_s, "turns_from": "transcript" if vad_s == 0.0 else "own VAD",
            "ratio": diarize_s / transcribe_s, "diarize_s_per_hour": diarize_s / hours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--skip-session", action="store_true", help="only the accuracy figures")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    from pipeline.transcribe import load_engine

    out: dict = {}
    print(f"AMI excerpts, DER with a 0.25 s collar, overlap counted; {load()}")
    for hinted in (False, True):
        result = ami(hinted)
        out["ami_hint" if hinted else "ami"] = result
        print(f"\n{'with the true speaker count as hint' if hinted else 'no hint'}:")
        print(f"  {'clip':<9} {'spk':>3} {'found':>5} {'DER':>6} {'miss':>6} {'FA':>5} {'conf':>5}")
        for r in result["clips"]:
            print(f"  {r['clip']:<9} {r['speakers']:>3} {r['found']:>5} {r['der']:>6.3f} {r['missed']:>6.1f}"
                  f" {r['false_alarm']:>5.1f} {r['confusion']:>5.1f}")
        print(f"  pooled DER {result['pooled_der']:.3f} (mean of clips {result['mean_der']:.3f}); missed "
              f"{result['missed']:.1f} s ({result['overlap_missed']:.1f} s of it overlapped speech), "
              f"false alarm {result['false_alarm']:.1f} s, confusion "
              f"{result['confusion']:.1f} s of {result['reference_s']:.1f} s; speaker count right "
              f"{result['count_right']}/{len(result['clips'])}; {load()}")
    engine = load_engine("faster-whisper", "base")
    pico = picovoice(engine)
    out["picovoice"] = pico
    print(f"\nPicovoice three speakers: {pico['voices']} voices, word speaker accuracy "
          f"{pico['word_accuracy']:.3f} ({pico['aligned_words']}/{pico['reference_words']} words aligned)")
    if not args.skip_session:
        if not LONGFORM.is_dir():
            sys.exit(f"{LONGFORM} is missing: the session is built from its recordings (or --skip-session)")
        s = timed_session(engine, args.minutes)
        out["session"] = s
        print(f"\n{s['audio_min']:.1f}-minute session, {s['readers']} readers: transcribe "
              f"{s['transcribe_s']:.0f} s, diarize {s['diarize_s']:.1f} s (VAD {s['vad_s']:.1f}, encoder "
              f"{s['embed_s']:.1f} on "
              f"{s['windows']} windows, clustering and labelling {s['cluster_s']:.1f}; turns from "
              f"{s['turns_from']}) = {100 * s['ratio']:.1f}% of transcription; "
              f"{s['diarize_s_per_hour']:.0f} s per hour of audio; {s['voices']} voices found; "
              f"DER {s['der']:.3f}; {load()}")
        print("  with other numbers of windows linked directly (cluster.MAX_LINKED): " + ", ".join(
            f"{most}: {r['voices']} voices, DER {r['der']:.3f}" for most, r in s["linked"].items()))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
