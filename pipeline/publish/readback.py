"""Reading published files back the way their readers do, to find a redacted form that survived.

A page is read with its entities resolved, notes.md with its Markdown escapes removed, JSON with its
escapes decoded, an MP3 by its ID3 tag (UTF-8, UTF-16 or Latin-1 frames), an Ogg file by its
comment pages. Text files are read a line at a time (JSON a string at a time), so the transcripts
and pages of a 3-hour session are never held whole. Light on purpose: the consent pass
(pipeline/consent.py) uses it before anything else is loaded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..redact import find, find_all

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        yield from handle


def _json_strings(path: Path) -> Iterator[str]:
    """Every key and string of a JSON file, decoded, as they are parsed; a file that is not JSON
    after all is read again as lines of text."""
    import ijson

    try:
        with open(path, "rb") as handle:
            for event, value in ijson.basic_parse(handle):
                if event in ("map_key", "string"):
                    yield value + "\n"
    except ijson.JSONError:
        yield from _lines(path)


def _id3_text(path: Path) -> str:
    """The ID3v2 tag at the start of an MP3 (read alone, never the audio), decoded every way a frame
    may be encoded."""
    with open(path, "rb") as handle:
        head = handle.read(10)
        if head[:3] != b"ID3" or len(head) < 10:
            return ""
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        tag = handle.read(min(size, 1 << 20))
    # UTF-16 text starts at an even or odd byte of the tag, depending on the frames before it
    # (ffmpeg's: 10-byte frame header, encoding byte, BOM): both alignments are read
    return "\n".join(tag[start:].decode(codec, "ignore").replace("\x00", "")
                      for codec in ("utf-8", "utf-16-le", "utf-16-be", "latin-1")
                      for start in ((0, 1) if codec.startswith("utf-16") else (0,)))


def readable_runs(path: Path) -> list[Iterable[str]]:
    """What a reader of this file can see (of audio, only its tags), as runs of text, each read in
    pieces as it is scanned: a line, or a JSON string, at a time."""
    suffix = path.suffix.lower()
    if suffix == ".mp3":
        return [(_id3_text(path),)]
    if suffix in (".ogg", ".opus", ".oga"):
        with open(path, "rb") as handle:                   # Vorbis comments sit in the first pages
            return [(handle.read(65536).decode("utf-8", "ignore"),)]
    if suffix in (".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico"):
        return []
    if suffix == ".json":
        return [_json_strings(path)]
    if suffix in (".html", ".htm", ".xml"):
        return [map(html.unescape, _lines(path))]
    if suffix == ".md":                # as written, and as a Markdown reader shows it
        return [map(html.unescape, _lines(path)),
                (_MD_ESCAPE.sub(r"\1", html.unescape(line)) for line in _lines(path))]
    return [_lines(path)]


def readable_text(path: Path) -> str:
    """What a reader of this file can see, as one text (for short files)."""
    return "\n".join("".join(run) for run in readable_runs(path))


def leaks(site: Path, rels: Iterable[str], forms: Sequence[str]) -> list[tuple[str, str]]:
    """(file, form as found) for every listed form that survives in the site's given files (paths
    relative to the site) or in their names."""
    if not forms:
        return []
    out = []
    for rel in sorted(rels):
        out += [(rel, found) for found in find(rel, forms)]
        path = Path(site) / rel
        try:
            runs = readable_runs(path)
            out += [(rel, found) for found in dict.fromkeys(f for run in runs for f in find_all(run, forms))]
        except OSError:
            continue
    return out
