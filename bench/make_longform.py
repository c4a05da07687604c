#!/usr/bin/env python3
"""Rebuild tests/data/longform/: real read speech cut into speaker turns, each with its own reference text.

    .venv/bin/python bench/make_longform.py [--fixtures ../shared/fixtures/longform]

What it does, once, offline (the output is committed; the tests and benches only read it):

1. Each long recording of the fixtures (LibriVox readings with their book text) is transcoded to
   Ogg Opus, 16 kHz mono, 20 kbit/s (`NAME.opus`) so the copy stays small; the speech clips of
   tests/data/speech are used as they are.
2. Each recording is cut at pauses (Silero VAD, pauses of at least 0.3 s, cut in their middle)
   into pieces of 4-25 s, like the turns of a call.
3. The human reference of the recording is split between its pieces: each piece is transcribed
   alone (faster-whisper, language given), the concatenated hypotheses are aligned to the
   reference words (edit distance), and each reference word goes to the piece its aligned word
   came from. Only the split points come from the machine; the words are the human text. Pieces
   that receive no reference word are dropped; a piece whose reference holds fewer than half the
   words said alone (LibriVox's spoken preamble: "Ceci est un enregistrement LibriVox...", which
   the book text does not hold) is kept as speech but marked unscored.

The result is `pieces.tsv`: file, start, end, language, source id, scored (1/0), reference text.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "tests" / "data" / "longform"
SPEECH = ROOT / "tests" / "data" / "speech"
LONG = {  # fixture recording -> (language, reference file)
    "en_told_after_supper_ch1_jerome_librivox.mp3":
        ("en", "en_told_after_supper_ch1_jerome_librivox.ref.txt"),
    "en_rhinoceros_skin_kipling_librivox.mp3": ("en", "en_rhinoceros_skin_kipling_librivox.ref.txt"),
    "en_sonnet002_librivox.mp3": ("en", "en_sonnet002_librivox.plain.txt"),
    "en_sonnet003_librivox.mp3": ("en", "en_sonnet003_librivox.plain.txt"),
    "fr_fleursdumal_000_au_lecteur_librivox.mp3": ("fr", "fr_fleursdumal_000_au_lecteur_librivox.ref.txt"),
    "fr_fleursdumal_001_benediction_librivox.mp3": ("fr", "fr_fleursdumal_001_benediction_librivox.ref.txt"),
    "fr_fleursdumal_039_un_fantome_librivox.mp3": ("fr", "fr_fleursdumal_039_un_fantome_librivox.ref.txt"),
    "fr_fleursdumal_115_les_petites_vieilles_librivox.mp3":
        ("fr", "fr_fleursdumal_115_les_petites_vieilles_librivox.ref.txt"),
    "fr_fleursdumal_121_danse_macabre_librivox.mp3":
        ("fr", "fr_fleursdumal_121_danse_macabre_librivox.ref.txt"),
    "fr_fleursdumal_145_les_litanies_de_satan_librivox.mp3":
        ("fr", "fr_fleursdumal_145_les_litanies_de_satan_librivox.ref.txt"),
}
SHORT = {  # tests/data/speech clip -> (language, reference file); cut only when longer than 25 s
    "en_jfk_ask_not.wav": ("en", "en_jfk_ask_not.ref.txt"),
    "en_picovoice_quilter.wav": ("en", "en_picovoice_quilter.ref.txt"),
    "en_picovoice_three_speakers.wav": ("en", "en_picovoice_three_speakers.ref.txt"),
    "en_sonnet001_librivox.mp3": ("en", "en_sonnet001_librivox.plain.txt"),
    "es_capitan_veneno_librivox.mp3": ("es", "es_capitan_veneno_librivox.plain.txt"),
    "fr_ej-fra_readalongs.m4a": ("fr", "fr_ej-fra_readalongs.ref.txt"),
}
MIN_PIECE, MAX_PIECE = 4.0, 25.0
RATE = 16000


def transcode(source: Path, target: Path) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(source),
                    "-map_metadata", "-1", "-ac", "1", "-ar", "16000", "-c:a", "libopus", "-b:a", "20k",
                    str(target)], check=True)


def cut_points(audio, rng: random.Random) -> list[tuple[float, float]]:
    """Pieces of 4-25 s that start and end in the middle of pauses of at least 0.3 s."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300, speech_pad_ms=0))
    spans = [(s["start"] / RATE, s["end"] / RATE) for s in stamps]
    total = len(audio) / RATE
    pieces: list[tuple[float, float]] = []
    start = max(0.0, spans[0][0] - 0.15)
    target = rng.uniform(MIN_PIECE, MAX_PIECE)
    for i, (_, end) in enumerate(spans):
        nxt = spans[i + 1][0] if i + 1 < len(spans) else None
        length = end - start
        if nxt is None:
            pieces.append((start, min(total, end + 0.15)))
            break
        after = spans[i + 1][1] - start
        if length >= target or after > MAX_PIECE:
            if length >= MIN_PIECE or after > MAX_PIECE:
                cut = (end + nxt) / 2
                pieces.append((start, cut))
                start = cut
                target = rng.uniform(MIN_PIECE, MAX_PIECE)
    return [(round(a, 3), round(b, 3)) for a, b in pieces]


