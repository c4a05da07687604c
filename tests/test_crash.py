"""Crash safety: `learninglab run` killed (SIGKILL) at 20 seeded random moments.

After every kill the published site must be whole: every feed, page and JSON parses, every
media file decodes to its full length, every enclosure and transcript a feed names exists with
its exact length, every page link resolves. The final rerun must finish the job.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pipeline.audio import decode
from pipeline.project import Project
from tests.conftest import SPEECH, copy_project
from tests.test_publish import read_page
from tests.test_run_and_bad_input import GOOD, add_episode

KILLS = 20
SEED = 20261128
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def is_temporary(path: Path) -> bool:
    """An atomic write's temporary file (hidden, never linked); publish sweeps leftovers away."""
    return path.name.startswith(".") and (path.name.endswith(".tmp") or ".tmp" in path.name)


def local_path(site: Path, base_url: str, url: str) -> Path:
    assert url.startswith(base_url), url
    return site / urlparse(url).path[len(urlparse(base_url).path):]


def assert_site_is_whole(project: Path) -> int:
    site = project / "output" / "site"
    if not site.exists():
        return 0
    base_url = Project.load(project).show.base_url
    files = [p for p in site.rglob("*") if p.is_file() and not is_temporary(p)]
    for path in files:
        if path.suffix == ".xml":
            channel = ET.parse(path).getroot().find("channel")      # every XML file parses
            for item in [] if channel is None else channel.findall("item"):   # feeds: every link
                enclosure = item.find("enclosure")
                media = local_path(site, base_url, enclosure.get("url"))
                assert media.stat().st_size == int(enclosure.get("length")), media
                for transcript in item.findall(f"{PODCAST}transcript"):
                    assert local_path(site, base_url, transcript.get("url")).is_file()
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            assert text.rstrip().endswith("</html>") or "<html" not in text, path
            for link in read_page(path).links:
                if not link.startswith("#"):
                    assert (path.parent / link.split("#")[0]).resolve().is_file(), (path, link)
        elif path.suffix == ".mp3":
            decode(path, 8000)          # raises on a truncated file
    return len(files)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("crash") / "project", episodes=[])
    add_episode(root, "ask-not", GOOD, {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"})
    add_episode(root, "quilter", GOOD.replace("jfk.wav", "q.wav").replace("2026-01-01", "2026-01-02"),
                {"q.wav": SPEECH / "en_picovoice_quilter.wav"})
    return root


def run(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--project", str(project), "-q", "run", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def retitle(project: Path, take: int) -> str:
    """A new title re-masters the audio and republishes pages, feeds and media: work to interrupt."""
    spec = project / "episodes" / "ask-not" / "episode.toml"
    title = f"Ask not, take {take}"
    spec.write_text(re.sub(r'(?m)^title = ".*"$', f'title = "{title}"', spec.read_text()))
    return title


def timed_run(project: Path, *args: str) -> float:
    started = time.monotonic()
    process = run(project, *args)
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()
    return time.monotonic() - started


def test_kill_at_random_moments_then_finish(project):
    timed_run(project)                                   # first publication
    retitle(project, 0)
    spans = {"": timed_run(project), "--force": timed_run(project, "--force")}
    rng = random.Random(SEED)
    interrupted = 0
    for kill in range(1, KILLS + 1):
        title = retitle(project, kill)
        args = ("--force",) if kill % 3 == 0 else ()     # every third kill lands inside the stages
        process = run(project, *args)
        # within the first 70 % of a run's measured span: a run timed on a busier moment than this
        # one's finishes before the kill (13 of 20 interrupted once on a loaded CI machine)
        time.sleep(rng.uniform(0.2, 0.7 * spans[" ".join(args)]))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)       # the run and its ffmpeg/apertium children
            interrupted += 1
        process.wait()
        assert_site_is_whole(project)
    timed_run(project)
    assert assert_site_is_whole(project) > 20
    site = project / "output" / "site"
    assert [p for p in site.rglob("*") if is_temporary(p)] == []
    feed = (site / "en" / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<item>") == 2 and title in feed
    assert interrupted >= KILLS * 3 // 4                 # the kills really interrupted work


def test_leftovers_of_a_killed_write_are_swept(tmp_path):
    from pipeline import atomic

    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    (site / "en" / "feed.xml").write_text("<rss/>")
    (site / "en" / ".feed.xml.k2j3.tmp").write_text("<rss><chan")      # killed mid-write
    (site / "episodes" / ".master.x1.tmp").mkdir(parents=True)           # killed mid-stage
    (site / "episodes" / ".master.x1.tmp" / "podcast.mp3").write_bytes(b"ID3")
    (site / ".hidden-by-user").write_text("kept")
    assert atomic.sweep(site) == 2
    assert sorted(p.name for p in site.rglob("*")) == [".hidden-by-user", "en", "episodes", "feed.xml"]
