"""Episode specs: episodes/<slug>/episode.toml, validated with errors that name file and field."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import LANGUAGES
from .errors import LearningLabError
from .paths import inside
from .show import check_language
from .tomlfile import Fields, read_toml
from .voices import VoiceMap, parse_voices

EPISODE_FILE = "episode.toml"
EPISODES_DIR = "episodes"
STATUSES = ("public", "unlisted", "draft", "withdrawn")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Speaker:
    name: str
    organization: str = ""
    role: str = ""


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str


@dataclass(frozen=True)
class LocalText:
    """Human-written text for one language; it always wins over generated text."""
    title: str | None = None
    description: str | None = None
    summary: str | None = None
    key_points: tuple[str, ...] = ()
    chapters: tuple[Chapter, ...] = ()


@dataclass(frozen=True)
class Redaction:
    ranges: tuple[tuple[float, float], ...] = ()
    words: tuple[str, ...] = ()                 # forms redacted in every language
    fill: str = "tone"          # "tone" or "silence"
    words_in: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (language, forms): words_es = [...]

    @property
    def forms(self) -> tuple[str, ...]:
        """Every form to redact, in every text of every language (a Spanish form on an English page
        is as much a leak as on a Spanish one)."""
        return tuple(dict.fromkeys([*self.words, *(w for _, forms in self.words_in for w in forms)]))


@dataclass(frozen=True)
class EpisodeSpec:
    slug: str
    folder: Path
    title: str
    date: dt.date
    recording: Path
    language: str                       # "auto" or a code
    description: str = ""
    speakers: tuple[Speaker, ...] = ()
    topics: tuple[str, ...] = ()
    explicit: bool = False
    season: int | None = None
    episode: int | None = None
    status: str = "public"
    guid: str | None = None
    local: dict[str, LocalText] = field(default_factory=dict)
    redaction: Redaction = field(default_factory=Redaction)
    voices: VoiceMap = field(default_factory=VoiceMap)     # [voices]: who staff say each voice is

    @property
    def spec_path(self) -> Path:
        return self.folder / EPISODE_FILE


def check_slug(fields: Fields, key: str, slug: str) -> str:
    if not SLUG_RE.match(slug):
        raise fields.error(key, f"invalid slug {slug!r}",
                           "use lowercase letters, digits and hyphens only (e.g. 2026-03-peer-call)")
    return slug


def check_recording(recording: Path, folder: Path, spec_path: Path) -> None:
    project = Path(folder).parent.parent
    if recording.exists() and not inside(recording, project):
        raise LearningLabError(recording, "is a link to a file outside the project", field="recording",
                               fix=f"copy the recording itself into {folder}")
    if not recording.is_file():
        raise LearningLabError(recording, "recording not found", field="recording",
                               fix=f"copy the file into {folder} or fix 'recording' in {spec_path}")
    if recording.stat().st_size == 0:
        raise LearningLabError(recording, "recording is an empty file", field="recording",
                               fix="export the recording again")


def _seconds(fields: Fields, key: str, value) -> float:
    """A time as seconds (number) or "mm:ss" / "hh:mm:ss" text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"(\d+:)?\d{1,2}:\d{2}(\.\d+)?", value.strip()):
        total = 0.0
        for part in value.strip().split(":"):
            total = total * 60 + float(part)
        return total
    raise fields.error(key, f"not a time: {value!r}", 'use seconds (90) or "1:30"')


def _date(data: Fields) -> dt.date:
    """The episode's day. Text that reads as a date gets that very date back as the fix."""
    value = data.get("date", (dt.date, dt.datetime, str), required=True,
                     fix="add date = 2026-04-14 (year-month-day, no quotes)")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    from .tomlfile import as_iso_date

    iso = as_iso_date(value.strip())
    fix = (f"write date = {iso} (no quotes)" if iso
           else "write year-month-day, e.g. date = 2026-04-14 (no quotes)")
    raise data.error("date", f"is text ({value!r}), not a date", fix)


