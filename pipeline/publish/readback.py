"""Reading published files back the way their readers do, to find a redacted form that survived.

A page is read with its entities resolved, notes.md with its Markdown escapes removed, JSON with its
escapes decoded, an MP3 by its ID3 tag (UTF-8, UTF-16 or Latin-1 frames), an Ogg file by its
comment pages. Light on purpose: the consent pass (pipeline/consent.py) uses it before anything else
is loaded.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..redact import find

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


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


def readable_text(path: Path) -> str:
    """What a reader of this file can see, as text (of audio, only its tags)."""
    suffix = path.suffix.lower()
    if suffix == ".mp3":
        return _id3_text(path)
    if suffix in (".ogg", ".opus", ".oga"):
        with open(path, "rb") as handle:                   # Vorbis comments sit in the first pages
            return handle.read(65536).decode("utf-8", "ignore")
    if suffix in (".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico"):
        return ""
    text = path.read_bytes().decode("utf-8", "replace")
    if suffix == ".json":
        try:
            return "\n".join(_strings(json.loads(text)))
        except ValueError:
            return text
    if suffix in (".html", ".htm", ".xml", ".md"):
        unescaped = html.unescape(text)
        return unescaped + "\n" + _MD_ESCAPE.sub(r"\1", unescaped) if suffix == ".md" else unescaped
    return text


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
            text = readable_text(path)
        except OSError:
            continue
        out += [(rel, found) for found in dict.fromkeys(find(text, forms))]
    return out
