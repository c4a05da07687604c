"""The leak scan: a real project run end to end (`learninglab run`, real Whisper, real Apertium),
with redactions and a withdrawal, then every byte under output/ and $TMPDIR searched.

What must be absent: every redacted form, and the withdrawn episode's title, guid, slug and speaker
names — in file names, in text, in UTF-16, behind HTML entities and JSON escapes, in MP3 tags. The
scan here is written independently of pipeline/publish/redaction.py, so the two cannot share a blind
spot.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import SPEECH, copy_project

REDACTED = ["crocodile", "Ladies and gentlemen", "cocodrilo", "Amina Diallo", "Women's Fund", "turbulence"]
WITHDRAWN = {"slug": "zanzibar-circle", "guid": "9d3c0a5e-7b21-4c8e-a1f0-2e6b4d8c9a17",
             "title": "Zanzibar lighthouse circle", "speaker": "Wanjiru Kamau"}

THREE_VOICES = '''title = "The crocodile call with Amina Diallo"
date = 2026-05-02
recording = "call.wav"
language = "auto"
status = "public"
guid = "4b8e2f1a-6c3d-4e5f-9a7b-1c2d3e4f5a6b"
description = "Amina Diallo of the Women’s Fund hosts; ladies and gentlemen, the crocodile."
topics = ["crocodile sounds"]
summary = "A crocodile, then some turbulence."
key_points = ["Ladies and gentlemen were told to expect turbulence."]

[[speakers]]
name = "Amina Diallo"
organization = "Women's Fund"
role = "host"

[[speakers]]
name = "Grace Otieno"
organization = "Kisumu Girls Network"
role = "guest"

[redact]
words = ["crocodile", "Ladies and gentlemen", "Amina Diallo", "Women's Fund", "turbulence"]
words_es = ["cocodrilo"]
'''

WITHDRAWN_TOML = f'''title = "{WITHDRAWN["title"]}"
date = 2026-05-01
recording = "circle.wav"
language = "en"
status = "public"
guid = "{WITHDRAWN["guid"]}"
description = "A circle that met at the lighthouse."

[[speakers]]
name = "{WITHDRAWN["speaker"]}"
organization = "Lighthouse Women"
role = "guest"
'''

ASK_NOT = '''title = "Ask not"
date = 2026-04-30
recording = "jfk.wav"
language = "en"
status = "public"
guid = "5c9f3a2b-7d4e-4f6a-8b1c-2d3e4f5a6b7c"
'''


def fold(text: str) -> str:
    text = re.sub("[’‘ʼ`´]", "'", text)
    text = re.sub("[‐‑‒–—]", "-", text).replace("\u00a0", " ")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def readings(data: bytes) -> list[str]:
    """Every way a reader could turn these bytes into text."""
    texts = [data.decode(codec, "ignore") for codec in ("utf-8", "utf-16-le", "utf-16-be", "latin-1")]
    texts += [data[1:].decode(codec, "ignore") for codec in ("utf-16-le", "utf-16-be")]   # odd offsets
    first = texts[0]
    texts.append(html.unescape(first))
    try:
        texts.append(json.dumps(json.loads(first), ensure_ascii=False))
    except ValueError:
        pass
    texts.append(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), first))   # \\u escapes
    return [fold(t.replace("\x00", "")) for t in texts]


def needles() -> list[str]:
    out = [fold(w) for w in REDACTED]
    out += [fold(WITHDRAWN["title"]), WITHDRAWN["guid"], WITHDRAWN["slug"], fold(WITHDRAWN["speaker"])]
    out += [n.replace(" ", "-") for n in out if " " in n]          # as in a slug or a file name
    return out


def scan(*folders: Path) -> list[tuple[str, str]]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            name = fold(str(path.relative_to(folder)))
            found += [(str(path), n) for n in needles() if n in name]
            if path.is_file() and not path.is_symlink():
                for text in readings(path.read_bytes()):
                    found += [(str(path), n) for n in needles() if n in text]
    return sorted(set(found))


def learninglab(project: Path, tmpdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(tmpdir), TEMP=str(tmpdir), TMP=str(tmpdir))
    return subprocess.run([sys.executable, "-m", "pipeline", "--project", str(project), *args],
                          capture_output=True, text=True, env=env, timeout=1200)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    base = tmp_path_factory.mktemp("leak-scan")
    project = copy_project(base / "project", episodes=[])
    tmpdir = base / "tmpdir"
    tmpdir.mkdir()
    for slug, toml, clip, name in (
            ("animal-sounds-call", THREE_VOICES, "en_picovoice_three_speakers.wav", "call.wav"),
            (WITHDRAWN["slug"], WITHDRAWN_TOML, "en_picovoice_quilter.wav", "circle.wav"),
            ("ask-not", ASK_NOT, "en_jfk_ask_not.wav", "jfk.wav")):
        folder = project / "episodes" / slug
        folder.mkdir(parents=True)
        (folder / "episode.toml").write_text(toml, encoding="utf-8")
        (folder / name).write_bytes((SPEECH / clip).read_bytes())
    first = learninglab(project, tmpdir, "run")
    assert first.returncode == 0, first.stdout + first.stderr
    site = project / "output" / "site"
    assert WITHDRAWN["guid"] in (site / "en" / "feed.xml").read_text(encoding="utf-8")   # it was published
    spec = project / "episodes" / WITHDRAWN["slug"] / "episode.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace('status = "public"', 'status = "withdrawn"'),
                    encoding="utf-8")
    (project / "episodes" / WITHDRAWN["slug"] / "circle.wav").unlink()
    second = learninglab(project, tmpdir, "run")
    assert second.returncode == 0, second.stdout + second.stderr
    one = learninglab(project, tmpdir, "run", "ask-not")
    return project, tmpdir, first, second, one


def test_no_redacted_form_and_nothing_withdrawn_anywhere_under_output_or_tmpdir(scanned):
    project, tmpdir, *_ = scanned
    assert scan(project / "output", tmpdir) == []


def test_the_scan_would_have_seen_them(scanned):
    """The same scan finds what it looks for where it is: the episode files themselves."""
    project, *_ = scanned
    found = {n for _, n in scan(project / "episodes")}
    assert {fold("Amina Diallo"), fold("crocodile"), WITHDRAWN["guid"]} <= found


def test_the_runs_said_what_they_did(scanned):
    _, _, first, second, one = scanned
    assert second.stdout.splitlines()[0] == \
        f"withdrawn: {WITHDRAWN['slug']} removed from every feed, page and work file"
    assert "withdrawn" not in one.stdout.splitlines()[0]
    assert one.returncode == 0, one.stdout + one.stderr
    assert "stages not done" not in one.stdout            # run SLUG: the others are done, and published


def test_redacted_text_is_marked_not_dropped(scanned):
    project, *_ = scanned
    site = project / "output" / "site"
    page = (site / "en" / "animal-sounds-call" / "index.html").read_text(encoding="utf-8")
    assert "The [redacted] call with [redacted]" in page
    assert "Grace Otieno" in page and "Kisumu Girls Network" in page
    vtt = (site / "episodes" / "animal-sounds-call" / "transcript-original.vtt").read_text(encoding="utf-8")
    assert "[redacted]" in vtt and "sounds like" in vtt
