"""A voice-note-sized copy of the mastered audio: Ogg Opus, mono, tuned for speech.

Bitrate rule: 24 kbps (Opus `voip` mode, where speech is as intelligible to Whisper as in the
96 kbps master), lowered for sessions longer than about 83 minutes so that the file stays within
a 15 MB budget: a 90-minute session comes out at 22 kbps, under WhatsApp's 16 MB audio limit with
room for the Ogg pages. Constrained VBR keeps the average at the target, so the size follows the
rule. The file is encoded as a stream from the mastered MP3 (ffmpeg from imageio-ffmpeg when it
has libopus, else PyAV's encoder), so memory does not grow with the session's length.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from ..errors import LearningLabError

SPEECH_BITRATE = 24_000          # bits per second for speech, in Opus's voip mode
MIN_BITRATE = 8_000              # below this Opus drops to narrowband; longer sessions no longer fit
WHATSAPP_LIMIT = 16_000_000      # bytes: WhatsApp's audio limit (16 MB), decimal to be safe
BUDGET = 15_000_000              # bytes the bitrate aims at, leaving room for the container and VBR
RATE = 48_000                    # Opus's native rate
FILE_NAME = "voice-note.opus"
INFO_NAME = "voice-note.json"


def share_bitrate(duration: float) -> int:
    """The bitrate rule: SPEECH_BITRATE, capped (to whole kbps) so `duration` seconds fit BUDGET."""
    if duration <= 0:
        return SPEECH_BITRATE
    cap = int(BUDGET * 8 / duration) // 1000 * 1000
    return max(MIN_BITRATE, min(SPEECH_BITRATE, cap))


@dataclass(frozen=True)
class VoiceNote:
    """What the share stage recorded about its file (voice-note.json)."""
    bitrate: int          # the target, bits per second
    duration: float       # seconds, read back from the encoded file
    bytes: int
    encoder: str          # "ffmpeg" or "pyav"

    def save(self, path: Path) -> None:
        from .. import atomic
        atomic.write_text(path, json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> VoiceNote:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


@cache
def ffmpeg_with_opus() -> str | None:
    """imageio-ffmpeg's binary, when it can encode Opus (libopus); else None."""
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        listed = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True,
                                timeout=30, check=False).stdout
    except (ImportError, RuntimeError, OSError, subprocess.SubprocessError):
        return None
    return exe if any(line.split()[1:2] == ["libopus"] for line in listed.splitlines()) else None


def encoder_name() -> str:
    return "ffmpeg" if ffmpeg_with_opus() else "pyav"


def _encode_ffmpeg(exe: str, source: Path, target: Path, bitrate: int) -> None:
    command = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
               "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(RATE), "-c:a", "libopus",
               "-application", "voip", "-b:a", str(bitrate), "-vbr", "constrained", "-f", "opus",
               str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = done.stderr.strip()[-300:] or f"exit code {done.returncode}"
        raise LearningLabError(source, f"Opus encoding failed ({why})",
                               fix="rerun `learninglab master --force` for this episode")


def _encode_pyav(source: Path, target: Path, bitrate: int) -> None:
    """The same encoding through PyAV's own libopus, frame by frame."""
    import av

    with av.open(str(source)) as inp, av.open(str(target), "w", format="opus") as out:
        stream = out.add_stream("libopus", rate=RATE, layout="mono")
        stream.bit_rate = bitrate
        stream.codec_context.options = {"application": "voip", "vbr": "constrained"}
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        for frame in inp.decode(inp.streams.audio[0]):
            for chunk in resampler.resample(frame):
                out.mux(stream.encode(chunk))
        for chunk in resampler.resample(None):
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))


def probe(path: Path) -> tuple[str, float]:
    """(codec, duration in seconds) of an audio file, from its container."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        if stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        else:
            seconds = (container.duration or 0) / 1_000_000
        return stream.codec_context.name, seconds


def encode(source: Path, outdir: Path, duration: float, encoder: str | None = None) -> VoiceNote:
    """Write outdir/voice-note.opus (+ .json) from the mastered MP3 of `duration` seconds."""
    encoder = encoder or encoder_name()
    bitrate = share_bitrate(duration)
    target = outdir / FILE_NAME
    if encoder == "ffmpeg":
        exe = ffmpeg_with_opus()
        if exe is None:
            raise LearningLabError(None, "imageio-ffmpeg's ffmpeg cannot encode Opus", field="encoder",
                                   fix="use the pyav encoder")
        _encode_ffmpeg(exe, source, target, bitrate)
    else:
        _encode_pyav(source, target, bitrate)
    codec, seconds = probe(target)
    if codec != "opus" or abs(seconds - duration) > 0.5:
        raise LearningLabError(target, f"encoded as {codec}, {seconds:.2f} s for {duration:.2f} s of audio",
                               fix="rerun `learninglab run --force` for this episode")
    note = VoiceNote(bitrate=bitrate, duration=round(seconds, 3), bytes=target.stat().st_size,
                     encoder=encoder)
    note.save(outdir / INFO_NAME)
    return note
