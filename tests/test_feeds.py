"""Every feed, read by three independent real parsers (gPodder's podcastparser, feedparser and npm
podcast-partytime under node), and checked against Apple's rules read from the files themselves."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import published_audio
from tests.test_publish_support import (
    CLIPS,
    LISTED,
    parse_feedparser,
    parse_partytime,
    parse_podcastparser,
    published_project,
)

BASE = "https://learninglab.example.org/podcast/"
LANGS = ("en", "es", "fr")
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
# What partytime reports for each MIME type we write (it normalizes SRT to application/srt).
PARTYTIME_TYPE = {"application/x-subrip": "application/srt"}
APPLE_MEDIA_TYPES = {
    "audio/x-m4a",
    "audio/mpeg",
    "video/quicktime",
    "video/mp4",
    "video/x-m4v",
    "application/pdf",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return published_project(tmp_path_factory)


def clip(slug: str):
    return next(c for c in CLIPS if c.slug == slug)


def expected(root: Path, lang: str) -> list[dict]:
    """What each listed episode must say in the `lang` feed, from the inputs and the files on disk."""
    site, work = root / "output" / "site", root / "output" / "episodes"
    out = []
    for slug in LISTED:
        c = clip(slug)
        audio, low = published_audio(site, slug), published_audio(site, slug, low=True)
        assert re.fullmatch(r"podcast\.[0-9a-f]{10}\.mp3", audio.name)
        assert audio.read_bytes() == (work / slug / "master" / "podcast.mp3").read_bytes()
        info = json.loads((work / slug / "master" / "audio.json").read_text())
        translated = lang in c.translations
        key, language = (lang, lang) if translated else ("original", c.language)
        out.append(
            {
                "slug": slug,
                "guid": c.guid,
                "title": c.title,
                "description": c.description,
                "url": f"{BASE}{audio.relative_to(site).as_posix()}",
                "length": audio.stat().st_size,
                "type": "audio/mpeg",
                "duration": round(info["duration"]),
                "low": (f"{BASE}{low.relative_to(site).as_posix()}", low.stat().st_size),
                "transcripts": [
                    (f"{BASE}episodes/{slug}/transcript-{key}.{ext}", mime, language, rel)
                    for ext, mime, rel in (
                        ("vtt", "text/vtt", "captions"),
                        ("srt", "application/x-subrip", None),
                        ("json", "application/json", None),
                        ("html", "text/html", None),
                    )
                ],
                "speakers": [name for name, _, _ in c.speakers],
            }
        )
    return out


def feed_file(root: Path, lang: str) -> Path:
    return root / "output" / "site" / lang / "feed.xml"


@pytest.mark.parametrize("lang", LANGS)
def test_podcastparser_reads_every_episode(root, lang):
    parsed = parse_podcastparser(feed_file(root, lang), f"{BASE}{lang}/feed.xml")
    want = expected(root, lang)
    assert parsed["language"] == lang and parsed["explicit"] is False
    assert [e["guid"] for e in parsed["episodes"]] == [w["guid"] for w in want]
    for got, w in zip(parsed["episodes"], want, strict=True):
        assert got["title"] == w["title"]
        assert got["enclosures"] == [{"url": w["url"], "file_size": w["length"], "mime_type": w["type"]}]
        assert got["total_time"] == w["duration"]
        assert html.unescape(got["description"]) == w["description"]


@pytest.mark.parametrize("lang", LANGS)
def test_feedparser_reads_every_episode(root, lang):
    parsed = parse_feedparser(feed_file(root, lang))
    want = expected(root, lang)
    assert parsed.feed.language == lang
    assert [e.id for e in parsed.entries] == [w["guid"] for w in want]
    for got, w in zip(parsed.entries, want, strict=True):
        assert got.title == w["title"]
        assert [(e.href, int(e.length), e.type) for e in got.enclosures] == [
            (w["url"], w["length"], w["type"])
        ]
        assert int(got.itunes_duration) == w["duration"]
        assert got.guidislink is False
        assert html.unescape(got.summary) == w["description"]


@pytest.mark.parametrize("lang", LANGS)
def test_partytime_reads_every_episode_and_its_podcast_tags(root, lang):
    parsed = parse_partytime(feed_file(root, lang))
    want = expected(root, lang)
    bare = f"{BASE}{lang}/feed.xml".split("://", 1)[1]
    assert parsed["guid"] == str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), bare))
    assert parsed["locked"] is True and parsed["podcastOwner"] == "learninglab@example.org"
    assert parsed["language"] == lang and parsed["explicit"] is False
    assert [i["guid"] for i in parsed["items"]] == [w["guid"] for w in want]
    for got, w in zip(parsed["items"], want, strict=True):
        assert got["title"] == w["title"]
        assert got["description"] == w["description"]  # partytime decodes the HTML entities once
        assert got["enclosure"] == {"url": w["url"], "length": w["length"], "type": w["type"]}
        assert got["duration"] == w["duration"]
        assert [(t["url"], t["type"], t["language"], t.get("rel")) for t in got["podcastTranscripts"]] == [
            (u, PARTYTIME_TYPE.get(m, m), language, rel) for u, m, language, rel in w["transcripts"]
        ]
        assert [p["name"] for p in got.get("podcastPeople", [])] == w["speakers"]
        [alt] = got["alternativeEnclosures"]
        assert (alt["source"][0]["uri"], alt["length"], alt["type"]) == (*w["low"], "audio/mpeg")
        if w["slug"] == "special-chars":
            assert got["podcastChapters"] == {
                "url": f"{BASE}episodes/special-chars/chapters-{lang}.json",
                "type": "application/json+chapters",
            }
        else:
            assert "podcastChapters" not in got


@pytest.mark.parametrize("lang", LANGS)
def test_awkward_characters_round_trip_through_all_parsers(root, lang):
    special = clip("special-chars")
    for ch in "&<>\"'":
        assert ch in special.title and ch in special.description
    feed = feed_file(root, lang)
    pp = parse_podcastparser(feed, f"{BASE}{lang}/feed.xml")["episodes"][0]
    fp = parse_feedparser(feed).entries[0]
    pt = parse_partytime(feed)["items"][0]
    assert pp["title"] == fp.title == pt["title"] == special.title
    assert (
        html.unescape(pp["description"])
        == html.unescape(fp.summary)
        == pt["description"]
        == special.description
    )
    # the show notes (content:encoded) keep the text escaped: a client rendering them shows it as text
    assert "&lt;script&gt;" in pp["description_html"] and "<script>" not in pp["description_html"]


def rfc2822(value: str) -> dt.datetime:
    assert re.fullmatch(
        r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
        r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}",
        value,
    ), value
    parsed = email.utils.parsedate_to_datetime(value)
    assert email.utils.format_datetime(parsed) == value
    return parsed


def local_file(root: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return root / "output" / "site" / url[len(BASE) :]


@pytest.mark.parametrize("lang", LANGS)
def test_feed_meets_apple_rules(root, lang):
    from pipeline.publish.images import image_info

    channel = ET.parse(feed_file(root, lang)).getroot().find("channel")
    for tag in ("title", "description", "language", "link"):
        assert (channel.findtext(tag) or "").strip(), tag
    assert re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", channel.findtext("language"))
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert [c.get("text") for c in channel.findall("itunes:category", NS)] == [
        "Education",
        "Society & Culture",
    ]
    assert channel.findtext("itunes:author", namespaces=NS)
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "learninglab@example.org"
    image = local_file(root, channel.find("itunes:image", NS).get("href"))
    info = image_info(image)
    assert image.suffix in (".png", ".jpg") and info.kind == {".png": "png", ".jpg": "jpeg"}[image.suffix]
    assert info.width == info.height and 1400 <= info.width <= 3000
    [self_link] = [link for link in channel.findall("atom:link", NS) if link.get("rel") == "self"]
    assert self_link.get("href") == f"{BASE}{lang}/feed.xml"
    assert channel.findtext("link") == f"{BASE}{lang}/"
    items = channel.findall("item")
    assert len(items) == len(LISTED)
    guids = [item.findtext("guid") for item in items]
    assert len(set(guids)) == len(guids)
    dates = []
    for item in items:
        assert item.findtext("title").strip()
        enclosure = item.find("enclosure")
        assert enclosure.get("type") in APPLE_MEDIA_TYPES
        assert int(enclosure.get("length")) == local_file(root, enclosure.get("url")).stat().st_size
        assert item.find("guid").get("isPermaLink") == "false"
        dates.append(rfc2822(item.findtext("pubDate")))
        assert re.fullmatch(r"\d+", item.findtext("itunes:duration", namespaces=NS))
        assert item.findtext("itunes:explicit", namespaces=NS) in ("true", "false")
        assert re.fullmatch(r"[1-9]\d*", item.findtext("itunes:episode", namespaces=NS))
        assert re.fullmatch(r"[1-9]\d*", item.findtext("itunes:season", namespaces=NS))
        assert len(item.findtext("description").encode()) <= 4000
    assert dates == sorted(dates, reverse=True)
    rfc2822(channel.findtext("lastBuildDate"))
