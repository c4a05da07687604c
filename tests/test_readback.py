"""The last check before a feed names an episode: published files read back as their readers see them,
a line (or a JSON string) at a time, so a 3-hour session's transcripts and pages are never held whole.
A form split across lines, across the scan's blocks, or hidden by escapes is still found."""

from __future__ import annotations

import json
import random

from pipeline.publish.readback import leaks, readable_text
from pipeline.redact import find, find_all

FORMS = ["Ana María Quispe", "Women's Fund"]


def filler(n: int) -> str:
    return "".join(f"[00:{i // 60:02d}:{i % 60:02d}] We talked about trust-based funding, line {i}.\n"
                   for i in range(n))


def test_every_kind_of_file_is_read_back_past_many_blocks(tmp_path):
    long = filler(800)                                     # ~50 kB: many of the scan's 4 kB blocks
    files = {
        "a/transcript.txt": long + "Then Ana María\nQuispe spoke.\n" + long,
        "a/transcript.vtt": "WEBVTT\n\n" + long + "00:01.000 --> 00:02.000\nAna María\nQUISPE\n",
        "a/index.html": "<p>" + long + "Ana&nbsp;Mar&iacute;a\n Quispe</p>",
        "a/notes.md": long + "Women\\'s Fund\n",
        "a/transcript.json": json.dumps({"segments": [{"body": line} for line in long.splitlines()]
                                        + [{"body": "Ana Mar\u00eda"}, {"Quispe": 1}]}),
        "a/clean.txt": long,
        "a/women's-fund.txt": "nothing here\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = leaks(tmp_path, files, FORMS)
    assert sorted({rel for rel, _ in found}) == sorted(set(files) - {"a/clean.txt"})
    assert ("a/transcript.txt", "Ana María Quispe") in found
    assert ("a/notes.md", "Women's Fund") in found and ("a/women's-fund.txt", "women's-fund") in found
    assert "Ana María\nQuispe" in readable_text(tmp_path / "a/transcript.json")     # strings, decoded


def test_a_text_read_in_lines_is_searched_as_one_text():
    words = ["Ana", "María", "Quispe", "ana-maría", "QUISPE.", "Women's", "Fund", "the", "—", "\n", "\n\n"]
    for seed in range(200):
        rng = random.Random(seed)
        text = " ".join(rng.choices(words, k=rng.randint(0, 300)))
        lines = text.splitlines(keepends=True)
        assert sorted(find_all(lines, FORMS, block=rng.randint(1, 40), window=rng.randint(1, 4))) == \
            sorted(" ".join(form.split()) for form in find(text, FORMS)), seed
