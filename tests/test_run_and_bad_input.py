"""`learninglab run` end to end on a small project: skipping, isolation, and every bad input."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import SPEECH, copy_project

GOOD_GUID = "0b7a3c4e-1111-4222-8333-944455556666"
GOOD = """title = "Ask not"
date = 2026-01-01
recording = "jfk.wav"
language = "auto"
guid = "0b7a3c4e-1111-4222-8333-944455556666"
"""


def invoke(project: Path, *args: str):
    result = CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)
    return result


def add_episode(project: Path, slug: str, toml: str, files: dict[str, bytes | Path]) -> Path:
    """An episode folder; the placeholder guid of GOOD becomes one of its own (guids are unique)."""
    folder = project / "episodes" / slug
    folder.mkdir(parents=True)
    toml = toml.replace(GOOD_GUID, str(uuid.uuid5(uuid.NAMESPACE_URL, slug)))
    (folder / "episode.toml").write_text(toml, encoding="utf-8")
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, folder / name)
        else:
            (folder / name).write_bytes(content)
    return folder


def jfk_episode(project: Path, slug: str = "good-one") -> Path:
    return add_episode(project, slug, GOOD, {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"})


# Each bad case: episode slug, episode.toml text, files, and what the one-line error must name.
SONNET = (SPEECH / "en_sonnet001_librivox.mp3").read_bytes()
BAD = {
    "missing-recording": (GOOD, {}, ["jfk.wav", "field 'recording'", "recording not found"]),
    "empty-file": (GOOD, {"jfk.wav": b""}, ["jfk.wav", "field 'recording'", "empty"]),
    "text-as-mp3": (GOOD.replace("jfk.wav", "talk.mp3"), {"talk.mp3": b"minutes of the call\n" * 20},
                    ["talk.mp3", "field 'recording'", "not a readable audio file"]),
    "truncated-mp3": (GOOD.replace("jfk.wav", "cut.mp3"), {"cut.mp3": SONNET[: len(SONNET) // 3]},
                      ["cut.mp3", "field 'recording'", "truncated"]),
    "malformed-toml": ('title = "Unclosed\ndate = 2026-01-01\n', {},
                       ["episode.toml", "field 'title'", "no closing quote"]),
    "unknown-language": (GOOD.replace('"auto"', '"de"'), {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"},
                         ["episode.toml", "field 'language'", "unknown language code 'de'"]),
    "escaping-slug": ('slug = "../../etc"\n' + GOOD, {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"},
                      ["episode.toml", "field 'slug'", "invalid slug"]),
    "duplicate-b": ('slug = "duplicate-a"\n' + GOOD, {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"},
                    ["duplicate-b/episode.toml", "field 'slug'", "duplicate slug 'duplicate-a'"]),
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("bad") / "project", episodes=[])
    jfk_episode(project)
    add_episode(project, "duplicate-a", GOOD, {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"})
    for slug, (toml, files, _) in BAD.items():
        add_episode(project, slug, toml, files)
    before = {p: p.read_bytes() for p in (project / "episodes").rglob("*") if p.is_file()}
    result = invoke(project, "run")
    return project, result, before


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("slug", sorted(BAD))
def test_bad_input_gives_one_clear_line(bad_run, slug):
    project, result, _ = bad_run
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    needles = BAD[slug][2]
    matching = [line for line in error_lines(result) if all(n in line for n in needles)]
    assert matching, f"no error line with {needles} in:\n{result.output}"
    assert all(line.count("\n") == 0 for line in matching)


def test_good_episode_finishes_despite_the_bad_ones(bad_run):
    project, result, _ = bad_run
    work = project / "output" / "episodes" / "good-one"
    for name in ("master/podcast.mp3", "master/podcast-low.mp3", "transcribe/transcript.json",
                 "transcribe/transcript.vtt", "transcribe/transcript.srt", "transcribe/transcript.txt"):
        assert (work / name).stat().st_size > 0, name


def test_nothing_half_written_and_recordings_untouched(bad_run):
    project, _, before = bad_run
    for slug in ("text-as-mp3", "truncated-mp3"):
        work = project / "output" / "episodes" / slug
        assert not (work / "master").exists() and not (work / "transcribe").exists()
    leftovers = [p for p in (project / "output").rglob("*") if ".tmp" in p.name or p.name.endswith(".old")]
    assert leftovers == []
    after = {p: p.read_bytes() for p in (project / "episodes").rglob("*") if p.is_file()}
    assert after == before


def test_duplicate_slugs_run_neither(bad_run):
    project, _, _ = bad_run
    assert not (project / "output" / "episodes" / "duplicate-a").exists()


def test_status_reports_failures(bad_run):
    project, _, _ = bad_run
    result = invoke(project, "status")
    assert "good-one" in result.output and "failed" in result.output
    assert result.exit_code == 1       # broken specs are reported


@pytest.fixture(scope="module")
def good_project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("good") / "project", episodes=[])
    jfk_episode(project)
    first = invoke(project, "run")
    assert first.exit_code == 0, first.output
    return project


def state_times(project: Path) -> dict[str, str]:
    states = project / "output" / "episodes" / "good-one" / ".state"
    return {p.stem: p.read_text() for p in states.glob("*.json")}


def test_rerun_with_nothing_changed_runs_no_stage(good_project):
    before = state_times(good_project)
    result = invoke(good_project, "run")
    assert result.exit_code == 0
    assert ": ran" not in result.output
    assert state_times(good_project) == before


def test_new_title_does_not_rerun_transcription(good_project):
    spec = good_project / "episodes" / "good-one" / "episode.toml"
    spec.write_text(spec.read_text().replace("Ask not", "Ask not, retitled"))
    transcript = good_project / "output" / "episodes" / "good-one" / "transcribe" / "transcript.json"
    stamp = transcript.stat().st_mtime_ns
    result = invoke(good_project, "run")
    assert result.exit_code == 0
    assert "master: ran" in result.output and "transcribe: up to date" in result.output
    assert transcript.stat().st_mtime_ns == stamp


def test_a_crash_midway_leaves_the_old_outputs_and_the_rerun_finishes(good_project, monkeypatch):
    from pipeline import audio

    work = good_project / "output" / "episodes" / "good-one"
    old = (work / "master" / "podcast.mp3").read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(audio, "export_mp3", crash)
    interrupted = invoke(good_project, "run", "--force")     # Ctrl-C in the middle of mastering
    assert interrupted.exit_code != 0
    assert (work / "master" / "podcast.mp3").read_bytes() == old
    assert [p for p in work.rglob("*") if ".tmp" in p.name] == []
    monkeypatch.undo()
    result = invoke(good_project, "run")
    assert result.exit_code == 0, result.output


def test_new_scaffolds_an_episode(good_project):
    result = invoke(good_project, "new", "2026-04-peer-call", "--recording",
                    str(SPEECH / "en_picovoice_quilter.wav"), "--title", "Peer call")
    assert result.exit_code == 0, result.output
    folder = good_project / "episodes" / "2026-04-peer-call"
    assert (folder / "recording.wav").read_bytes() == (SPEECH / "en_picovoice_quilter.wav").read_bytes()
    from pipeline.episode import load_episode
    spec = load_episode(folder)
    assert spec.language == "auto" and spec.title == "Peer call" and spec.guid and spec.status == "draft"
    jfk = str(SPEECH / "en_jfk_ask_not.wav")
    again = invoke(good_project, "new", "2026-04-peer-call", "--recording", jfk)
    assert again.exit_code == 1 and "already exists" in again.output
    bad = invoke(good_project, "new", "../escape", "--recording", jfk)
    assert bad.exit_code == 1 and "invalid slug" in bad.output
