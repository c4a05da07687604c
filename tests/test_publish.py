"""Publishing: the site's layout and links, session notes, consent statuses, stable GUIDs, failure
isolation, atomic and idempotent writes, the preview server, and one real end-to-end run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import LearningLabError
from pipeline.project import Project
from pipeline.publish.images import image_info
from pipeline.publish.podcast_ns import feed_guid
from pipeline.publish.site import publish
from tests.conftest import published_audio
from tests.test_publish_support import (
    CLIPS,
    LISTED,
    ROOT,
    SPECIAL_DESCRIPTION,
    TEST_ENGINE,
    Clip,
    add_episode,
    copy_of,
    fixture_project,
    published_project,
    set_field,
)

BASE = "https://learninglab.example.org/podcast/"
ALL = [c.slug for c in CLIPS]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return published_project(tmp_path_factory)


@pytest.fixture
def fresh(tmp_path_factory, tmp_path) -> Path:
    """A private copy of the fixture project, not yet published."""
    return copy_of(fixture_project(tmp_path_factory), tmp_path / "project")


def site_of(root: Path) -> Path:
    return root / "output" / "site"


class Links(HTMLParser):
    """Every href/src of a page, plus its script tags and visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[dict] = []
        self.text: list[str] = []
        self.meta: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.links += [attrs[k] for k in ("href", "src") if attrs.get(k)]
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "meta":
            self.meta.append(attrs)

    def handle_data(self, data):
        self.text.append(data)


def read_page(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_text(path: Path) -> str:
    return re.sub(r"\s+", " ", "".join(read_page(path).text))


def feed_items(root: Path, lang: str) -> dict[str, ET.Element]:
    channel = ET.parse(site_of(root) / lang / "feed.xml").getroot().find("channel")
    return {item.findtext("guid"): item for item in channel.findall("item")}


# -- small parts ---------------------------------------------------------------------------------


def test_image_sizes_are_read_from_png_and_jpeg_headers(tmp_path):
    import imageio_ffmpeg

    info = image_info(ROOT / "artwork.png")
    assert (info.kind, info.width, info.height) == ("png", 1400, 1400)
    jpeg = tmp_path / "cover.jpg"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=teal:s=1600x1500",
            "-frames:v",
            "1",
            str(jpeg),
        ],
        check=True,
    )
    info = image_info(jpeg)
    assert (info.kind, info.width, info.height) == ("jpeg", 1600, 1500)
    (tmp_path / "cut.jpg").write_bytes(jpeg.read_bytes()[:40])
    (tmp_path / "text.png").write_text("not an image")
    assert image_info(tmp_path / "cut.jpg") is None and image_info(tmp_path / "text.png") is None


def test_channel_guid_is_the_podcast_namespace_uuid5():
    # the two examples of docs/tags/guid.md
    assert feed_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


# -- the published site --------------------------------------------------------------------------


def test_site_is_self_contained_every_link_resolves(root):
    site = site_of(root)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 1 + 3 + 3 * 4 + 6  # root, 3 indexes, notes pages, transcript documents
    for page in pages:
        for link in read_page(page).links:
            assert "://" not in link and not link.startswith(("/", "//")), f"{page}: {link}"
            if link.startswith("#"):
                assert f'id="{link[1:]}"' in page.read_text(encoding="utf-8"), f"{page}: {link}"
                continue
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.is_file() and site.resolve() in target.parents, f"{page}: {link}"
    for notes in site.rglob("notes.md"):
        for link in re.findall(r"\]\(([^)]+)\)", notes.read_text(encoding="utf-8")):
            assert (notes.parent / link.split("#")[0]).resolve().is_file(), f"{notes}: {link}"
    for feed in site.glob("*/feed.xml"):
        urls = re.findall(r'(?:url|href|uri)="([^"]+)"', feed.read_text(encoding="utf-8"))
        urls += [e.text for e in ET.parse(feed).getroot().iter("link")]
        for url in urls:
            assert url.startswith(BASE), url
            rel = url[len(BASE) :]
            assert (site / rel).is_file() or (site / rel / "index.html").is_file(), url
    assert not list(site.rglob("*.tmp")), "a temporary file was left behind"


def test_portal_lists_public_episodes_newest_first_in_every_language(root):
    site = site_of(root)
    for page, prefix in [
        (site / "index.html", ""),
        *((site / lang / "index.html", "../") for lang in ("en", "es", "fr")),
    ]:
        episodes = [
            link
            for link in read_page(page).links
            if link.endswith("/index.html")
            and "/" in link.removeprefix(prefix)
            and link.removeprefix(prefix).count("/") == 2
        ]
        assert [link.split("/")[-2] for link in episodes] == list(LISTED), page
        html = page.read_text(encoding="utf-8")
        for lang in ("en", "es", "fr"):
            assert f'hreflang="{lang}" lang="{lang}"' in html


