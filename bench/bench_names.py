#!/usr/bin/env python3
"""Glossary names: a hotword prompt against post-correction. Spelled right where said, invented where not?

    .venv/bin/python bench/bench_names.py [--pieces 40]

The espeak clip says "WomenStrong" twice and "Learning Lab" once (tests/data/synth); the real
speech (tests/data/speech and the first `--pieces` turns of tests/data/longform) says neither.
Each is transcribed by faster-whisper (base, beam 5, language given) three ways: with the names
as faster-whisper hotwords (the prompt learninglab used to give), plainly, and plainly followed by
learninglab's post-correction (pipeline/transcribe/cleanup.py: a name replaces the words that sound
like it). Printed: names spelled right in the espeak clip, and names (or their pieces, "Lab",
"Strong") that appear in real speech where the reference has none.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pieces", type=int, default=40)
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    from pipeline.audio import decode
    from pipeline.glossary import keep_names, load_glossary
    from pipeline.models import resolve_whisper
    from pipeline.transcribe.base import Timed
    from pipeline.transcribe.cleanup import correct_names
    from tests.sessions import load_pieces, piece_audio

    names = keep_names(load_glossary(ROOT / "glossary"))
    model = WhisperModel(str(resolve_whisper("base")), device="cpu", compute_type="int8")
    speech = ROOT / "tests" / "data" / "speech"
    clips = [(decode(speech / f), lang, (speech / ref).read_text(encoding="utf-8")) for f, lang, ref in (
        ("en_jfk_ask_not.wav", "en", "en_jfk_ask_not.ref.txt"),
        ("en_sonnet001_librivox.mp3", "en", "en_sonnet001_librivox.plain.txt"),
        ("es_capitan_veneno_librivox.mp3", "es", "es_capitan_veneno_librivox.plain.txt"),
        ("fr_ej-fra_readalongs.m4a", "fr", "fr_ej-fra_readalongs.ref.txt"),
        ("en_picovoice_three_speakers.wav", "en", "en_picovoice_three_speakers.ref.txt"))]
    clips += [(piece_audio(p), p.language, p.reference) for p in load_pieces()[:: max(1, 177 // args.pieces)]]
    pattern = re.compile(r"WomenStrong|Learning Lab|\bLab\b|\bStrong\b", re.IGNORECASE)

    def transcribe(audio, language, hotwords=None) -> str:
        segments, _ = model.transcribe(audio, language=language, beam_size=5, hotwords=hotwords,
                                       condition_on_previous_text=False)
        return " ".join(s.text.strip() for s in segments)

    def corrected(text: str) -> str:
        words = [Timed(0.0, 0.0, " " + w, 1.0) for w in text.split()]
        return "".join(w.text for w in correct_names(words, names)).strip()

    espeak = decode(ROOT / "tests" / "data" / "synth" / "womenstrong_espeak.wav")
    ways = {"hotword prompt": lambda a, lang: transcribe(a, lang, ", ".join(names)),
            "plain": lambda a, lang: transcribe(a, lang),
            "plain + post-correction": lambda a, lang: corrected(transcribe(a, lang))}
    print(f"{len(clips)} real clips/turns ({sum(len(a) for a, _, _ in clips) / 16000 / 60:.1f} min) that say "
          f"no name; names: {', '.join(names)}")
    print(f"{'way':<26} {'espeak: WomenStrong x2, Learning Lab':>38} {'names invented in real speech':>30}")
    for way, run in ways.items():
        said = run(espeak, "en")
        right = f"{said.count('WomenStrong')} / {said.count('Learning Lab')}"
        invented = []
        for audio, lang, reference in clips:
            found = pattern.findall(run(audio, lang))
            invented += [f for f in found if f.lower() not in reference.lower()]
        print(f"{way:<26} {right:>38} {len(invented):>30}  {invented[:6]}")


if __name__ == "__main__":
    main()
