"""The work area as the stages share it: where the transcript every later stage reads lives, and how
a transcript is written to a stage's folder. Stage modules import this, never pipeline/stages.py.
"""

from __future__ import annotations

from pathlib import Path

from . import captions
from . import transcript as transcript_io
from .runner import Context
from .transcript import Transcript


def source_transcript(ctx: Context) -> Path:
    """The transcript every later stage reads: redacted, in the language(s) spoken."""
    return ctx.stage_dir("redact") / "transcript.json"


def transcript_texts(transcript: Transcript, timing: Transcript | None = None) -> dict[str, str]:
    """The four transcript files' text: Podcasting 2.0 JSON, WebVTT, SRT and plain text.

    A translation passes its source as `timing`, so its captions change at the source's cue times.
    The JSON keeps the speakers as they are (voice numbers in the work area, names once publish has
    named them); the captions show a voice number as "Speaker 1"…"""
    from .voices import show_voices

    shown, timing = show_voices(transcript), show_voices(timing) if timing is not None else None
    return {"json": transcript_io.dumps(transcript), "vtt": captions.to_vtt(shown, timing),
            "srt": captions.to_srt(shown, timing), "txt": captions.to_text(shown)}


def write_transcript_files(transcript: Transcript, folder: Path, stem: str = "transcript",
                           timing: Transcript | None = None) -> None:
    """The four files of `transcript_texts`, each written atomically into a stage's folder."""
    from . import atomic

    for ext, text in transcript_texts(transcript, timing).items():
        atomic.write_text(folder / f"{stem}.{ext}", text)