def test_notes_carry_summary_chapters_topics_speakers_links_and_transcript(root):
    site = site_of(root)
    en = page_text(site / "en" / "special-chars" / "index.html")
    for text in (
        "1 April 2026",
        "Ana <Tester> & Co",
        'Women\'s Fund "Équité"',
        "host",
        "Kennedy asks citizens what they can do <em>for</em> their country & not the reverse.",
        "Key points",
        "Ask what you can do",
        "0:00 Opening",
        "0:05 Service",
        "peer learning",
        "civic duty",
        "gender-based violence",
        "Audio (MP3)",
        "Low-bandwidth audio (MP3)",
        "Transcript (VTT)",
        "Transcript (SRT)",
        "Chapters (JSON)",
        "0:00 And so my fellow [redacted],",
        "0:05 ask not what your country",
    ):
        assert text in en, text
    assert TEST_ENGINE not in en
    es = page_text(site / "es" / "special-chars" / "index.html")
    for text in (
        TEST_ENGINE,
        "1 de abril de 2026",
        "Resumen",
        "Kennedy pide a la ciudadanía",
        "violencia de género",
        "deber cívico",
        "0:00 Apertura",
        "0:05 no pregunten qué puede hacer su país",
    ):
        assert text in es, text
    chapters = json.loads((site / "episodes" / "special-chars" / "chapters-fr.json").read_text())
    assert chapters == {
        "version": "1.2.0",
        "chapters": [{"startTime": 0.0, "title": "Ouverture"}, {"startTime": 5.1, "title": "Service"}],
    }
    notes = (site / "fr" / "special-chars" / "notes.md").read_text(encoding="utf-8")
    for text in (
        "Traduction automatique de l'anglais, sans relecture humaine, réalisée avec hand-written test "
        "translation.",
        "## Chapitres",
        "Ouverture",
        # time links seek the file the player plays by default: the low-bitrate one
        f"](../../{published_audio(site, 'special-chars', low=True).relative_to(site).as_posix()}#t=5)",
        "ne demandez pas ce que votre pays peut faire pour vous",
    ):
        assert text in notes, text


def test_redacted_words_are_never_published(root):
    raw = (root / "output" / "episodes" / "special-chars" / "transcribe" / "transcript.json").read_text()
    assert "Americans" not in raw and "[redacted]" in raw      # the work area is scrubbed too
    for path in site_of(root).rglob("*"):
        if path.is_file() and path.suffix not in (".mp3", ".opus", ".png"):      # text files
            assert "Americans" not in path.read_text(encoding="utf-8"), path
    vtt = site_of(root) / "episodes" / "special-chars" / "transcript-original.vtt"
    assert "[redacted]" in vtt.read_text(encoding="utf-8")


def test_every_translated_page_names_the_engine_and_untranslated_ones_say_so(root):
    site = site_of(root)
    for c in CLIPS[:3]:
        for lang in ("en", "es", "fr"):
            text = page_text(site / lang / c.slug / "index.html")
            notes = (site / lang / c.slug / "notes.md").read_text(encoding="utf-8")
            if lang in c.translations:
                assert TEST_ENGINE in text and TEST_ENGINE in notes
            elif lang != c.language:
                assert TEST_ENGINE not in text
                assert {
                    "en": "No English translation yet",
                    "es": "Aún no hay traducción al español",
                    "fr": "Pas encore de traduction en français",
                }[lang] in text
    # three-voices has no French translation: its French page shows the English original, marked as such
    html = (site / "fr" / "three-voices" / "index.html").read_text(encoding="utf-8")
    assert 'srclang="en"' in html and "transcript-original.vtt" in html and 'lang="en"' in html


def test_a_script_in_a_description_is_shown_as_text(root):
    site = site_of(root)
    for page in (
        site / "index.html",
        site / "en" / "index.html",
        site / "en" / "special-chars" / "index.html",
        site / "es" / "special-chars" / "index.html",
    ):
        parsed = read_page(page)
        assert [s.get("src", "").rsplit("/", 1)[-1] for s in parsed.scripts] == ["player.js"], page
        assert '<script>alert("x")</script>' in "".join(parsed.text), page
    notes = (site / "en" / "special-chars" / "notes.md").read_text(encoding="utf-8")
    assert "<script>" not in notes and '\\<script\\>alert("x")\\</script\\>' in notes
    assert SPECIAL_DESCRIPTION.split(" <")[0] in notes


# -- consent statuses ----------------------------------------------------------------------------


