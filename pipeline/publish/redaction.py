"""The one redaction pass over everything an episode publishes, and the last check before the feeds.

Every text that reaches the site comes from the episode's public view (pipeline.redact.redact_spec)
or from stages that read the redacted transcript. `redact_content` passes over all of it once more at
publish time: titles, descriptions, speakers, summaries, key points, chapters, topics and every
transcript, in every language. `leaks` then reads back the files actually written (pages, Markdown,
captions, JSON, MP3 tags, share files) the way a reader or a podcast app would decode them — entities
resolved, JSON escapes read, UTF-16 tags decoded — and lists any listed form that survives; such an
episode is not published.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ..redact import find, redact_text, redact_transcript
from .content import EpisodeContent, LangContent

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _lang(content: LangContent, forms: Sequence[str]) -> LangContent:
    r = lambda text: redact_text(text, forms) if text else text  # noqa: E731
    return replace(
        content, title=r(content.title), description=r(content.description), summary=r(content.summary),
        key_points=tuple(replace(p, text=r(p.text)) for p in content.key_points),
        chapters=tuple(replace(c, title=r(c.title)) for c in content.chapters),
        topics=tuple(r(t) for t in content.topics),
        transcript=redact_transcript(content.transcript, forms))


def redact_content(episode: EpisodeContent) -> EpisodeContent:
    forms = episode.spec.redaction.forms
    if not forms:
        return episode
    return replace(episode, source=redact_transcript(episode.source, forms),
                   langs={lang: _lang(c, forms) for lang, c in episode.langs.items()})


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
    return "\n".join(tag.decode(codec, "ignore").replace("\x00", " ")
                     for codec in ("utf-8", "utf-16-le", "utf-16-be", "latin-1"))


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
