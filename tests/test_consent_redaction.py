"""Consent and redaction end to end: `learninglab run` on real clips, then search every published file."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.audio import decode
from pipeline.cli import main
from tests.conftest import SPEECH, copy_project, published_audio
from tests.test_run_and_bad_input import add_episode

EPISODES = {
    # slug: (clip, status, guid, title, extra toml)
    "ask-not": ("en_jfk_ask_not.wav", "public", "11111111-2222-4333-8444-555555555555",
                "Ask not, redacted in the middle", '[redact]\nranges = [["0:02", "0:04"]]\n'),
    "quiet-unlisted": ("en_picovoice_quilter.wav", "unlisted", "22222222-3333-4444-8555-666666666666",
                         "A quiet one", '[redact]\nwords = ["QUILTER"]\n'),
    "three-voices": ("en_picovoice_three_speakers.wav", "public", "33333333-4444-4555-8666-777777777777",
                     "Crocodiles and turbulence", ""),
}


def spec_toml(clip: str, status: str, guid: str, title: str, extra: str) -> str:
    return (f'title = "{title}"\ndate = 2026-02-0{len(title) % 9 + 1}\nrecording = "{clip}"\n'
            f'language = "auto"\nstatus = "{status}"\nguid = "{guid}"\n{extra}')


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def site_files(project: Path) -> dict[Path, str]:
    return {p: fold(p.read_bytes().decode("utf-8", "replace"))
            for p in (project / "output" / "site").rglob("*") if p.is_file()}


def run(project: Path):
    result = CliRunner().invoke(main, ["--project", str(project), "run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("consent") / "project", episodes=[])
    for slug, (clip, status, guid, title, extra) in EPISODES.items():
        add_episode(root, slug, spec_toml(clip, status, guid, title, extra), {clip: SPEECH / clip})
    run(root)
    return root


def test_unlisted_episode_is_in_no_feed_index_or_sitemap(project):
    site = project / "output" / "site"
    assert "ask-not" in (site / "sitemap.xml").read_text(encoding="utf-8")
    for lang in ("en", "es", "fr"):
        for listing in (site / lang / "feed.xml", site / lang / "index.html", site / "index.html",
                        site / "sitemap.xml"):
            text = listing.read_text(encoding="utf-8")
            assert "quiet-unlisted" not in text and EPISODES["quiet-unlisted"][2] not in text
            assert "A quiet one" not in text
        page = (site / lang / "quiet-unlisted" / "index.html").read_text(encoding="utf-8")
        assert re.search(r'<meta name="robots" content="noindex', page)
    assert "ask-not" in (site / "en" / "feed.xml").read_text(encoding="utf-8")


def test_redacted_name_appears_nowhere_in_the_site(project):
    raw = (project / "output" / "episodes" / "quiet-unlisted" / "transcribe" / "transcript.json").read_text()
    assert "Quilter" not in raw and "[redacted]" in raw    # it was said, but never reaches the disk
    leaks = [p for p, text in site_files(project).items() if "quilter" in text]
    assert leaks == []
    published = project / "output" / "site" / "episodes" / "quiet-unlisted"
    assert any("[redacted]" in p.read_text(encoding="utf-8") for p in published.glob("transcript*.vtt"))


def test_redacted_time_range_is_a_tone_in_the_published_audio(project):
    mp3 = published_audio(project / "output" / "site", "ask-not")
    audio = decode(mp3, 16000)
    inside = audio[int(2.1 * 16000):int(3.9 * 16000)]
    before = audio[int(0.3 * 16000):int(1.9 * 16000)]
    spectrum = np.abs(np.fft.rfft(inside)) ** 2
    freqs = np.fft.rfftfreq(len(inside), 1 / 16000)
    tone_share = spectrum[(freqs > 950) & (freqs < 1050)].sum() / spectrum.sum()
    assert tone_share > 0.95                      # nothing but the 1 kHz tone is left
    rms = float(np.sqrt(np.mean(inside ** 2)))
    assert 0.05 < rms < 0.09                      # the tone's own level (0.1 peak)
    speech_spectrum = np.abs(np.fft.rfft(before)) ** 2
    speech_freqs = np.fft.rfftfreq(len(before), 1 / 16000)
    assert speech_spectrum[(speech_freqs > 950) & (speech_freqs < 1050)].sum() / speech_spectrum.sum() < 0.5
    words = (project / "output" / "site" / "episodes" / "ask-not" / "transcript-original.json").read_text()
    assert "[redacted]" in words


def test_withdrawn_episode_disappears_everywhere(project):
    slug = "three-voices"
    clip, _, guid, title, _ = EPISODES[slug]
    spec = project / "episodes" / slug / "episode.toml"
    assert any(slug in text for text in site_files(project).values())      # it was published
    spec.write_text(spec.read_text().replace('status = "public"', 'status = "withdrawn"'))
    (project / "episodes" / slug / clip).unlink()          # the partner asked for the recording to go
    run(project)
    for path, text in site_files(project).items():
        for needle in (slug, guid, fold(title)):
            assert needle not in text and needle not in str(path), (path, needle)
    assert not (project / "output" / "episodes" / slug).exists()
    assert "ask-not" in (project / "output" / "site" / "en" / "feed.xml").read_text()


def test_a_withdrawn_guid_is_never_reused(project):
    again = project / "episodes" / "copy-of-ask-not"
    add_episode(project, again.name, spec_toml("jfk.wav", "draft", EPISODES["three-voices"][2], "Reuse", ""),
                {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"})
    result = CliRunner().invoke(main, ["--project", str(project), "check"])
    assert result.exit_code == 1
    assert "copy-of-ask-not/episode.toml: field 'guid': guid 33333333" in result.output
    assert "never reused" in result.output


def test_check_finds_feeds_out_of_step_with_consent_and_files(project):
    spec = project / "episodes" / "ask-not" / "episode.toml"
    original = spec.read_text()
    spec.write_text(original.replace('status = "public"', 'status = "draft"'))
    mp3 = published_audio(project / "output" / "site", "ask-not")
    data = mp3.read_bytes()
    mp3.write_bytes(data[:1000])
    result = CliRunner().invoke(main, ["--project", str(project), "check"])
    assert result.exit_code == 1
    stale = "en/feed.xml: still lists ask-not, whose status is draft — run `learninglab publish`"
    assert stale in result.output
    assert f"enclosure length {len(data)} but {mp3.name} has 1000 bytes" in result.output
    spec.write_text(original)
    mp3.write_bytes(data)


def test_the_site_works_from_a_read_only_copy(project, tmp_path):
    """A copy of output/site/ on a read-only mount, served by `learninglab serve`: pages, feeds, audio."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    copy = copy_project(tmp_path / "copy", episodes=[])
    shutil.copytree(project / "output" / "site", copy / "output" / "site")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && '
              'exec "$2" -m pipeline --project "$3" serve --port "$4"')
    server = subprocess.Popen(["unshare", "-Urm", "sh", "-c", script, "sh", str(copy / "output" / "site"),
                               sys.executable, str(copy), str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        for page in ("index.html", "es/index.html", "fr/ask-not/index.html", "en/feed.xml", "sitemap.xml"):
            with urllib.request.urlopen(base + page, timeout=5) as response:
                assert response.status == 200 and len(response.read()) > 100
        mp3 = base + published_audio(copy / "output" / "site", "ask-not").relative_to(
            copy / "output" / "site").as_posix()
        request = urllib.request.Request(mp3, headers={"Range": "bytes=0-99"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 206 and len(response.read()) == 100
        probe_write = subprocess.run(["unshare", "-Urm", "sh", "-c", 'mount --bind "$1" "$1" && '
                                      'mount -o remount,bind,ro "$1" && touch "$1/x"', "sh",
                                      str(copy / "output" / "site")], capture_output=True)
        assert probe_write.returncode != 0      # the mount really is read-only
    finally:
        server.terminate()
        server.wait(timeout=10)
