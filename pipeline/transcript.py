"""The transcript shapes that flow between stages, and their Podcasting 2.0 JSON form.

On disk a transcript is the Podcasting 2.0 transcript JSON (`version`, `segments[]` with
`startTime`, `endTime`, `body`, `speaker`) so the same file serves the feed; our extra keys
(`language` per segment and for the whole, `words`, `engine`, `model`) ride along, and
podcast apps ignore keys they do not know.

A transcript is held whole (`Transcript`) where a stage needs all of it at once (translation,
summaries), and read a segment at a time (`TranscriptStream`, from `open_stream`) where it only
passes through (redaction, renderings, publishing): a 3-hour session's transcript is 22k words.
Both offer the same reading side (the head's fields, `iter_segments`, `map`), so whatever renders
or redacts a transcript takes either (`TranscriptLike`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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

    def iter_segments(self) -> Iterator[Segment]:
        return iter(self.segments)

    def map(self, change: SegmentsChange, **changes) -> Transcript:
        """The transcript with `change` applied to its run of segments (and any head fields changed)."""
        return self.with_segments(tuple(change(iter(self.segments))), **changes)


SegmentsChange = Callable[[Iterator[Segment]], Iterable[Segment]]


@dataclass(frozen=True)
class TranscriptStream:
    """A transcript read a segment at a time: its head (every field but the segments, whose
    `segments` is empty) and where its segments come from, read anew at each pass (from its file,
    through every change mapped on it). Nothing holds the whole run of segments."""
    head: Transcript
    source: Callable[[], Iterable[Segment]]

    @property
    def language(self) -> str:
        return self.head.language

    @property
    def duration(self) -> float:
        return self.head.duration

    @property
    def engine(self) -> str:
        return self.head.engine

    @property
    def model(self) -> str:
        return self.head.model

    @property
    def translated_from(self) -> str | None:
        return self.head.translated_from

    @property
    def extra(self) -> dict:
        return self.head.extra

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages spoken, in order of first appearance (one pass over the segments)."""
        return tuple(dict.fromkeys(seg.language for seg in self.iter_segments()))

    def iter_segments(self) -> Iterator[Segment]:
        return iter(self.source())

    def map(self, change: SegmentsChange, **changes) -> TranscriptStream:
        """The stream with `change` applied to its run of segments at every pass."""
        source = self.source
        return TranscriptStream(replace(self.head, **changes), lambda: change(iter(source())))

    def load(self) -> Transcript:
        """The whole transcript, held (for the stages that need all of it at once)."""
        return self.head.with_segments(tuple(self.iter_segments()))


TranscriptLike = Transcript | TranscriptStream


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


def _head_json(transcript: TranscriptLike) -> dict:
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


def json_pieces(transcript: TranscriptLike) -> Iterator[str]:
    """The transcript's JSON text, one segment at a time: the same text as one json.dumps(indent=1)
    of the whole, without a 3-hour transcript's tree of dicts or its text ever held whole.
    (A segment's JSON is indented by hand: its only line breaks are json's own, since json escapes
    a line break inside a string.)"""
    head = _json({**_head_json(transcript), "segments": []})
    opened = False
    for seg in transcript.iter_segments():
        yield ("," if opened else head.removesuffix("[]\n}") + "[") + "\n  " + \
            _json(_segment_json(seg)).replace("\n", "\n  ")
        opened = True
    yield "\n ]\n}\n" if opened else head + "\n"


def _words(items: list[dict]) -> tuple[Word, ...]:
    return tuple(Word(float(w["startTime"]), float(w["endTime"]), str(w["body"]), w.get("probability"))
                 for w in items)


def _not_a_transcript(source: Path | str, exc: Exception) -> LearningLabError:
    return LearningLabError(source, f"not a learninglab transcript JSON ({exc!r})",
                            fix="delete it and rerun `learninglab transcribe`")


def _segment(item: dict, language: str) -> Segment:
    words = item.get("words") or None
    return Segment(float(item["startTime"]), float(item["endTime"]), str(item["body"]),
                   str(item.get("language", language)), _words(words) if words is not None else None,
                   item.get("speaker"))


def _head(data: dict) -> Transcript:
    if "segments" not in data:
        raise KeyError("segments")
    return Transcript(language=str(data["language"]), duration=float(data.get("duration", 0.0)),
                      segments=(), engine=str(data.get("engine", "")), model=str(data.get("model", "")),
                      translated_from=data.get("translatedFrom"), extra=dict(data.get("extra", {})))


def save(transcript: TranscriptLike, path: Path) -> None:
    atomic.write_pieces(path, json_pieces(transcript))


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Errors met while reading a transcript file, as errors that name it and say what to do."""
    import ijson

    try:
        yield
    except (OSError, UnicodeDecodeError, ijson.JSONError) as exc:
        raise LearningLabError(path, f"cannot read transcript ({exc})",
                               fix="rerun `learninglab transcribe`") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _not_a_transcript(path, exc) from exc


def read_head(path: Path) -> Transcript:
    """Every top-level field of the transcript file at `path`, its segments left out (they are
    passed over as they are parsed, never built)."""
    import ijson

    fields: dict = {}
    with _reading(path), open(path, "rb") as handle:
        events = ijson.parse(handle, use_float=True)
        if next(events, None) != ("", "start_map", None):
            raise TypeError("the file does not hold a JSON object")
        builder = key = None
        for prefix, event, value in events:
            if prefix == "" and event in ("map_key", "end_map"):
                if builder is not None:
                    fields[key] = builder.value
                key = value
                builder = ijson.ObjectBuilder() if key != "segments" else None
                if key == "segments":
                    fields[key] = None
            elif builder is not None:
                builder.event(event, value)
        return _head(fields)


def _read_segments(path: Path, language: str) -> Iterator[Segment]:
    import ijson

    with _reading(path), open(path, "rb") as handle:
        for item in ijson.items(handle, "segments.item", use_float=True):
            yield _segment(item, language)


def open_stream(path: Path) -> TranscriptStream:
    """The transcript file at `path`, as a stream: its head read now, its segments at each pass."""
    path = Path(path)
    head = read_head(path)
    return TranscriptStream(head, lambda: _read_segments(path, head.language))


def load(path: Path) -> Transcript:
    """The whole transcript file at `path`."""
    return open_stream(path).load()
