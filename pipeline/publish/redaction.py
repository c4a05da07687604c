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


def _id3_text(data: bytes) -> str:
    """The ID3v2 tag at the start of an MP3, decoded every way a frame may be encoded."""
    if data[:3] != b"ID3" or len(data) < 10:
        return ""
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    tag = data[10:10 + size]
    return "\n".join(tag.decode(codec, "ignore").replace("\x00", " ")
                     for codec in ("utf-8", "utf-16-le", "utf-16-be", "latin-1"))


def readable_text(path: Path) -> str:
    """What a reader of this file can see, as text."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".mp3":
        return _id3_text(data)
    if suffix in (".ogg", ".opus", ".oga"):
        return data[:65536].decode("utf-8", "ignore")      # Vorbis comments sit in the first pages
    if suffix in (".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico"):
        return ""
    text = data.decode("utf-8", "replace")
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