def test_unlisted_gets_a_noindex_page_only_draft_nothing_withdrawn_is_removed(fresh):
    project = Project.load(fresh)
    report = publish(project, ready=ALL)
    site = site_of(fresh)
    unlisted = next(c for c in CLIPS if c.status == "unlisted")
    page = site / "en" / unlisted.slug / "index.html"
    assert {"name": "robots", "content": "noindex"} in read_page(page).meta
    draft = next(c for c in CLIPS if c.status == "draft")
    assert ("draft-call", "draft") in report.not_published
    everything = "".join(
        p.read_text(encoding="utf-8") for p in site.rglob("*") if p.suffix in (".html", ".xml")
    )
    assert draft.slug not in everything and draft.guid not in everything
    listings = "".join(
        (site / f).read_text(encoding="utf-8")
        for f in ("index.html", "en/index.html", "en/feed.xml", "es/feed.xml", "fr/feed.xml")
    )
    assert unlisted.slug not in listings and unlisted.guid not in listings

    set_field(fresh / "episodes" / "special-chars" / "episode.toml", "status", '"withdrawn"')
    report = publish(Project.load(fresh), ready=ALL)
    assert report.consent.withdrawn == ("special-chars",)      # consent first, before anything else
    assert not any(site.glob("*/special-chars")) and not (site / "episodes" / "special-chars").exists()
    for lang in ("en", "es", "fr"):
        assert CLIPS[0].guid not in (site / lang / "feed.xml").read_text(encoding="utf-8")
        assert "special-chars" not in (site / lang / "index.html").read_text(encoding="utf-8")


# -- identity --------------------------------------------------------------------------------------


def test_guids_survive_a_new_episode_a_new_title_and_a_new_base_url(fresh):
    publish(Project.load(fresh), ready=ALL)
    before = {
        lang: {g: item.findtext("title") for g, item in feed_items(fresh, lang).items()}
        for lang in ("en", "es", "fr")
    }
    assert set(before["en"]) == {c.guid for c in CLIPS if c.slug in LISTED}

    add_episode(
        fresh,
        Clip(
            "late-addition",
            "en_picovoice_quilter.wav",
            "en",
            "A late addition",
            "2026-05-01",
            "public",
            "9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b",
            2,
            1,
            "New.",
            ((0.3, 5.6, "Mr. Quilter is the apostle of the middle classes."),),
        ),
    )
    set_field(fresh / "episodes" / "three-voices" / "episode.toml", "title", '"Three voices, retitled"')
    toml = fresh / "learninglab.toml"
    toml.write_text(toml.read_text().replace(BASE, "https://partners.example.net/lab/"), encoding="utf-8")
    publish(Project.load(fresh), ready=ALL + ["late-addition"])
    for lang in ("en", "es", "fr"):
        after = feed_items(fresh, lang)
        assert set(before[lang]) < set(after) and len(after) == len(before[lang]) + 1
        assert after[CLIPS[2].guid].findtext("title") == "Three voices, retitled"
        for guid in before[lang]:
            assert (
                after[guid]
                .find("enclosure")
                .get("url")
                .startswith("https://partners.example.net/lab/episodes/")
            )
        channel = ET.parse(site_of(fresh) / lang / "feed.xml").getroot().find("channel")
        pinned = Project.load(fresh).show.text[lang].guid          # learninglab.toml pins it
        assert pinned and channel.findtext("{https://podcastindex.org/namespace/1.0}guid") == pinned
        assert pinned == feed_guid(f"{BASE}{lang}/feed.xml")       # computed once from the first URL
    # unpinned, the channel guid is the namespace's UUIDv5 of the feed URL
    toml.write_text(re.sub(r'(?m)^guid = ".*"\n', "", toml.read_text()), encoding="utf-8")
    publish(Project.load(fresh), ready=ALL + ["late-addition"])
    channel = ET.parse(site_of(fresh) / "es" / "feed.xml").getroot().find("channel")
    assert channel.findtext("{https://podcastindex.org/namespace/1.0}guid") == feed_guid(
        "https://partners.example.net/lab/es/feed.xml")


# -- failures keep what was published --------------------------------------------------------------


def test_an_episode_that_is_not_ready_keeps_its_earlier_publication(fresh):
    publish(Project.load(fresh), ready=ALL)
    site = site_of(fresh)
    mp3 = published_audio(site, "three-voices")
    saved = mp3.read_bytes()
    shutil.rmtree(fresh / "output" / "episodes" / "three-voices" / "redact")  # its stages broke
    set_field(fresh / "episodes" / "three-voices" / "episode.toml", "title", '"Not republished"')

    report = publish(Project.load(fresh), ready=[s for s in ALL if s != "three-voices"])
    assert report.kept == ("three-voices",) and not report.errors
    assert mp3.read_bytes() == saved
    assert feed_items(fresh, "en")[CLIPS[2].guid].findtext("title") == "Three voices on one line"

    report = publish(Project.load(fresh), ready=ALL)  # claimed ready, but its transcript is gone
    [error] = report.errors
    assert isinstance(error, LearningLabError) and "transcript.json" in error.line()
    assert "three-voices" in report.kept and "special-chars" in report.published
    assert feed_items(fresh, "fr")[CLIPS[2].guid].findtext("title") == "Three voices on one line"


