"""The transcript shapes that flow between stages, and their Podcasting 2.0 JSON form.

On disk a transcript is the Podcasting 2.0 transcript JSON (`version`, `segments[]` with
`startTime`, `endTime`, `body`, `speaker`) so the same file serves the feed; our extra keys
(`language` per segment and for the whole, `words`, `engine`, `model`) ride along, and
podcast apps ignore keys they do not know.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import atomic
from .errors import LearningLabError

JSON_VERSION = "1.0.0"


@dataclass(frozen=True, slots=True)
class Word:
    start: float
    end: float
    text: str
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    end: float
    text: str
    language: str
    words: tuple[Word, ...] | None = None
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    language: str                       # the episode's main language
    duration: float
    segments: tuple[Segment, ...]
    engine: str
    model: str
    translated_from: str | None = None  # source language when this is a translation
    extra: dict = field(default_factory=dict, compare=False)  # e.g. translation engines used

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages spoken, in order of first appearance."""
        seen: dict[str, None] = {}
        for seg in self.segments:
            seen.setdefault(seg.language, None)
        return tuple(seen)

    def with_segments(self, segments: list[Segment] | tuple[Segment, ...], **changes) -> Transcript:
        return replace(self, segments=tuple(segments), **changes)


def _round(t: float) -> float:
    return round(float(t), 3)


def _segment_json(seg: Segment) -> dict:
    item: dict = {"startTime": _round(seg.start), "endTime": _round(seg.end), "body": seg.text,
                  "language": seg.language}
    if seg.speaker:
        item["speaker"] = seg.speaker
    if seg.words:
        item["words"] = [
            {"startTime": _round(w.start), "endTime": _round(w.end), "body": w.text,
             **({"probability": round(w.probability, 3)} if w.probability is not None else {})}
            for w in seg.words
        ]
    return item


def _head_json(transcript: Transcript) -> dict:
    data = {"version": JSON_VERSION, "language": transcript.language,
            "duration": _round(transcript.duration), "engine": transcript.engine,
            "model": transcript.model}
    if transcript.translated_from:
        data["translatedFrom"] = transcript.translated_from
    if transcript.extra:
        data["extra"] = transcript.extra
    return data


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def json_pieces(transcript: Transcript) -> Iterator[str]:
    """The transcript's JSON text, one segment at a time: the same text as one json.dumps(indent=1)
    of the whole, without a 3-hour transcript's tree of dicts or its text ever held whole.
    (A segment's JSON is indented by hand: its only line breaks are json's own, since json escapes
    a line break inside a string.)"""
    head = _json({**_head_json(transcript), "segments": []})
    if not transcript.segments:
        yield head + "\n"
        return
    yield head.removesuffix("[]\n}") + "["
    for i, seg in enumerate(transcript.segments):
        yield ("," if i else "") + "\n  " + _json(_segment_json(seg)).replace("\n", "\n  ")
    yield "\n ]\n}\n"


def _words(items: list[dict]) -> tuple[Word, ...]:
    return tuple(Word(float(w["startTime"]), float(w["endTime"]), str(w["body"]), w.get("probability"))
                 for w in items)


def _words_as_parsed(item: dict) -> dict:
    """json's object_hook: a segment's words become Words as soon as the segment is parsed, so a
    3-hour transcript never holds one dict per word."""
    if isinstance(item.get("words"), list):
        item["words"] = _words(item["words"])
    return item


def _not_a_transcript(source: Path | str, exc: Exception) -> LearningLabError:
    return LearningLabError(source, f"not a learninglab transcript JSON ({exc!r})",
                            fix="delete it and rerun `learninglab transcribe`")


def from_json_dict(data: dict, source: Path | str = "<transcript>") -> Transcript:
    try:
        segments = []
        for item in data["segments"]:
            words = item.get("words") or None
            if words is not None and not isinstance(words, tuple):   # (load made them Words already)
                words = _words(words)
            segments.append(Segment(float(item["startTime"]), float(item["endTime"]),
                                    str(item["body"]), str(item.get("language", data["language"])),
                                    words, item.get("speaker")))
        return Transcript(language=str(data["language"]), duration=float(data.get("duration", 0.0)),
                          segments=tuple(segments), engine=str(data.get("engine", "")),
                          model=str(data.get("model", "")),
                          translated_from=data.get("translatedFrom"),
                          extra=dict(data.get("extra", {})))
    except (KeyError, TypeError, ValueError) as exc:
        raise _not_a_transcript(source, exc) from exc


def save(transcript: Transcript, path: Path) -> None:
    atomic.write_pieces(path, json_pieces(transcript))


def load(path: Path) -> Transcript:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"), object_hook=_words_as_parsed)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LearningLabError(path, f"cannot read transcript ({exc})",
                               fix="rerun `learninglab transcribe`") from exc
    except (KeyError, TypeError, ValueError) as exc:          # a word the hook could not read
        raise _not_a_transcript(path, exc) from exc
    return from_json_dict(data, path)