def split_reference(reference: str, hypotheses: list[str]) -> list[str]:
    """Give each reference word to the piece whose hypothesis word it aligns with (edit distance)."""
    from tests.conftest import normalize_words

    ref_tokens = reference.split()
    ref_norm = [" ".join(normalize_words(t)) for t in ref_tokens]
    hyp, owner = [], []
    for i, text in enumerate(hypotheses):
        words = normalize_words(text)
        hyp += words
        owner += [i] * len(words)
    n, m = len(ref_norm), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            same = ref_norm[i - 1] == hyp[j - 1] or not ref_norm[i - 1]
            cost[i][j] = min(cost[i - 1][j - 1] + (0 if same else 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    assigned = [0] * n
    i, j, last = n, m, len(hypotheses) - 1
    while i > 0:
        if j > 0:
            same = ref_norm[i - 1] == hyp[j - 1] or not ref_norm[i - 1]
            if cost[i][j] == cost[i - 1][j - 1] + (0 if same else 1):
                last = owner[j - 1]
                assigned[i - 1] = last
                i, j = i - 1, j - 1
                continue
            if cost[i][j] == cost[i][j - 1] + 1:
                j -= 1
                continue
        assigned[i - 1] = last if j > 0 else owner[0] if owner else 0
        i -= 1
    out = [[] for _ in hypotheses]
    for token, piece in zip(ref_tokens, assigned, strict=True):
        out[piece].append(token)
    return [" ".join(words) for words in out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT.parent / "shared" / "fixtures" / "longform")
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    from pipeline.audio import decode
    from pipeline.models import resolve_whisper

    model = WhisperModel(str(resolve_whisper("base")), device="cpu", compute_type="int8")
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(9)
    rows = ["file\tstart\tend\tlanguage\tsource\tscored\treference"]
    sources = [(OUT / Path(name).with_suffix(".opus").name, lang, args.fixtures / ref, args.fixtures / name)
               for name, (lang, ref) in LONG.items()]
    sources += [(SPEECH / name, lang, SPEECH / ref, None) for name, (lang, ref) in SHORT.items()]
    for path, lang, ref, original in sources:
        if original is not None and not path.exists():
            transcode(original, path)
        audio = decode(path, RATE)
        reference = " ".join(ref.read_text(encoding="utf-8").split())
        pieces = cut_points(audio, rng) if len(audio) / RATE > MAX_PIECE else [(0.0, len(audio) / RATE)]
        hypotheses = []
        for a, b in pieces:
            segments, _ = model.transcribe(audio[int(a * RATE):int(b * RATE)], language=lang, beam_size=5,
                                           vad_filter=False, condition_on_previous_text=False)
            hypotheses.append(" ".join(s.text.strip() for s in segments))
        texts = split_reference(reference, hypotheses)
        where = path.relative_to(ROOT / "tests" / "data")
        for (a, b), text, said in zip(pieces, texts, hypotheses, strict=True):
            if text:
                scored = int(len(text.split()) >= 0.5 * len(said.split()))
                rows.append(f"{where}\t{a:.3f}\t{b:.3f}\t{lang}\t{path.stem}\t{scored}\t{text}")
        print(f"{path.name}: {len(pieces)} pieces, {sum(1 for t in texts if t)} with reference", flush=True)
    (OUT / "pieces.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
