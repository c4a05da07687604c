"""Edges of the command line found in review: each a clear one-line error, never a traceback."""

from __future__ import annotations

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.episode import load_episode
from tests.conftest import SPEECH, copy_project


def invoke(project, *args, **kwargs):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False, **kwargs)


def test_translate_text_refuses_non_utf8_input(tmp_path):
    project = copy_project(tmp_path / "project", episodes=[])
    latin1 = tmp_path / "boletin.txt"
    latin1.write_bytes("Educación de las niñas".encode("latin-1"))
    result = invoke(project, "translate-text", "--from", "es", "--to", "en", str(latin1))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "boletin.txt: is not UTF-8 text — save it as UTF-8" in result.output


def test_serve_rejects_an_impossible_port(tmp_path):
    project = copy_project(tmp_path / "project", episodes=[])
    result = invoke(project, "serve", "--port", "99999")
    assert result.exit_code == 2 and "99999 is not in the range 0<=x<=65535" in result.output


def test_new_writes_valid_toml_whatever_the_title(tmp_path):
    project = copy_project(tmp_path / "project", episodes=[])
    title = 'Call "A"\\B, line one\nline two'
    result = invoke(project, "new", "odd-title", "--recording", str(SPEECH / "en_jfk_ask_not.wav"),
                    "--title", title)
    assert result.exit_code == 0, result.output
    assert load_episode(project / "episodes" / "odd-title").title == title


def test_check_accepts_a_withdrawn_episode_without_its_recording(tmp_path):
    project = copy_project(tmp_path / "project", episodes=["demo-sonnet-reading"])
    spec = project / "episodes" / "demo-sonnet-reading" / "episode.toml"
    spec.write_text(spec.read_text().replace('status = "public"', 'status = "withdrawn"'))
    (project / "episodes" / "demo-sonnet-reading" / "recording.mp3").unlink()
    result = invoke(project, "check")
    assert result.exit_code == 0, result.output
