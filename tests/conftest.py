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


@pytest.fixture
def project_copy(tmp_path: Path):
    """Factory: copy_project into a fresh temporary folder."""
    return lambda episodes=None: copy_project(tmp_path / "project", episodes)
