"""The show: learninglab.toml, the one podcast published in every language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from . import LANGUAGES
from .errors import LearningLabError
from .tomlfile import Fields, read_toml

SHOW_FILE = "learninglab.toml"


@dataclass(frozen=True)
class ShowText:
    title: str
    description: str
    guid: str | None = None      # podcast:guid, pinned so a new base_url never changes it


@dataclass(frozen=True)
class SummaryConfig:
    sentences: int = 4
    key_points: int = 5


@dataclass(frozen=True)
class TranscribeConfig:
    engine: str = "faster-whisper"
    model: str = "base"
    beam_size: int = 5


@dataclass(frozen=True)
class Show:
    path: Path
    base_url: str
    author: str
    owner_name: str
    owner_email: str
    artwork: str
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    explicit: bool
    text: dict[str, ShowText]
    copyright: str = ""
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    transcribe: TranscribeConfig = field(default_factory=TranscribeConfig)

    @property
    def root(self) -> Path:
        return self.path.parent


SENTENCES = range(3, 7)       # the summary's length; the same bounds as `summarize --sentences`
KEY_POINTS = range(3, 9)
BEAM_SIZES = range(1, 21)


def _in_range(fields: Fields, key: str, default: int, allowed: range) -> int:
    value = fields.get(key, int, default)
    low, high = allowed.start, allowed.stop - 1
    if value not in allowed:
        raise fields.error(key, f"is {value}, outside {low}–{high}",
                           f"use a whole number from {low} to {high} (default {default})")
    return value


def check_language(fields: Fields, key: str, value: str, allow_auto: bool = False) -> str:
    allowed = list(LANGUAGES) + (["auto"] if allow_auto else [])
    if value not in allowed:
        raise fields.error(key, f"unknown language code {value!r}", f"use one of {', '.join(allowed)}")
    return value


def load_show(root: Path) -> Show:
    path = Path(root) / SHOW_FILE
    if not path.exists():
        raise LearningLabError(path, "no learninglab.toml here",
                               fix="run learninglab in the project folder or pass --project DIR")
    data = Fields(path, read_toml(path))
    data.unknown({"show", "summary", "transcribe"})
    show = data.table("show")
    show.unknown({"base_url", "author", "owner_name", "owner_email", "artwork", "categories",
                  "languages", "explicit", "copyright", "en", "es", "fr"})
    base_url = show.text("base_url", required=True, fix='e.g. base_url = "https://example.org/podcast/"')
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise show.error("base_url", f"not an http(s) URL: {base_url!r}",
                         'e.g. base_url = "https://example.org/podcast/"')
    if not base_url.endswith("/"):
        base_url += "/"
    languages = tuple(show.get("languages", list, list(LANGUAGES)))
    if not languages:
        raise show.error("languages", "is empty: the show needs at least one language",
                         f'e.g. languages = {list(LANGUAGES)!r}'.replace("'", '"'))
    for lang in languages:
        if not isinstance(lang, str):
            raise show.error("languages", f"must be a list of language codes, got {lang!r}",
                             'e.g. languages = ["en", "es", "fr"]')
        check_language(show, "languages", lang)
    if len(set(languages)) != len(languages):
        raise show.error("languages", "names a language twice", 'e.g. languages = ["en", "es", "fr"]')
    text = {}
    for lang in languages:
        sub = show.table(lang)
        sub.unknown({"title", "description", "guid"})
        guid = sub.text("guid")
        if guid is not None and not re.fullmatch(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", guid):
            raise sub.error("guid", f"not a UUID: {guid!r}", "never edit a guid; restore the old value")
        text[lang] = ShowText(sub.text("title", required=True, fix=f"add [show.{lang}] title = \"...\""),
                              sub.text("description", required=True,
                                       fix=f"add [show.{lang}] description = \"...\""), guid)
    email = show.text("owner_email", required=True, fix='e.g. owner_email = "podcast@example.org"')
    if "@" not in email:
        raise show.error("owner_email", f"not an e-mail address: {email!r}")
    categories = show.strings("categories")
    artwork = show.text("artwork", required=True, fix='e.g. artwork = "artwork.png" (1400–3000 px)')
    if ".." in Path(artwork).parts or Path(artwork).is_absolute():
        raise show.error("artwork", "must be a path inside the project", "e.g. artwork = \"artwork.png\"")
    summary = data.table("summary")
    summary.unknown({"sentences", "key_points"})
    transcribe = data.table("transcribe")
    transcribe.unknown({"engine", "model", "beam_size"})
    engine = transcribe.text("engine", "faster-whisper")
    if engine not in ("faster-whisper", "openai-whisper"):
        raise transcribe.error("engine", f"unknown engine {engine!r}", "use faster-whisper or openai-whisper")
    model = transcribe.text("model", "base")
    if not model.strip():
        raise transcribe.error("model", "is empty", 'use a model name such as "base"')
    return Show(
        path=path, base_url=base_url,
        author=show.text("author", required=True),
        owner_name=show.text("owner_name", "") or show.text("author", required=True),
        owner_email=email, artwork=artwork, categories=tuple(categories), languages=languages,
        explicit=show.get("explicit", bool, False), text=text,
        copyright=show.text("copyright", "") or "",
        summary=SummaryConfig(_in_range(summary, "sentences", 4, SENTENCES),
                              _in_range(summary, "key_points", 5, KEY_POINTS)),
        transcribe=TranscribeConfig(engine, model, _in_range(transcribe, "beam_size", 5, BEAM_SIZES)),
    )