def test_publishing_again_changes_nothing(fresh):
    publish(Project.load(fresh), ready=ALL)
    site = site_of(fresh)
    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.rglob("*") if p.is_file()}
    publish(Project.load(fresh), ready=ALL)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.rglob("*") if p.is_file()} == stamps


def test_publish_errors_are_one_line_that_name_file_and_field(fresh):
    toml = fresh / "episodes" / "three-voices" / "episode.toml"
    toml.write_text("\n".join(line for line in toml.read_text().splitlines() if not line.startswith("guid")))
    report = publish(Project.load(fresh), ready=ALL)
    [error] = report.errors
    assert re.fullmatch(
        r".*three-voices/episode\.toml: field 'guid': no guid.* — add guid = \"[0-9a-f-]{36}\".*",
        error.line(),
    )
    assert "three-voices" not in report.published and "special-chars" in report.published

    # a 800 px artwork is refused before anything is written
    import struct
    import zlib

    row = b"\x00" + b"\x80" * 800 * 3
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 800, 800, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(row * 800))
        + _chunk(b"IEND", b"")
    )
    (fresh / "artwork.png").write_bytes(png)
    result = CliRunner().invoke(main, ["--project", str(fresh), "publish"], catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "artwork.png: field 'show.artwork': artwork is 800x800 px" in result.output


def _chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# -- the preview server ------------------------------------------------------------------------------


def test_serve_gives_types_and_byte_ranges(root):
    from pipeline.publish.serve import make_server

    server = make_server(site_of(root), "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with urllib.request.urlopen(base) as response:
            assert response.status == 200 and "text/html" in response.headers["Content-Type"]
        with urllib.request.urlopen(base + "episodes/special-chars/transcript-es.vtt") as response:
            assert response.headers["Content-Type"].startswith("text/vtt")
        mp3 = published_audio(site_of(root), "special-chars")
        request = urllib.request.Request(
            base + mp3.relative_to(site_of(root)).as_posix(), headers={"Range": "bytes=100-199"}
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == f"bytes 100-199/{mp3.stat().st_size}"
            assert response.read() == mp3.read_bytes()[100:200]
    finally:
        server.shutdown()
        server.server_close()


# -- end to end: the real pipeline publishes; a failed episode keeps its publication -----------------


@pytest.mark.slow
def test_learninglab_run_publishes_and_a_failing_episode_keeps_its_feed_item(project_copy):
    """The real stages on the bilingual demo (English and French turns), then a broken recording."""
    slug, guid = "demo-interpreted-welcome", "d5d14815-1f59-4322-970f-09e2a02387d0"
    project = project_copy([slug])
    run = CliRunner().invoke(main, ["--project", str(project), "run"], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert f"published: {slug}" in run.output
    site, work = project / "output" / "site", project / "output" / "episodes" / slug
    # the pages say what the work area holds: each translation with its engine and the languages it
    # carried (this session mixes English and French turns), or that there is none yet
    translated_from = {"en": "Machine translation from French, not reviewed by a person",
                       "es": "Traducción automática del inglés y del francés, sin revisión humana",
                       "fr": "Traduction automatique de l'anglais, sans relecture humaine"}
    not_yet = {"en": "No English translation yet", "es": "Aún no hay traducción al español",
               "fr": "Pas encore de traduction en français"}
    for lang in ("en", "es", "fr"):
        assert guid in feed_items(project, lang)
        text = page_text(site / lang / slug / "index.html")
        translation = work / "translate" / lang / "transcript.json"
        if translation.is_file():
            assert translated_from[lang] in text
            assert "made with Apertium" in text or "con Apertium" in text or "avec Apertium" in text
            assert "apertium via" not in text          # per-pair routes are in glossary-report.json
        elif lang != json.loads((work / "redact" / "transcript.json").read_text())["language"]:
            assert not_yet[lang] in text
        summary = work / "summarize" / lang / "summary.json"
        if summary.is_file():
            assert json.loads(summary.read_text())["summary"][0]["text"] in text
    mp3 = published_audio(site, slug).read_bytes()

    (project / "episodes" / slug / "recording.flac").write_bytes(b"\x00" * 5000)
    rerun = CliRunner().invoke(main, ["--project", str(project), "run"], catch_exceptions=False)
    assert rerun.exit_code == 1 and "Traceback" not in rerun.output
    assert "kept as published before" in rerun.output
    assert guid in feed_items(project, "en")
    assert published_audio(site, slug).read_bytes() == mp3
    standalone = CliRunner().invoke(main, ["--project", str(project), "publish"], catch_exceptions=False)
    assert standalone.exit_code == 0 and "kept as published before" in standalone.output
