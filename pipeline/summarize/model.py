"""The summary of one episode in one language, and its two files.

summarize/<lang>/summary.json (version 1; times in seconds from the start of the recording):

    {"version": 1,
     "language": "es",              every text in this file is in this language
     "source_language": "en",       the main language spoken in the recording
     "method": "...",               how it was made (extractive LexRank + MMR, TextTiling, ...)
     "translation": "apertium",     engine(s) that carried text into this language, or null
     "human": ["chapters"],         fields written by a person in episode.toml (not generated)
     "summary":    [{"text", "start", "end", "segment", "original", "flagged"}],   3-6, time order
     "key_points": [{"text", "start", "end", "segment", "original", "flagged"}],   3-8, time order
     "topics":     [{"text", "source", "mentions", "start", "original", "flagged"}],
     "chapters":   [{"start", "title", "original", "flagged"}]}

`start`/`end` are the times of the sentence's first and last word; `segment` indexes the segments
of redact/transcript.json (translations keep the same segments), so a line links to its
cue. Human-written lines have null times. `original` is the language the text was first said or
written in: when it differs from `language`, the text is a translation; `flagged` marks a
translation whose glossary terms could not be confirmed. Topic `source` is episode (episode.toml
`topics`), glossary (a glossary term that was said) or keyword (a key phrase of the talk);
`mentions` counts how often it was said. No sentence appears twice: the summary holds the most
central sentences, the key points the best remaining one of each chapter, then the next best.

summarize/<lang>/chapters.json is the Podcasting 2.0 chapters file (application/json+chapters):
    {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "..."}]}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import atomic
from ..errors import LearningLabError

VERSION = 1
CHAPTERS_VERSION = "1.2.0"
CHAPTERS_TYPE = "application/json+chapters"


@dataclass(frozen=True)
class Line:
    """One summary sentence or key point."""
    text: str
    start: float | None = None
    end: float | None = None
    segment: int | None = None
    original: str = ""
    flagged: bool = False


@dataclass(frozen=True)
class Topic:
    text: str
    source: str               # episode | glossary | keyword
    mentions: int = 0
    start: float | None = None
    original: str = ""
    flagged: bool = False


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str
    original: str = ""
    flagged: bool = False


@dataclass(frozen=True)
class Summary:
    language: str
    source_language: str
    summary: tuple[Line, ...]
    key_points: tuple[Line, ...]
    topics: tuple[Topic, ...]
    chapters: tuple[Chapter, ...]
    method: str
    translation: str | None = None
    human: tuple[str, ...] = ()

    @property
    def paragraph(self) -> str:
        """The summary as one paragraph, for feed descriptions."""
        return " ".join(line.text for line in self.summary)


def to_json_dict(summary: Summary) -> dict:
    return {"version": VERSION, "language": summary.language, "source_language": summary.source_language,
            "method": summary.method, "translation": summary.translation, "human": list(summary.human),
            "summary": [asdict(x) for x in summary.summary],
            "key_points": [asdict(x) for x in summary.key_points],
            "topics": [asdict(x) for x in summary.topics],
            "chapters": [asdict(x) for x in summary.chapters]}


def from_json_dict(data: dict, source: Path | str = "<summary>") -> Summary:
    try:
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}")
        return Summary(
            language=str(data["language"]), source_language=str(data["source_language"]),
            summary=tuple(Line(**x) for x in data["summary"]),
            key_points=tuple(Line(**x) for x in data["key_points"]),
            topics=tuple(Topic(**x) for x in data["topics"]),
            chapters=tuple(Chapter(**x) for x in data["chapters"]),
            method=str(data["method"]), translation=data.get("translation"),
            human=tuple(data.get("human", ())))
    except (KeyError, TypeError, ValueError) as exc:
        raise LearningLabError(source, f"not a learninglab summary JSON ({exc})",
                               fix="delete it and rerun `learninglab summarize`") from exc


def chapters_json(chapters) -> dict:
    """Podcasting 2.0 chapters (application/json+chapters) for anything with .start and .title."""
    return {"version": CHAPTERS_VERSION,
            "chapters": [{"startTime": round(c.start, 3), "title": c.title} for c in chapters]}


def save(summary: Summary, folder: Path) -> None:
    """summary.json and chapters.json into `folder` (summarize/<lang>/)."""
    folder = Path(folder)
    atomic.write_text(folder / "summary.json",
                      json.dumps(to_json_dict(summary), ensure_ascii=False, indent=1) + "\n")
    atomic.write_text(folder / "chapters.json",
                      json.dumps(chapters_json(summary.chapters), ensure_ascii=False, indent=1) + "\n")


def load(path: Path) -> Summary:
    """A summary.json (give the file, or the summarize/<lang>/ folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LearningLabError(path, f"cannot read summary ({exc})",
                               fix="rerun `learninglab summarize`") from exc
    if not isinstance(data, dict):
        raise LearningLabError(path, "not a learninglab summary JSON", fix="rerun `learninglab summarize`")
    return from_json_dict(data, path)
