"""Shared fixtures: real speech clips, a throwaway copy of the demo project, models loaded once."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SPEECH = DATA / "speech"


def normalize_words(text: str) -> list[str]:
    """Lowercase, strip punctuation (keeping letters with accents and apostrophes inside words)."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w\s']", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize_words(reference), normalize_words(hypothesis)
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / max(1, len(ref))


def referenced_speech() -> list[tuple[str, str, str]]:
    """(clip, language, reference file) for every speech fixture with a reference text: the
    .plain.txt (the text alone) where there is one, else the .ref.txt; the language is the name's prefix."""
    out = []
    for clip in sorted(p for p in SPEECH.iterdir() if p.suffix in (".wav", ".mp3", ".m4a", ".flac")):
        ref = next((r for r in (SPEECH / f"{clip.stem}.plain.txt", SPEECH / f"{clip.stem}.ref.txt")
                    if r.is_file()), None)
        if ref is not None:
            out.append((clip.name, clip.name.split("_", 1)[0], ref.name))
    return out


@pytest.fixture(scope="session")
def speech() -> Path:
    return SPEECH


@pytest.fixture(scope="session")
def whisper_engine():
    """The default engine and model, loaded once for the whole test session."""
    from pipeline.transcribe import load_engine
    return load_engine("faster-whisper", "base")


def copy_project(target: Path, episodes: list[str] | None = None) -> Path:
    """A copy of this repository's project files (show, glossary, chosen demo episodes)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("learninglab.toml", "artwork.png"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "glossary", target / "glossary")
    (target / "episodes").mkdir()
    for folder in sorted((ROOT / "episodes").iterdir()):
        if folder.is_dir() and (episodes is None or folder.name in episodes):
            shutil.copytree(folder, target / "episodes" / folder.name)
    return target


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The four demo sessions through `learninglab run` (real Whisper, real Apertium, published),
    once per test session. Read-only for tests: copy it (shutil.copytree) to change anything."""
    from click.testing import CliRunner

    from pipeline.cli import main

    root = copy_project(tmp_path_factory.mktemp("demo-run") / "project")
    result = CliRunner().invoke(main, ["--project", str(root), "run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def project_copy(tmp_path: Path):
    """Factory: copy_project into a fresh temporary folder."""
    return lambda episodes=None: copy_project(tmp_path / "project", episodes)


# --- translation (issue 3) ----------------------------------------------------------------------

TRANSLATE_DATA = DATA / "translate"
ARGOS_PAIRS = [("en", "es"), ("es", "en"), ("en", "fr"), ("fr", "en")]   # no es<->fr: that pivots via en


@pytest.fixture(scope="session", autouse=True)
def _no_personal_argos_packages(tmp_path_factory):
    """Tests never see argos packages installed on the developer's machine: by default the argos
    package folder is empty, so translation uses Apertium unless a test installs a package."""
    import os

    os.environ["ARGOS_PACKAGES_DIR"] = str(tmp_path_factory.mktemp("argos-none"))


def domain_sentences() -> list[tuple[str, list[str], str]]:
    """(language, English forms of the glossary entries inside, sentence) from tests/data/translate."""
    rows = []
    for line in (TRANSLATE_DATA / "domain_sentences.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line and not line.startswith("#") and not line.startswith("lang\t"):
            lang, entries, sentence = line.split("\t")
            rows.append((lang, entries.split(";"), sentence))
    return rows


@pytest.fixture(scope="session")
def argos_archives(tmp_path_factory) -> dict[str, Path]:
    """Real .argosmodel files built once per session (copy models, see tests/argos_builder.py):
    the four pairs, plus `rewrites-en-es` (mangles every placeholder: n-best cannot help) and
    `doubts-en-es` (mangles it, but the intact placeholder is the second-best hypothesis)."""
    from tests.argos_builder import build_copy_packages

    texts = [s for _, _, s in domain_sentences()] + ["XTERM0X XTERM1X XTERM2X XTERM3X XTERM10X"]
    variants = {"rewrites-en-es": {"pair": ("en", "es"), "rewrite": {"XTERM": "TERM"}},
                "doubts-en-es": {"pair": ("en", "es"), "rewrite": {"XTERM": "TERM"}, "doubt": 0.5}}
    return build_copy_packages(tmp_path_factory.mktemp("argos-archives"), ARGOS_PAIRS, texts, variants)


@pytest.fixture(scope="session")
def argos_dir(tmp_path_factory, argos_archives) -> Path:
    """An argos package folder with the four test pairs installed (as argospm would unpack them)."""
    from pipeline.translate.packages import install_file

    folder = tmp_path_factory.mktemp("argos-packages")
    for name, archive in argos_archives.items():
        if name.startswith("translate-"):
            install_file(archive, folder)
    return folder


@pytest.fixture
def use_argos(monkeypatch, argos_dir) -> Path:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(argos_dir))
    return argos_dir


def published_audio(site: Path, slug: str, low: bool = False) -> Path:
    """The published MP3 of an episode (its name carries a digest of its bytes), from its record."""
    import json

    record = json.loads((site / "episodes" / slug / "episode.json").read_text(encoding="utf-8"))
    return site / record["low" if low else "audio"]["path"]
