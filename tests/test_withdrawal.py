"""Withdrawal comes first: no unrelated mistake can keep a withdrawn episode online.

Each case starts from the published fixture project (tests/test_publish_support.py: real mastered
audio, real pages and feeds), withdraws one public episode, breaks something else, and runs
`learninglab publish` or `learninglab run`. Afterwards the episode must be gone from every feed,
portal page, sitemap entry, published folder and work area, the command must say so first, and
must still report the other problem and exit with 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.test_publish_support import CLIPS, copy_of, published_project, set_field

WITHDRAWN = CLIPS[0]                      # special-chars: public, in every feed and index
OTHER = CLIPS[1]                          # fr-introduction: public, must stay
WITHDRAWN_LINE = f"withdrawn: {WITHDRAWN.slug} removed from every feed, page and work file"


@pytest.fixture
def published(tmp_path_factory, tmp_path) -> Path:
    return copy_of(published_project(tmp_path_factory), tmp_path / "project")


def withdraw(project: Path) -> Path:
    spec = project / "episodes" / WITHDRAWN.slug / "episode.toml"
    set_field(spec, "status", '"withdrawn"')
    return spec


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


def feed_guids(site: Path, lang: str) -> list[str]:
    feed = site / lang / "feed.xml"
    return [item.findtext("guid") for item in ET.parse(feed).getroot().iter("item")]


def assert_gone_everywhere(project: Path, site: Path | None = None) -> None:
    site = site or project / "output" / "site"
    slug, guid = WITHDRAWN.slug, WITHDRAWN.guid
    for lang in ("en", "es", "fr"):
        guids = feed_guids(site, lang)
        assert guid not in guids and OTHER.guid in guids, (lang, guids)
        assert not (site / lang / slug).exists()
        assert slug not in (site / lang / "index.html").read_text(encoding="utf-8")
    assert slug not in (site / "index.html").read_text(encoding="utf-8")
    assert slug not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert not (site / "episodes" / slug).exists()
    assert (site / "episodes" / OTHER.slug / "episode.json").is_file()
    assert not (project / "output" / "episodes" / slug).exists()
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".xml", ".html", ".json", ".md", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert guid not in text and f"/{slug}/" not in text, path
    retired = (project / "episodes" / ".retired-guids").read_text(encoding="utf-8")
    assert guid in retired


def break_artwork(project: Path) -> str:
    (project / "artwork.png").unlink()
    return "learninglab.toml: field 'show.artwork': artwork 'artwork.png' not found"


def break_show(project: Path) -> str:
    show = project / "learninglab.toml"
    show.write_text(show.read_text(encoding="utf-8").replace("[show.en]", "[show.en", 1), encoding="utf-8")
    return "learninglab.toml: line "


def break_withdrawn_spec(project: Path) -> str:
    set_field(project / "episodes" / WITHDRAWN.slug / "episode.toml", "date", "01/04/2026")
    return (f"episodes/{WITHDRAWN.slug}/episode.toml: field 'date': 01/04/2026 is not a date TOML can read — "
            "write it as year-month-day: date = 2026-04-01 (no quotes)")


def xml_illegal_elsewhere(project: Path) -> str:
    spec = project / "episodes" / OTHER.slug / "episode.toml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('description = "', 'description = "\uffff', 1), encoding="utf-8")
    return (f"episodes/{OTHER.slug}/episode.toml: field 'description': contains the character U+FFFF, "
            "which feeds and pages cannot carry")


BREAKAGES = {"missing artwork": break_artwork, "broken learninglab.toml": break_show,
             "broken episode.toml of the withdrawn episode": break_withdrawn_spec,
             "XML-illegal character in another episode": xml_illegal_elsewhere}


@pytest.mark.parametrize("command", [("publish",), ("run", WITHDRAWN.slug)], ids=["publish", "run"])
@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_withdrawal_happens_whatever_else_is_wrong(published, breakage, command):
    withdraw(published)
    expected_error = BREAKAGES[breakage](published)
    result = invoke(published, *command)
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output
    assert lines[0] == WITHDRAWN_LINE, result.output             # consent first, before the other error
    assert any(line.startswith("error: ") and expected_error in line for line in lines), result.output
    assert "Traceback" not in result.output
    assert_gone_everywhere(published)
    again = invoke(published, *command)                            # nothing left to withdraw: no repeat
    assert WITHDRAWN_LINE not in again.output


def test_withdrawal_on_a_full_disk(published, tmp_path):
    """output/ on a real tmpfs filled to the last block: the withdrawal still completes (when a feed
    cannot be rewritten, the withdrawn episode's own files are deleted first to make room)."""
    withdraw(published)
    after = tmp_path / "after"
    script = r'''
set -e
mv "$1/output" "$1/output.orig"; mkdir "$1/output"
size=$(du -sk "$1/output.orig" | cut -f1)
mount -t tmpfs -o size=$((size + 256))k tmpfs "$1/output"
cp -a "$1/output.orig/." "$1/output/"
dd if=/dev/zero of="$1/output/filler" bs=1k 2>/dev/null || true
df -k "$1/output" | tail -1 | awk '{print $4}' > "$3/free"
set +e
"$2" -m pipeline --project "$1" publish > "$3/stdout" 2> "$3/stderr"
echo $? > "$3/rc"
rm -f "$1/output/filler"
cp -a "$1/output/." "$3/output/"
'''
    (after / "output").mkdir(parents=True)
    done = subprocess.run(["unshare", "-Urm", "sh", "-c", script, "sh", str(published), sys.executable,
                           str(after)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    stdout, stderr = (after / "stdout").read_text(), (after / "stderr").read_text()
    assert stdout.splitlines()[0] == WITHDRAWN_LINE, stdout + stderr
    assert "Traceback" not in stderr
    assert (after / "free").read_text().strip() == "0"          # the disk really was full
    assert (after / "rc").read_text().strip() == "0", stderr      # the room the withdrawal freed was enough
    site = after / "output" / "site"
    for lang in ("en", "es", "fr"):
        assert WITHDRAWN.guid not in feed_guids(site, lang)
        assert OTHER.guid in feed_guids(site, lang)
        assert not (site / lang / WITHDRAWN.slug).exists()
    assert not (site / "episodes" / WITHDRAWN.slug).exists()
    assert not (after / "output" / "episodes" / WITHDRAWN.slug).exists()


def test_a_withdrawn_episode_never_comes_back(published):
    spec = withdraw(published)
    assert invoke(published, "publish").output.splitlines()[0] == WITHDRAWN_LINE
    set_field(spec, "status", '"public"')                      # a mistake, or a change of heart
    result = invoke(published, "publish")
    assert result.exit_code == 1
    assert (f"error: episodes/{WITHDRAWN.slug}/episode.toml: field 'guid': guid {WITHDRAWN.guid} was retired "
            "when its episode's consent was withdrawn on ") in result.output
    assert ("it is never published again — to publish this session anew (if the partner consents again), "
            "make a new episode with `learninglab new` (a new guid)") in result.output
    assert_gone_everywhere(published)
    import shutil
    shutil.rmtree(published / "output")                    # even with output/ deleted, the guid stays retired
    result = invoke(published, "check")
    assert f"field 'guid': guid {WITHDRAWN.guid} was retired" in result.output


def test_a_withdrawn_episode_whose_folder_is_broken_beyond_toml(published):
    """Not even TOML: the forgiving reader still finds `status = "withdrawn"`."""
    spec = published / "episodes" / WITHDRAWN.slug / "episode.toml"
    spec.write_bytes(b"\xef\xbb\xbfstatus = \"withdrawn\"\n[[[ not toml at all\n\xff\xfe")
    result = invoke(published, "publish")
    assert result.output.splitlines()[0] == WITHDRAWN_LINE, result.output
    assert_gone_everywhere(published)


def test_feeds_stay_valid_for_every_parser_after_an_emergency_withdrawal(published):
    """With learninglab.toml broken, the feeds are edited rather than re-rendered: still valid RSS."""
    from tests.test_publish_support import parse_feedparser, parse_partytime, parse_podcastparser

    withdraw(published)
    break_show(published)
    invoke(published, "publish")
    feed = published / "output" / "site" / "es" / "feed.xml"
    titles = {e.title for e in parse_feedparser(feed).entries}
    assert WITHDRAWN.title not in titles and OTHER.title in titles
    assert WITHDRAWN.guid not in json.dumps(parse_partytime(feed))
    assert len(parse_podcastparser(feed, "https://example.org/es/feed.xml")["episodes"]) == len(titles)


def test_a_name_to_redact_is_obeyed_even_when_nothing_else_can_run(published):
    """A partner asks for a name to go; the show file is broken at the same time. The episode whose pages
    name her leaves the site at once (its work area and guid are kept: it returns redacted once the
    project can run again)."""
    spec = published / "episodes" / OTHER.slug / "episode.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[redact]\nwords = ["Éric Joanis"]\n',
                    encoding="utf-8")
    break_show(published)
    result = invoke(published, "publish")
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(
        f"redaction: {OTHER.slug} taken off the site until it is republished redacted ('Éric Joanis' was "
        "published in "), result.output
    site = published / "output" / "site"
    for lang in ("en", "es", "fr"):
        assert OTHER.guid not in feed_guids(site, lang)
        assert not (site / lang / OTHER.slug).exists()
    assert not (site / "episodes" / OTHER.slug).exists()
    assert (published / "output" / "episodes" / OTHER.slug / "master").is_dir()      # work kept
    assert not (published / "episodes" / ".retired-guids").exists()                   # not withdrawn
    assert "taken off the site" not in invoke(published, "publish").output            # once, not again


def test_an_episode_whose_slug_begins_with_the_withdrawn_one_stays():
    from pipeline.consent import _names

    assert _names("https://x.org/episodes/call/podcast.1.mp3", {"call"}, set())
    assert not _names("https://x.org/episodes/call-2/podcast.1.mp3 https://x.org/en/call-2/", {"call"}, set())