def _local(fields: Fields) -> LocalText:
    fields.unknown({"title", "description", "summary", "key_points", "chapters"})
    chapters = []
    for i, item in enumerate(fields.get("chapters", list, [])):
        sub = Fields(fields.path, item if isinstance(item, dict) else {}, f"{fields.name('chapters')}[{i}].")
        if not isinstance(item, dict):
            raise fields.error("chapters", "must be a list of {start, title} tables")
        sub.unknown({"start", "title"})
        chapters.append(Chapter(_seconds(sub, "start", sub.get("start", (int, float, str), required=True)),
                                sub.text("title", required=True)))
    points = fields.strings("key_points")
    return LocalText(fields.text("title"), fields.text("description"), fields.text("summary"),
                     tuple(points), tuple(sorted(chapters, key=lambda c: c.start)))


KNOWN = {"slug", "title", "date", "recording", "language", "description", "speakers", "topics",
         "explicit", "season", "episode", "status", "guid", "redact", "voices", *LANGUAGES,
         "summary", "key_points", "chapters"}


def load_episode(folder: Path) -> EpisodeSpec:
    path = Path(folder) / EPISODE_FILE
    data = Fields(path, read_toml(path))
    data.unknown(KNOWN)
    slug = check_slug(data, "slug", data.text("slug", Path(folder).name))
    title = data.text("title", required=True, fix='add title = "..."')
    date = _date(data)
    status = data.text("status", "public")
    if status not in STATUSES:
        raise data.error("status", f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}")
    recording_name = data.text("recording", required=True, fix='add recording = "session.mp3"')
    rec_rel = Path(recording_name)
    if rec_rel.is_absolute() or ".." in rec_rel.parts or not recording_name.strip():
        raise data.error("recording", f"must name a file inside {folder}, got {recording_name!r}",
                         "copy the recording into the episode folder")
    recording = Path(folder) / rec_rel
    if status != "withdrawn":   # a withdrawn episode's recording may be gone; it must still be removed
        check_recording(recording, folder, path)
    language = check_language(data, "language", data.text("language", "auto"), allow_auto=True)
    speakers = []
    for i, item in enumerate(data.get("speakers", list, [])):
        if not isinstance(item, dict):
            raise data.error("speakers", "must be a list of [[speakers]] tables")
        sub = Fields(path, item, f"speakers[{i}].")
        sub.unknown({"name", "organization", "role"})
        speakers.append(Speaker(sub.text("name", required=True), sub.text("organization", "") or "",
                                sub.text("role", "") or ""))
    voices = parse_voices(data.table("voices"), [s.name for s in speakers])
    topics = data.strings("topics")
    guid = data.text("guid")
    if guid is not None and not GUID_RE.match(guid.lower()):
        raise data.error("guid", f"not a UUID: {guid!r}", "never edit a guid; restore the old value")
    for key in ("season", "episode"):
        value = data.get(key, int)
        if value is not None and value < 1:
            raise data.error(key, "must be 1 or more")
    redact = data.table("redact")
    redact.unknown({"ranges", "words", "fill", *(f"words_{lang}" for lang in LANGUAGES)})
    ranges = []
    for i, item in enumerate(redact.get("ranges", list, [])):
        if not (isinstance(item, list) and len(item) == 2):
            raise redact.error("ranges", f"item {i} must be [start, end]", 'e.g. ranges = [["1:05", "1:12"]]')
        start, end = (_seconds(redact, "ranges", v) for v in item)
        if end <= start:
            raise redact.error("ranges", f"item {i} ends before it starts",
                               'write [start, end], e.g. ["1:05", "1:12"]')
        ranges.append((start, end))
    words = redact.strings("words")
    if not all(w.strip() for w in words):
        raise redact.error("words", "must be a list of non-empty strings")
    words_in = []
    for lang in LANGUAGES:
        forms = redact.strings(f"words_{lang}")
        if not all(w.strip() for w in forms):
            raise redact.error(f"words_{lang}", "must be a list of non-empty strings")
        if forms:
            words_in.append((lang, tuple(forms)))
    fill = redact.text("fill", "tone")
    if fill not in ("tone", "silence"):
        raise redact.error("fill", f"unknown fill {fill!r}", "use tone or silence")
    top = {k: data.data[k] for k in ("summary", "key_points", "chapters") if k in data.data}
    local = {lang: _local(data.table(lang)) for lang in LANGUAGES if lang in data.data}
    if top:
        spoken = language if language != "auto" else "source"
        mine, above = local.get(spoken, LocalText()), _local(Fields(path, top))
        # the [en] table (when language = "en") keeps its title and description; where both give a
        # field, the table wins, as it does for a language's own summary everywhere else
        local[spoken] = LocalText(**{name: getattr(mine, name) or value
                                     for name, value in vars(above).items()})
    spec = EpisodeSpec(
        slug=slug, folder=Path(folder), title=title, date=date, recording=recording, language=language,
        description=data.text("description", "") or "", speakers=tuple(speakers), topics=tuple(topics),
        explicit=data.get("explicit", bool, False), season=data.get("season", int),
        episode=data.get("episode", int), status=status, guid=guid.lower() if guid else None,
        local=local, redaction=Redaction(tuple(ranges), tuple(words), fill, tuple(words_in)), voices=voices,
    )
    from .redact import redact_spec
    return redact_spec(spec)          # the public view: no stage ever sees a redacted form


