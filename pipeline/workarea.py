"""The work area as the stages share it: where the transcript every later stage reads lives, and how
a transcript is written to a stage's folder. Stage modules import this, never pipeline/stages.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from . import captions
from . import transcript as transcript_io
from .runner import Context
from .transcript import Transcript


def source_transcript(ctx: Context) -> Path:
    """The transcript every later stage reads: redacted, in the language(s) spoken."""
    return ctx.stage_dir("redact") / "transcript.json"


def transcript_texts(transcript: Transcript,
                     timing: Transcript | None = None) -> Iterator[tuple[str, Iterable[str]]]:
    """The four transcript files, as (extension, text in pieces): Podcasting 2.0 JSON, WebVTT, SRT
    and plain text. Each text is made only when its turn comes, and the JSON one segment at a time,
    so a long session's transcript is never held as text whole.

    A translation passes its source as `timing`, so its captions change at the source's cue times.
    The JSON keeps the speakers as they are (voice numbers in the work area, names once publish has
    named them); the captions show a voice number as "Speaker 1"…"""
    from .voices import show_voices

    yield "json", transcript_io.json_pieces(transcript)
    shown, timing = show_voices(transcript), show_voices(timing) if timing is not None else None
    yield "vtt", (captions.to_vtt(shown, timing),)
    yield "srt", (captions.to_srt(shown, timing),)
    yield "txt", (captions.to_text(shown),)


def write_transcript_files(transcript: Transcript, folder: Path, stem: str = "transcript",
                           timing: Transcript | None = None) -> None:
    """The four files of `transcript_texts`, each written atomically into a stage's folder."""
    from . import atomic

    for ext, pieces in transcript_texts(transcript, timing):
        atomic.write_pieces(folder / f"{stem}.{ext}", pieces)
