"""The portal in a real browser: Debian's headless chromium, driven by playwright-core (tests/js/portal.js),
opens the site that `learninglab serve` serves, switches language, and checks the player, its captions
track and the transcript. Screenshots at 360 and 1280 px go to output/screenshots/ for review."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pipeline.publish.images import image_info
from tests.test_publish_support import (
    JS,
    LISTED,
    ROOT,
    TEST_ENGINE,
    clip_titles,
    published_project,
    serving,
)

SHOTS = ROOT / "output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serving(published_project(tmp_path_factory)) as url:
        yield url


def fetch(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_portal_in_headless_chromium(served):
    assert CHROMIUM.is_file(), "install Debian's chromium: scripts/setup.sh --dev"
    SHOTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["node", str(JS / "portal.js"), served, str(SHOTS)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CHROMIUM": str(CHROMIUM)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    pages = report["pages"]

    assert not report.get("errors"), report.get("errors")
    assert all(url.startswith(served) for url in report["requests"]), "something was loaded from another site"

    titles = clip_titles()
    root, es = pages["root"], pages["es"]
    assert root["lang"] == "en" and root["episodes"] == [titles[s] for s in LISTED]
    assert [(s["hreflang"], s["lang"]) for s in root["switcher"]] == [
        ("en", "en"),
        ("es", "es"),
        ("fr", "fr"),
    ]
    assert es["url"] == served + "es/index.html" and es["lang"] == "es"
    assert [s["current"] for s in es["switcher"]] == [None, "page", None]
    assert es["episodes"] == [titles[s] for s in LISTED]

    episode = pages["episode"]
    assert episode["url"] == served + "es/special-chars/index.html" and episode["lang"] == "es"
    assert episode["alternates"] == ["en", "es", "fr"]
    record = json.loads(fetch(served + "episodes/special-chars/episode.json"))
    assert episode["audio"] == {"src": served + record["low"]["path"], "controls": True}   # the data saver
    assert episode["track"]["kind"] == "captions" and episode["track"]["srclang"] == "es"
    vtt = fetch(served + "episodes/special-chars/transcript-es.vtt")
    assert episode["track"]["src"].endswith("transcript-es.vtt")
    assert episode["track"]["cues"] == vtt.count(" --> ") >= 2     # every cue loaded
    assert episode["transcriptLines"] == 2 and episode["firstLine"].startswith("0:00 Y así")
    assert any(TEST_ENGINE in notice for notice in episode["notices"])
    assert '<script>alert("x")</script>' in episode["bodyText"]
    assert report["follow"]["active"] == [report["follow"]["expected"]]

    for name in ("episode360", "root360"):
        assert pages[name]["overflow"] <= 0, f"{name} scrolls sideways at 360 px"
    for shot, width in (
        ("portal-360.png", 360),
        ("episode-360.png", 360),
        ("portal-1280.png", 1280),
        ("episode-1280.png", 1280),
    ):
        info = image_info(SHOTS / shot)
        assert info is not None and info.width == width, shot
