"""Nothing outside the project is read or written, nothing is left behind, one writer at a time,
and the small honest messages of issue 12 (each with its exact line)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.project import Project
from pipeline.publish.site import publish
from tests.test_publish_support import CLIPS, copy_of, fixture_project, published_project, set_field

ALL = [c.slug for c in CLIPS]


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


@pytest.fixture
def published(tmp_path_factory, tmp_path) -> Path:
    return copy_of(published_project(tmp_path_factory), tmp_path / "project")


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder that is not part of the project, with a file a careless link could expose or destroy."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "diary.txt").write_text("private\n")
    return folder


# -- symlinks ------------------------------------------------------------------------------------

def test_a_recording_linked_from_outside_is_refused(published, outside):
    import shutil

    folder = published / "episodes" / "three-voices"
    recording = folder / "recording.wav"
    shutil.move(recording, outside / "recording.wav")
    recording.symlink_to(outside / "recording.wav")
    result = invoke(published, "check")
    assert result.exit_code == 1
    assert ("error: episodes/three-voices/recording.wav: field 'recording': is a link to a file outside the "
            "project — copy the recording itself into") in result.output


def test_an_episode_folder_linked_from_outside_is_refused(published, outside):
    import shutil

    shutil.move(published / "episodes" / "three-voices", outside / "three-voices")
    (published / "episodes" / "three-voices").symlink_to(outside / "three-voices")
    result = invoke(published, "check")
    assert ("error: episodes/three-voices: is a link that leaves the project folder — copy the episode "
            "folder itself into episodes/") in result.output


def test_artwork_linked_from_outside_is_refused(published, outside):
    import shutil

    shutil.move(published / "artwork.png", outside / "artwork.png")
    (published / "artwork.png").symlink_to(outside / "artwork.png")
    result = invoke(published, "publish")
    assert result.exit_code == 1
    assert ("error: learninglab.toml: field 'show.artwork': artwork 'artwork.png' is a link to a file "
            "outside the project — copy the image itself into the project folder") in result.output


def test_links_inside_the_site_are_removed_never_followed(published, outside):
    site = published / "output" / "site"
    (site / "episodes" / "elsewhere").symlink_to(outside)           # a folder link among the episodes
    pages = site / "en" / "three-voices"
    for page in pages.iterdir():                                      # the episode's own pages, linked away
        page.rename(outside / page.name)
    pages.rmdir()
    pages.symlink_to(outside)
    report = publish(Project.load(published), ready=ALL)
    assert not report.errors
    assert sorted(p.name for p in outside.iterdir()) == ["diary.txt", "index.html", "notes.md"]
    assert not (site / "episodes" / "elsewhere").exists()
    assert pages.is_dir() and not pages.is_symlink() and (pages / "index.html").is_file()
    assert "removed the link output/site/episodes/elsewhere (links are never followed)" in report.lines()


def test_an_output_folder_that_leaves_the_project_is_refused(published, outside):
    import shutil

    shutil.rmtree(published / "output")
    (published / "output").symlink_to(outside)
    result = invoke(published, "publish")
    assert result.exit_code == 1
    assert "error: output: is a link that leaves the project folder" in result.output
    assert sorted(p.name for p in outside.iterdir()) == ["diary.txt"]


# -- leftovers -----------------------------------------------------------------------------------

def test_a_deleted_episode_folder_takes_its_work_area_with_it(published):
    import shutil

    work = published / "output" / "episodes" / "three-voices"
    assert (work / "master" / "podcast.mp3").is_file()
    shutil.rmtree(published / "episodes" / "three-voices")
    result = invoke(published, "publish")
    assert "removed the work area of three-voices: its episode folder is gone" in result.output
    assert not work.exists()
    assert not (published / "output" / "site" / "episodes" / "three-voices").exists()
    assert "removed: three-voices" in result.output


def test_unlisted_transcript_pages_are_noindex(tmp_path_factory):
    site = published_project(tmp_path_factory) / "output" / "site"
    meta = '<meta name="robots" content="noindex">'
    assert meta in (site / "episodes" / "unlisted-call" / "transcript-original.html").read_text()
    assert meta not in (site / "episodes" / "three-voices" / "transcript-original.html").read_text()


def test_a_kept_episode_made_unlisted_stops_being_indexed_at_once(published):
    set_field(published / "episodes" / "three-voices" / "episode.toml", "status", '"unlisted"')
    report = publish(Project.load(published), ready=[c for c in ALL if c != "three-voices"])
    assert "three-voices" in report.kept
    site = published / "output" / "site"
    for page in [*site.glob("*/three-voices/index.html"), *site.glob("episodes/three-voices/*.html")]:
        assert '<meta name="robots" content="noindex">' in page.read_text(encoding="utf-8"), page
    assert "three-voices" not in (site / "sitemap.xml").read_text()


# -- one writer at a time --------------------------------------------------------------------------

def test_a_second_run_stops_at_once_naming_the_first(published):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pipeline.lock import project_lock\n"
         "with project_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)\n",
         str(published)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = invoke(published, "publish")
        assert time.monotonic() - started < 10
        assert result.exit_code == 1
        assert (f"error: another learninglab (PID {holder.pid}) is already working on this project — "
                "wait for it to finish, then run this again") in result.output
    finally:
        holder.kill()
        holder.wait()
    assert invoke(published, "publish").exit_code in (0, 1)     # released by the kernel: no stale lock
    assert "another learninglab" not in invoke(published, "publish").output


# -- small honest messages -------------------------------------------------------------------------

def test_a_byte_order_mark_is_read_as_the_editor_meant(tmp_path_factory, tmp_path):
    root = copy_of(fixture_project(tmp_path_factory), tmp_path / "project")
    spec = root / "episodes" / "three-voices" / "episode.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + spec.read_bytes())
    show = root / "learninglab.toml"
    show.write_bytes(b"\xef\xbb\xbf" + show.read_bytes())
    found = Project.load(root).episodes()
    assert not found.errors and "three-voices" in {e.slug for e in found.episodes}


def test_a_folder_named_like_the_model_is_not_the_model(tmp_path, monkeypatch):
    from pipeline import models
    from pipeline.errors import LearningLabError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "base").mkdir()                         # someone's own folder called base/
    assert models.resolve_whisper("base", allow_download=False) == models.whisper_dir("base")
    with pytest.raises(LearningLabError, match="model folder not found"):
        models.resolve_whisper("./small-model", allow_download=False)


def test_list_markers_in_notes_markdown_are_escaped_where_markdown_allows():
    from pipeline.publish.render import md_escape

    assert md_escape("1. First, we met.") == "1\\. First, we met."
    assert md_escape("12) then") == "12\\) then"
    assert md_escape("- a dash") == "\\- a dash"
    assert md_escape("2026 was the year") == "2026 was the year"


def test_xml_illegal_characters_from_an_engine_never_reach_lxml():
    import datetime as dt

    from pipeline.publish.feeds import build_feed
    from pipeline.publish.record import EpisodeRecord, LangRecord, Media
    from pipeline.show import load_show
    from tests.conftest import ROOT

    show = load_show(ROOT)
    bad = "Noise\ufffe in \uffff the\x0b summary"
    record = EpisodeRecord("s", "11111111-2222-4333-8444-555555555555", dt.date(2026, 1, 1), "public", False,
                           None, None, 10.0, "en", (), Media("a.mp3", 10, "audio/mpeg"),
                           Media("b.mp3", 5, "audio/mpeg"),
                           {lang: LangRecord(bad, bad, f"{lang}/s", (), summary=bad)
                            for lang in show.languages})
    feed = build_feed(show, "en", [record], "artwork.png").decode("utf-8")
    assert "Noise in  the summary" in feed and "\ufffe" not in feed and "\uffff" not in feed
