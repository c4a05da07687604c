"""Everything publish reads from an episode's work area, in one place.

The translate and summarize stages are younger than publish; their file shapes are read
here, tolerantly, so a change in them is adapted in this module only. Missing optional
inputs (a translation, a summary, chapters) are None or empty, never an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..audio import AudioInfo
from ..episode import Chapter, EpisodeSpec
from ..errors import LearningLabError
from ..project import Project
from ..transcript import Transcript, load

TRANSCRIPT_FORMATS = ("json", "vtt", "srt", "txt")


@dataclass(frozen=True)
class KeyPoint:
    text: str
    start: float | None = None      # where in the recording it was said, when known


@dataclass(frozen=True)
class Summary:
    """The summarize stage's output for one language (summary.json), as publish needs it.

    The file's shape is documented in pipeline/summarize/model.py: `summary`, `key_points` and
    `topics` are lists of {text, start, ...}; `translation` names the engine or is null."""
    text: str | None = None
    key_points: tuple[KeyPoint, ...] = ()
    topics: tuple[str, ...] = ()
    title: str | None = None
    description: str | None = None
    engine: str | None = None       # the translation engine, when this summary was translated


@dataclass(frozen=True)
class Audio:
    podcast: Path
    low: Path
    info: AudioInfo


def audio(project: Project, spec: EpisodeSpec) -> Audio:
    folder = project.stage_dir(spec, "master")
    podcast, low, info = folder / "podcast.mp3", folder / "podcast-low.mp3", folder / "audio.json"
    for path in (podcast, low, info):
        if not path.is_file():
            raise LearningLabError(path, "mastered audio is missing",
                                   fix=f"run `learninglab master {spec.slug}`")
    try:
        loaded = AudioInfo.load(info)
    except (OSError, ValueError, TypeError) as exc:
        raise LearningLabError(info, f"unreadable ({exc})",
                               fix=f"run `learninglab master --force {spec.slug}`") from exc
    return Audio(podcast, low, loaded)


def source_transcript_dir(project: Project, spec: EpisodeSpec) -> Path:
    """The redacted transcript (redact/). The raw one in transcribe/ is never published."""
    return project.stage_dir(spec, "redact")


def translation_dir(project: Project, spec: EpisodeSpec, lang: str) -> Path:
    return project.stage_dir(spec, "translate") / lang


def source_transcript(project: Project, spec: EpisodeSpec) -> Transcript:
    folder = source_transcript_dir(project, spec)
    for path in transcript_files(folder).values():
        if not path.is_file():
            raise LearningLabError(path, "redacted transcript is missing",
                                   fix=f"run `learninglab run {spec.slug}`")
    return load(folder / "transcript.json")


def translated_transcript(project: Project, spec: EpisodeSpec, lang: str) -> Transcript | None:
    """The translate stage's transcript for `lang`, when it exists and has all four files."""
    folder = translation_dir(project, spec, lang)
    if not all((folder / f"transcript.{ext}").is_file() for ext in TRANSCRIPT_FORMATS):
        return None
    return load(folder / "transcript.json")


def transcript_files(folder: Path) -> dict[str, Path]:
    return {ext: folder / f"transcript.{ext}" for ext in TRANSCRIPT_FORMATS}


def translation_engine(transcript: Transcript) -> str | None:
    """The engine named on translated pages: Transcript.extra["translation_engine"], else its engine."""
    if not transcript.translated_from:
        return None
    value = transcript.extra.get("translation_engine") or transcript.extra.get("engines") or transcript.engine
    return _describe(value) or None


def _describe(value) -> str:
    """An engine as text, whether stored as a string, a list, or a mapping of language pairs."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        parts = dict.fromkeys(_describe(v) for v in value.values())
        return ", ".join(p for p in parts if p)
    if isinstance(value, (list, tuple)):
        return ", ".join(dict.fromkeys(p for p in (_describe(v) for v in value) if p))
    return ""


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LearningLabError(path, f"cannot read ({exc})", fix="rerun `learninglab summarize`") from exc


def _text(item) -> str:
    if isinstance(item, str):
        return item.strip()
    if isinstance(item, dict):
        for key in ("text", "body", "sentence", "term", "name", "topic", "title"):
            if isinstance(item.get(key), str):
                return item[key].strip()
    return ""


def _start(item) -> float | None:
    if isinstance(item, dict):
        for key in ("start", "startTime", "time"):
            value = item.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
    return None


def _summary_text(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _summary_text(value.get("text") or value.get("sentences"))
    if isinstance(value, list):
        return " ".join(t for t in (_text(v) for v in value) if t) or None
    return None


def summary(project: Project, spec: EpisodeSpec, lang: str) -> Summary | None:
    path = project.stage_dir(spec, "summarize") / lang / "summary.json"
    if not path.is_file():
        return None
    data = _read_json(path)
    if not isinstance(data, dict):
        raise LearningLabError(path, "not a summary object", fix="rerun `learninglab summarize`")
    points = tuple(KeyPoint(_text(p), _start(p)) for p in data.get("key_points", []) or [] if _text(p))
    topics = tuple(dict.fromkeys(t for t in (_text(t) for t in data.get("topics", []) or []) if t))
    # pipeline/summarize/model.py: "translation" names the engine(s) that carried the text, or null
    engine = _describe(data.get("translation") or data.get("translation_engine") or "")
    return Summary(text=_summary_text(data.get("summary")), key_points=points, topics=topics,
                   title=_text(data.get("title")) or None, description=_text(data.get("description")) or None,
                   engine=engine or None)


def chapters(project: Project, spec: EpisodeSpec, lang: str) -> tuple[Chapter, ...]:
    """Podcasting 2.0 chapters JSON (`chapters[{startTime, title}]`) written by summarize."""
    path = project.stage_dir(spec, "summarize") / lang / "chapters.json"
    if not path.is_file():
        return ()
    data = _read_json(path)
    items = data.get("chapters", []) if isinstance(data, dict) else data
    out = [Chapter(_start(c) or 0.0, _text(c)) for c in items or [] if _text(c)]
    return tuple(sorted(out, key=lambda c: c.start))
