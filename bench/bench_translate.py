"""Batched argos translation (learninglab: CTranslate2 + SentencePiece directly) against
argostranslate's own `translate()`, on the same package and the same segments, in one run.

    .venv/bin/pip install argostranslate onnx      # the peer, and onnx to build its sentence splitter
    .venv/bin/python bench/bench_translate.py [--segments 500] [--threads N]

The package has the size of a real argos model (transformer-base: 6+6 layers, d_model 512, 8 heads,
feed-forward 2048, a 32k SentencePiece vocabulary, int8 like argos's own packages) with random
weights; its decoder ends every hypothesis after as many steps as the median source segment has
tokens, so both sides decode exactly the same number of steps. Each side runs in a fresh process:
"startup" is imports + loading the package + one short warm-up translation. The package is built
once into the model cache (~/.cache/learninglab/models/bench/). Both use beam 4, length penalty 0.2,
compute type "auto" and the same number of CPU threads.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAIR = ("en", "es")
VOCAB = 32000


def _words(seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    syllables = [a + b for a in "bcdfghjklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ai", "ou", "ie")]
    return sorted({"".join(rnd.choice(syllables) for _ in range(rnd.randint(1, 4))) for _ in range(120_000)})


def _segments(words: list[str], count: int, seed: int = 5) -> list[str]:
    """Transcript-like segments: 12-18 words, one sentence each."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        sentence = " ".join(rnd.choice(words) for _ in range(rnd.randint(12, 18)))
        out.append(sentence[:1].upper() + sentence[1:] + ".")
    return out


def build(cache: Path, count: int) -> tuple[Path, list[str], int]:
    """The benchmark package (built once) and the segments."""
    from tests.argos_builder import (
        minisbd_model,
        random_model,
        train_sentencepiece,
        vocabulary,
        write_package,
    )

    words = _words()
    segments = _segments(words, count)
    cache.mkdir(parents=True, exist_ok=True)
    sp_model = cache / "sp.model"
    if not sp_model.is_file():
        rnd = random.Random(1)
        lines = (" ".join(rnd.choice(words) for _ in range(12)) for _ in range(60_000))
        with tempfile.TemporaryDirectory() as tmp:
            trained = train_sentencepiece(Path(tmp), lines, VOCAB, model_type="bpe")
            sp_model.write_bytes(trained.read_bytes())
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    steps = int(statistics.median(len(sp.encode(s)) for s in segments)) + 1     # + </s>
    archive = cache / f"translate-{PAIR[0]}_{PAIR[1]}-base_random_{steps}.argosmodel"
    if not archive.is_file():
        print(f"building the transformer-base package (decoding stops after {steps} steps)...", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            sbd = minisbd_model(Path(tmp) / f"{PAIR[0]}.onnx", PAIR[0])
            write_package(cache, *PAIR, random_model(VOCAB, steps), sp_model, vocabulary(sp_model),
                          archive.stem, quantization="int8", extra_files={f"minisbd/{PAIR[0]}.onnx": sbd})
    return archive, segments, steps


# -- the two sides, each in its own process --------------------------------------------------------

def run_ours(package_dir: Path, segments: list[str]) -> dict:
    started = time.perf_counter()
    from pipeline.translate.argos import ArgosEngine
    from pipeline.translate.packages import read_package

    engine = ArgosEngine(read_package(package_dir))
    engine.translate(["Warm up."])
    ready = time.perf_counter()
    outputs = engine.translate(segments)
    return {"startup": ready - started, "seconds": time.perf_counter() - ready, "outputs": outputs}


def run_argos(segments: list[str]) -> dict:
    started = time.perf_counter()
    import argostranslate.translate as argos

    argos.translate("Warm up.", *PAIR)
    ready = time.perf_counter()
    outputs = [argos.translate(s, *PAIR) for s in segments]
    return {"startup": ready - started, "seconds": time.perf_counter() - ready, "outputs": outputs}


def worker(kind: str, package_dir: Path, segments_file: Path, out: Path) -> None:
    segments = json.loads(segments_file.read_text())
    result = run_ours(package_dir, segments) if kind == "ours" else run_argos(segments)
    out.write_text(json.dumps(result))


def site_size(*names: str) -> float:
    """Megabytes installed for these distributions' top-level packages."""
    import importlib.util

    total = 0
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                total += sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return total / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segments", type=int, default=500)
    parser.add_argument("--threads", type=int, default=min(os.cpu_count() or 1, 8))
    parser.add_argument("--worker", choices=["ours", "argos"], help=argparse.SUPPRESS)
    parser.add_argument("--package-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--segments-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.package_dir, args.segments_file, args.out)
        return

    from pipeline.models import cache_root

    archive, segments, steps = build(cache_root() / "bench", args.segments)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        packages = tmp / "argos-packages"
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(packages)
        package_dir = next(p for p in packages.iterdir() if p.is_dir())
        (tmp / "segments.json").write_text(json.dumps(segments))
        env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages), ARGOS_INTRA_THREADS=str(args.threads),
                   XDG_DATA_HOME=str(tmp / "data"), XDG_CACHE_HOME=str(tmp / "cache"),
                   XDG_CONFIG_HOME=str(tmp / "config"), OMP_NUM_THREADS=str(args.threads))
        results = {}
        for kind in ("ours", "argos"):
            print(f"running {kind}...", flush=True)
            subprocess.run([sys.executable, __file__, "--worker", kind, "--package-dir", str(package_dir),
                            "--segments-file", str(tmp / "segments.json"),
                            "--out", str(tmp / f"{kind}.json")],
                           env=env, check=True)
            results[kind] = json.loads((tmp / f"{kind}.json").read_text())

    ours, peer = results["ours"], results["argos"]
    same = sum(a == b for a, b in zip(ours["outputs"], peer["outputs"], strict=True))
    n = len(segments)
    print(f"\npackage: {archive.name} ({archive.stat().st_size / 1e6:.0f} MB, transformer-base, "
          "32k vocab, int8)")
    print(f"segments: {n}, decoding {steps} steps each (median source length), beam 4, "
          f"{args.threads} threads")
    print(f"{'':24}{'startup (s)':>12}{'translate (s)':>15}{'segments/s':>12}")
    for name, r in (("learninglab (batched)", ours), ("argostranslate", peer)):
        print(f"{name:24}{r['startup']:12.2f}{r['seconds']:15.2f}{n / r['seconds']:12.1f}")
    print(f"throughput ratio: {peer['seconds'] / ours['seconds']:.1f}x (goal: at least 3x); "
          f"startup ratio: {peer['startup'] / ours['startup']:.1f}x")
    print(f"identical outputs: {same}/{n}")
    print(f"argostranslate's extra installs: torch {site_size('torch'):.0f} MB, spacy+thinc "
          f"{site_size('spacy', 'thinc'):.0f} MB, stanza {site_size('stanza'):.0f} MB")


if __name__ == "__main__":
    main()
