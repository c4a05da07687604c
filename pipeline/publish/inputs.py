"""Everything publish reads from an episode's work area, in one place.

Each file is read with the loader of the stage that wrote it; transcripts as streams, read a segment
at a time at each pass. Missing optional inputs (a translation, a summary) are None, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..audio import AudioInfo
from ..episode import EpisodeSpec
from ..errors import LearningLabError
from ..project import Project
from ..summarize.model import Summary
from ..summarize.model import load as load_summary
from ..transcript import TranscriptLike, TranscriptStream, open_stream
from ..translate.localize import EpisodeTexts

TRANSCRIPT_FORMATS = ("json", "vtt", "srt", "txt")


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


def source_transcript(project: Project, spec: EpisodeSpec) -> TranscriptStream:
    folder = source_transcript_dir(project, spec)
    for path in transcript_files(folder).values():
        if not path.is_file():
            raise LearningLabError(path, "redacted transcript is missing",
                                   fix=f"run `learninglab run {spec.slug}`")
    return open_stream(folder / "transcript.json")


def translated_transcript(project: Project, spec: EpisodeSpec, lang: str) -> TranscriptStream | None:
    """The translate stage's transcript for `lang`, when it exists and has all four files."""
    folder = translation_dir(project, spec, lang)
    if not all((folder / f"transcript.{ext}").is_file() for ext in TRANSCRIPT_FORMATS):
        return None
    return open_stream(folder / "transcript.json")


def transcript_files(folder: Path) -> dict[str, Path]:
    return {ext: folder / f"transcript.{ext}" for ext in TRANSCRIPT_FORMATS}


def translation_engine(transcript: TranscriptLike) -> str | None:
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


def episode_texts(project: Project, spec: EpisodeSpec, lang: str) -> EpisodeTexts | None:
    """The localize stage's texts.json for `lang` (title, description, speakers), when it exists."""
    from ..translate.localize import TEXTS_FILE, load

    path = project.stage_dir(spec, "localize") / lang / TEXTS_FILE
    return load(path) if path.is_file() else None


def voices(project: Project, spec: EpisodeSpec):
    """The diarize stage's voice turns (diarize/voices.json), when it has run."""
    from ..diarize.stage import VOICES_FILE, load

    folder = project.stage_dir(spec, "diarize")
    return load(folder) if (folder / VOICES_FILE).is_file() else None


def summary(project: Project, spec: EpisodeSpec, lang: str) -> Summary | None:
    """The summarize stage's summary.json for `lang` (its chapters included), when it exists."""
    folder = project.stage_dir(spec, "summarize") / lang
    return load_summary(folder) if (folder / "summary.json").is_file() else None


def voice_note(project: Project, spec: EpisodeSpec) -> Path:
    """The share stage's Ogg Opus voice note (share/voice-note.opus)."""
    path = project.stage_dir(spec, "share") / "voice-note.opus"
    if not path.is_file():
        raise LearningLabError(path, "the voice note for WhatsApp is missing",
                               fix=f"run `learninglab run {spec.slug}`")
    return path
