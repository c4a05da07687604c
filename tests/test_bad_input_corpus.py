"""The bad-input corpus (tests/data/bad/): every mistake gives its exact one-line error, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import DATA, SPEECH, copy_project

CORPUS = DATA / "bad"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
PROJECT_CASES = [c for c in CASES if not (CORPUS / c / "COMMAND").exists()]


def command(case: str) -> list[str]:
    """`learninglab check`, or the command the case names (e.g. `glossary import partner.tbx`)."""
    spec = CORPUS / case / "COMMAND"
    return spec.read_text().split() if spec.exists() else ["check"]

BASE_EPISODE = '''title = "Ask not"
date = 2026-01-01
recording = "jfk.wav"
language = "auto"
status = "public"
guid = "0b7a3c4e-1111-4222-8333-944455556666"
'''


def build(case: str, target: Path) -> Path:
    project = copy_project(target, episodes=[])
    (project / "episodes" / "ok").mkdir()
    (project / "episodes" / "ok" / "episode.toml").write_text(BASE_EPISODE)
    shutil.copy(SPEECH / "en_jfk_ask_not.wav", project / "episodes" / "ok" / "jfk.wav")
    source = CORPUS / case
    for path in source.rglob("*"):
        if path.is_file() and path.name not in ("expected.txt", "REMOVE", "COMMAND"):
            dest = project / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest)
    if (source / "REMOVE").exists():
        for rel in (source / "REMOVE").read_text().split():
            (project / rel).unlink()
    return project


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25
    kinds = {c.split("-")[0] for c in CASES}
    assert {"audio", "episode", "glossary", "show"} <= kinds
    assert any("tbx" in c for c in CASES) and any(c.startswith("glossary-") and "tbx" not in c for c in CASES)


@pytest.mark.parametrize("case", CASES)
def test_check_prints_the_exact_error_line(case, tmp_path, monkeypatch):
    project = build(case, tmp_path / "project")
    monkeypatch.chdir(project)          # files named on the command line are relative to the project
    result = CliRunner().invoke(main, ["--project", str(project), *command(case)], catch_exceptions=False)
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").strip()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"error: {expected}" in result.output.splitlines(), result.output


@pytest.mark.parametrize("case", PROJECT_CASES)
def test_run_fails_cleanly(case, tmp_path):
    project = build(case, tmp_path / "project")
    result = CliRunner().invoke(main, ["--project", str(project), "run"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert any(line.startswith("error: ") for line in result.output.splitlines())
