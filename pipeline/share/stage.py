"""The share stage: master/podcast.mp3 -> share/voice-note.opus (+ voice-note.json).

Encoding is heavy work, so it is a stage keyed on the mastered audio (a new master, or a new
bitrate rule, reruns it) and publish only copies its file. ffmpeg writes straight into the
stage's temporary folder, which the runner swaps in only when the encoding succeeded.
"""

from __future__ import annotations

from pathlib import Path

from ..runner import Context, Progress, Stage


def _master_files(ctx: Context) -> list[Path]:
    folder = ctx.stage_dir("master")
    return [folder / "podcast.mp3", folder / "audio.json"]


def _params(ctx: Context) -> dict:
    from .voicenote import BUDGET, MIN_BITRATE, SPEECH_BITRATE, encoder_name

    return {"bitrate": SPEECH_BITRATE, "budget": BUDGET, "min_bitrate": MIN_BITRATE,
            "encoder": encoder_name()}


def _run(ctx: Context, out: Path, progress: Progress) -> None:
    from ..audio import AudioInfo
    from .voicenote import encode

    podcast, info = _master_files(ctx)
    duration = AudioInfo.load(info).duration
    encode(podcast, out, duration)
    progress(duration)


SHARE = Stage(
    name="share", version=1, description="encoding the voice note for WhatsApp (Ogg Opus)",
    inputs=_master_files, params=_params, run=_run,
)