@dataclass(frozen=True)
class Discovery:
    episodes: tuple[EpisodeSpec, ...]
    errors: tuple[LearningLabError, ...]


def retired_error(spec: EpisodeSpec, day: str) -> LearningLabError:
    when = f" on {day}" if day else ""
    return LearningLabError(spec.spec_path, f"guid {spec.guid} was retired when its episode's consent was "
                            f"withdrawn{when}: it is never published again", field="guid",
                            fix="to publish this session anew (if the partner consents again), make a new "
                                "episode with `learninglab new` (a new guid)")


def discover(root: Path) -> Discovery:
    """Every episode folder under episodes/; a broken one is an error, never a stop."""
    base = Path(root) / EPISODES_DIR
    episodes: list[EpisodeSpec] = []
    errors: list[LearningLabError] = []
    if not base.is_dir():
        return Discovery((), ())
    from .consent import retired_guids

    retired = retired_guids(root)
    seen: dict[str, Path] = {}
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not inside(folder, root) or not inside(folder / EPISODE_FILE, root):
            errors.append(LearningLabError(folder, "is a link that leaves the project folder",
                                           fix="copy the episode folder itself into episodes/"))
            continue
        if not (folder / EPISODE_FILE).exists():
            errors.append(LearningLabError(folder / EPISODE_FILE, "missing episode.toml",
                                           fix=f"run `learninglab new {folder.name} --recording FILE`"))
            continue
        try:
            spec = load_episode(folder)
        except LearningLabError as exc:
            errors.append(exc)
            continue
        if spec.slug in seen:
            errors.append(LearningLabError(spec.spec_path, f"duplicate slug {spec.slug!r}", field="slug",
                                           fix=f"already used by {seen[spec.slug] / EPISODE_FILE}; "
                                               "give each episode its own slug"))
            episodes = [e for e in episodes if e.slug != spec.slug]
            continue
        seen[spec.slug] = folder
        episodes.append(spec)
    owners: dict[str, EpisodeSpec] = {}
    # the guid belongs to a withdrawn episode first (it is retired), else to the oldest one
    for spec in sorted(episodes, key=lambda e: (e.status != "withdrawn", e.date, e.slug)):
        if spec.guid is None:
            continue
        if spec.guid in owners:
            errors.append(LearningLabError(spec.spec_path, f"guid {spec.guid} is already the guid of "
                                           f"{owners[spec.guid].spec_path}", field="guid",
                                           fix="a guid is an episode's identity forever and is never "
                                               "reused: give this episode a new one"))
            episodes.remove(spec)
        elif spec.guid in retired and spec.status != "withdrawn":
            errors.append(retired_error(spec, retired[spec.guid]))
            episodes.remove(spec)
        else:
            owners[spec.guid] = spec
    return Discovery(tuple(episodes), tuple(errors))
