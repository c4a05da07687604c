"""The published record of one episode (site/episodes/<slug>/episode.json) and the site's layout.

Feeds and indexes are rendered from these records only, never from the work area, so an
episode whose stages failed this time keeps exactly what was published before, and a new
base_url re-renders every feed without touching the episodes. Paths are relative to the
site root; URLs are made from them and the show's base_url at render time.

Layout of output/site/:
    index.html, artwork.<ext>, static/            the portal's root page and shared files
    <lang>/index.html, <lang>/feed.xml            one portal page and one feed per language
    <lang>/<slug>/index.html, notes.md            session notes per episode and language
    episodes/<slug>/podcast.<digest>.mp3, podcast-low.<digest>.mp3  the audio, named by its bytes
    episodes/<slug>/transcript-<key>.<ext>        key: "original" (as spoken) or a language code
    episodes/<slug>/chapters-<lang>.json          Podcasting 2.0 chapters
    episodes/<slug>/episode.json                  this record
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..episode import Speaker
from ..errors import LearningLabError

log = logging.getLogger(__name__)

RECORD_FILE = "episode.json"
ORIGINAL = "original"
TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip", "json": "application/json",
                    "html": "text/html", "txt": "text/plain"}
FEED_TRANSCRIPTS = ("vtt", "srt", "json", "html")   # what the feeds announce, VTT first (captions)


def episode_dir(slug: str) -> str:
    return f"episodes/{slug}"


def page_dir(lang: str, slug: str) -> str:
    return f"{lang}/{slug}"


def transcript_path(slug: str, key: str, ext: str) -> str:
    return f"{episode_dir(slug)}/transcript-{key}.{ext}"


def chapters_path(slug: str, lang: str) -> str:
    return f"{episode_dir(slug)}/chapters-{lang}.json"


@dataclass(frozen=True)
class Media:
    path: str
    length: int          # bytes, from the published file itself
    type: str
    bitrate: int = 0     # bits a second it was encoded at, as master recorded it (0: not recorded)


@dataclass(frozen=True)
class TranscriptLink:
    path: str
    type: str
    language: str
    rel: str | None = None


@dataclass(frozen=True)
class LangRecord:
    title: str
    description: str
    page: str                                 # folder of the notes page, e.g. "es/<slug>"
    transcripts: tuple[TranscriptLink, ...]
    chapters: str | None = None
    translated: bool = False
    engines: tuple[str, ...] = ()
    title_lang: str = ""                      # set where the text is not yet in this language
    description_lang: str = ""
    summary: str = ""                         # the summary paragraph, when summarize made one
    machine: tuple[str, ...] = ()             # fields machine-translated (title, description, ...)
    notice: str = ""                          # the machine-translation notice, in this language


@dataclass(frozen=True)
class VoiceTime:
    """Talk time of one voice of the recording; `name` only when staff named it (pipeline.voices)."""
    voice: int
    name: str | None
    seconds: float


@dataclass(frozen=True)
class EpisodeRecord:
    slug: str
    guid: str
    date: dt.date
    status: str
    explicit: bool
    season: int | None
    episode: int | None
    duration: float
    source_language: str
    speakers: tuple[Speaker, ...]
    audio: Media
    low: Media
    langs: dict[str, LangRecord] = field(default_factory=dict)
    folder: str = ""          # the episode's folder under episodes/ (kept while its spec is broken)
    voices: tuple[VoiceTime, ...] = ()      # talk time per voice

    def bitrate(self, media: Media) -> int:
        """Bits per second of one of its files: as it was encoded (master records it: an average from
        the size counts the ID3 tag and Xing frame, and a 20-second clip's 32 kbps file read 33), or,
        for audio mastered before it was recorded, the average from its size, to 1 kbps."""
        if media.bitrate:
            return media.bitrate
        return int(round(media.length * 8 / self.duration, -3)) if self.duration > 0 else 0

    @property
    def low_bitrate(self) -> int:
        return self.bitrate(self.low)

    def to_json(self) -> str:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str, source: Path | str = RECORD_FILE) -> EpisodeRecord:
        try:
            data = json.loads(text)
            langs = {}
            for lang, item in data["langs"].items():
                item = dict(item)
                item["transcripts"] = tuple(TranscriptLink(**t) for t in item["transcripts"])
                item["engines"] = tuple(item.get("engines", ()))
                item["machine"] = tuple(item.get("machine", ()))
                langs[lang] = LangRecord(**item)
            return cls(
                slug=data["slug"], guid=data["guid"], date=dt.date.fromisoformat(data["date"]),
                status=data["status"], explicit=bool(data["explicit"]), season=data["season"],
                episode=data["episode"], duration=float(data["duration"]),
                source_language=data["source_language"],
                speakers=tuple(Speaker(**s) for s in data["speakers"]),
                audio=Media(**data["audio"]), low=Media(**data["low"]), langs=langs,
                folder=data.get("folder", ""), voices=tuple(VoiceTime(**v) for v in data.get("voices", ())))
        except (KeyError, TypeError, ValueError) as exc:
            raise LearningLabError(source, f"not a published-episode record ({exc!r})",
                                   fix="delete output/site and run `learninglab publish` again") from exc


def load_records(site: Path) -> dict[str, EpisodeRecord]:
    """Every record under site/episodes/, by slug; one whose files are gone is not a publication."""
    records = {}
    base = Path(site) / "episodes"
    if not base.is_dir():
        return records
    for path in sorted(base.glob(f"*/{RECORD_FILE}")):
        try:
            record = EpisodeRecord.from_json(path.read_text(encoding="utf-8"), path)
        except (LearningLabError, OSError, UnicodeDecodeError) as exc:
            # a damaged record is not a publication: the episode is republished from its work area
            log.warning("%s: ignored (%s)", path, exc)
            continue
        if record.slug != path.parent.name:     # a record names only its own folder
            log.warning("%s: ignored (it names episode %r)", path, record.slug)
            continue
        if (Path(site) / record.audio.path).is_file():
            records[record.slug] = record
    return records
