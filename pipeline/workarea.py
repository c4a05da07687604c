"""The work area as the stages share it: where the transcript every later stage reads lives, and how
a transcript is written to a stage's folder. Stage modules import this, never pipeline/stages.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from . import captions
from . import transcript as transcript_io
from .runner import Context
from .transcript import TranscriptLike


def source_transcript(ctx: Context) -> Path:
    """The transcript every later stage reads: redacted, in the language(s) spoken."""
    return ctx.stage_dir("redact") / "transcript.json"


def transcript_texts(transcript: TranscriptLike, timing: TranscriptLike | None = None,
                     voices_shown: bool = False) -> Iterator[tuple[str, Iterable[str]]]:
    """The four transcript files, as (extension, text in pieces): Podcasting 2.0 JSON, WebVTT, SRT
    and plain text. Each is made only when its turn comes, a segment or a cue at a time, so a long
    session's transcript is never held as text whole (nor at all, when it is a stream).

    A translation passes its source as `timing`, so its captions change at the source's cue times.
    The JSON keeps the speakers as they are (voice numbers in the work area, names once publish has
    named them: `voices_shown`); the captions show a voice number as "Speaker 1"…"""
    from .voices import show_voices

    yield "json", transcript_io.json_pieces(transcript)
    shown = transcript if voices_shown else show_voices(transcript)
    if timing is not None and not voices_shown:
        timing = show_voices(timing)
    yield "vtt", captions.vtt_pieces(shown, timing)
    yield "srt", captions.srt_pieces(shown, timing)
    yield "txt", captions.text_pieces(shown)


def write_transcript_files(transcript: TranscriptLike, folder: Path, stem: str = "transcript",
                           timing: TranscriptLike | None = None) -> None:
    """The four files of `transcript_texts`, each written atomically into a stage's folder."""
    from . import atomic

    for ext, pieces in transcript_texts(transcript, timing):
        atomic.write_pieces(folder / f"{stem}.{ext}", pieces)
