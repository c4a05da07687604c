"""The portal and the feeds on a slow or metered connection: the player starts on the low-bitrate
file and fetches nothing before play (checked in headless Chromium at 360 px, and by counting the
requests `learninglab serve` logs), the data-saver switch is remembered, every download states its
size, and every feed names its data-saver enclosure in its own language with bitrate and length."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import av
import pytest

from tests.conftest import published_audio
from tests.test_publish_support import (
    CLIPS,
    JS,
    LISTED,
    ROOT,
    parse_feedparser,
    parse_partytime,
    published_project,
)

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "output" / "screenshots"
PAGE = "es/special-chars/index.html"
LOW_TITLES = {"en": "Data saver: MP3 at 32 kbps", "es": "Ahorro de datos: MP3 a 32 kbps",
              "fr": "Économie de données : MP3 à 32 kbit/s"}
UNITS = {"en": ("B", "kB", "MB"), "es": ("B", "kB", "MB"), "fr": ("o", "ko", "Mo")}
REQUEST_LINE = re.compile(r'"GET (\S+) HTTP/1\.[01]"')


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return published_project(tmp_path_factory)


@pytest.fixture(scope="module")
def browsed(root, tmp_path_factory):
    """Drive tests/js/data_saver.js against `learninglab -v serve`; returns (report, server log)."""
    assert CHROMIUM.is_file(), "install Debian's chromium: scripts/setup.sh --dev"
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = tmp_path_factory.mktemp("serve") / "requests.log"
    command = [str(Path(sys.executable).parent / "learninglab"), "--project", str(root), "-v",
               "serve", "--port", "0"]
    with open(log, "w", encoding="utf-8") as errors:
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            line = server.stdout.readline()
            assert "Serving" in line, line
            base = line.split(" at ")[1].split()[0]
            done = subprocess.run(["node", str(JS / "data_saver.js"), base, PAGE, str(SHOTS)],
                                  capture_output=True, text=True, timeout=180, check=False,
                                  env={**os.environ, "CHROMIUM": str(CHROMIUM)})
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), base, log.read_text(encoding="utf-8")


def server_requests(log: str) -> dict[str, list[str]]:
    """The paths the server was asked for, grouped by the step the browser script announced."""
    steps: dict[str, list[str]] = {}
    step = None
    for path in REQUEST_LINE.findall(log):
        if path.startswith("/__step/"):
            step = path.rsplit("/", 1)[1]
            steps[step] = []
        elif step is not None:
            steps[step].append(path)
    return steps


def is_audio(path: str) -> bool:
    return path.split("?")[0].split("#")[0].endswith((".mp3", ".opus"))


def test_player_starts_on_the_low_file_and_fetches_nothing_before_play(root, browsed):
    report, base, log = browsed
    site = root / "output" / "site"
    low = published_audio(site, "special-chars", low=True).relative_to(site).as_posix()
    full = published_audio(site, "special-chars").relative_to(site).as_posix()
    steps, browser = report["steps"], report["audioRequests"]
    server = server_requests(log)
    assert not report["errors"], report["errors"]

    load = steps["load"]
    assert load["currentSrc"] == base + low and load["preload"] == "none"
    assert load["readyState"] == 0 and load["nowVisible"] and load["toggleVisible"]
    assert "ahorro de datos" in load["now"] and "calidad completa" in load["toggle"]
    assert load["overflow"] <= 0, "the page scrolls sideways at 360 px"
    # no audio byte before play: neither the browser nor the server saw an audio request
    assert browser["load"] == [] and [p for p in server["load"] if is_audio(p)] == []
    assert any(p.endswith(".vtt") for p in server["load"])          # the log does record the page's files

    # pressing play fetches the low file, and only it
    assert steps["play"]["currentSrc"] == base + low and steps["play"]["readyState"] >= 1
    assert browser["play"] and set(browser["play"]) == {base + low}
    assert {p for p in server["play"] if is_audio(p)} == {"/" + low}

    # a time link seeks the same file
    link = steps["timelink"]["link"]
    assert link["href"].split("#")[0].endswith(low)
    assert steps["timelink"]["currentSrc"] == base + low
    assert steps["timelink"]["currentTime"] >= link["t"]

    # the switch: full quality at the same moment, remembered, still nothing fetched until play
    switched = steps["switch"]
    assert switched["currentSrc"] == base + full and switched["stored"] == "full"
    assert switched["currentTime"] == pytest.approx(steps["timelink"]["currentTime"], abs=0.5)
    assert "calidad completa" in switched["now"] and switched["toggleHref"].endswith(low)
    assert steps["reload"]["currentSrc"] == base + full and steps["reload"]["readyState"] == 0
    for step in ("timelink", "switch", "reload"):
        assert [p for p in server[step] if is_audio(p) and not p.endswith(low)] == [], step
    assert {p for p in server["playFull"] if is_audio(p)} == {"/" + full}
    assert steps["switchBack"]["currentSrc"] == base + low and steps["switchBack"]["stored"] == "low"


def test_without_javascript_the_page_still_plays_the_low_file_and_links_the_full_one(root, browsed):
    report, base, log = browsed
    site = root / "output" / "site"
    nojs = report["steps"]["nojs"]
    assert nojs["scripted"] is False and nojs["overflow"] <= 0
    assert nojs["src"].endswith(published_audio(site, "special-chars", low=True).name)
    assert nojs["toggleHref"].endswith(published_audio(site, "special-chars").name)
    assert [p for p in server_requests(log)["nojs"] if is_audio(p)] == []
    assert all(re.search(r"\(\d+(,\d)? (B|kB|MB)\)$", item) for item in nojs["sizes"]), nojs["sizes"]


def stated_size(text: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:[.,]\d)?) (B|kB|MB|o|ko|Mo)", text).groups()
    return float(number.replace(",", ".")) * {"B": 1, "o": 1, "kB": 1e3, "ko": 1e3}.get(unit, 1e6)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_every_download_on_every_notes_page_states_its_real_size(root, lang):
    site = root / "output" / "site"
    for slug in (c.slug for c in CLIPS if c.status in ("public", "unlisted")):
        page = site / lang / slug / "index.html"
        downloads = page.read_text(encoding="utf-8").split('class="downloads"')[1].split("</ul>")[0]
        items = re.findall(r'<li><a href="([^"]+)">[^<]*</a> <span class="size">\(([^)]+)\)</span></li>',
                           downloads)
        links = re.findall(r'<li><a href="([^"]+)"', downloads)
        assert len(items) == len(links) >= 10, (page, links)            # every download has a size
        for href, size in items:
            real = (page.parent / href).resolve().stat().st_size
            assert stated_size(size) == pytest.approx(real, abs=max(500, real * 0.051)), (page, href, size)
        assert all(size.split()[-1] in UNITS[lang] for _, size in items), items


def nominal_bitrate(path: Path) -> int:
    with av.open(str(path)) as container:
        return container.streams.audio[0].bit_rate


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_feed_names_the_data_saver_in_its_language_with_bitrate_and_length(root, lang):
    site = root / "output" / "site"
    feed = site / lang / "feed.xml"
    party = {item["guid"]: item for item in parse_partytime(feed)["items"]}
    parsed = {entry.id: entry for entry in parse_feedparser(feed).entries}
    for slug in LISTED:
        clip = next(c for c in CLIPS if c.slug == slug)
        low = published_audio(site, slug, low=True)
        [alt] = party[clip.guid]["alternativeEnclosures"]
        assert alt["title"] == LOW_TITLES[lang]
        assert alt["length"] == low.stat().st_size and alt["type"] == "audio/mpeg"
        assert alt["bitrate"] == nominal_bitrate(low) == 32000
        assert alt["source"][0]["uri"].endswith(low.relative_to(site).as_posix())
        other = parsed[clip.guid].podcast_alternateenclosure        # feedparser reads the same facts
        assert (other["title"], int(other["length"]), int(other["bitrate"])) == (
            LOW_TITLES[lang], low.stat().st_size, 32000)
