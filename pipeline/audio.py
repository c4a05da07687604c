"""Audio in and out: decode any recording with PyAV, master it with pydub.

Decoding goes through PyAV (bundled with faster-whisper), so no system ffmpeg is needed
to read wav/mp3/m4a/ogg/opus/flac or WhatsApp voice notes. pydub exports the MP3s with
the ffmpeg binary that imageio-ffmpeg ships.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .errors import LearningLabError

TARGET_LUFS = -16.0
PEAK_CEILING_DB = -1.5
PODCAST_RATE = 44100
PODCAST_BITRATE = "96k"
LOW_RATE = 22050
LOW_BITRATE = "32k"
TONE_HZ = 1000.0


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    source_loudness: float
    loudness: float
    gain_db: float
    podcast_bytes: int
    low_bytes: int

    def save(self, path: Path) -> None:
        from . import atomic
        atomic.write_text(path, json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> AudioInfo:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def decode(path: Path, rate: int = 16000, field: str = "recording") -> np.ndarray:
    """Decode to mono float32 at `rate`; a file that is not audio, or is cut short, is an error."""
    import av

    path = Path(path)
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise LearningLabError(path, "has no audio stream", field=field,
                                       fix="export the recording as mp3, m4a, ogg, flac or wav")
            stream = container.streams.audio[0]
            declared = container.duration / 1_000_000 if container.duration else None
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except LearningLabError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError) as exc:
        raise LearningLabError(path, f"is not a readable audio file ({exc.__class__.__name__})", field=field,
                               fix="check the file plays, or export it again as mp3/m4a/wav") from exc
    audio = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    seconds = len(audio) / rate
    if seconds < 0.1:
        raise LearningLabError(path, "holds no audio", field=field, fix="export the recording again")
    if declared and declared > 5 and seconds < declared * 0.97 - 0.5:
        raise LearningLabError(path, f"is truncated: its header says {declared:.1f} s but only "
                               f"{seconds:.1f} s decode", field=field,
                               fix="copy the complete file again from the recorder")
    return audio.astype(np.float32, copy=False)


def loudness(audio: np.ndarray, rate: int) -> float:
    """Integrated loudness (ITU-R BS.1770 / EBU R128) in LUFS."""
    import pyloudnorm

    if len(audio) < rate * 0.5:  # the meter needs at least one 400 ms block
        audio = np.pad(audio, (0, int(rate * 0.5) - len(audio)))
    value = pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64))
    return float(value) if np.isfinite(value) else float("-inf")


def limit_peaks(audio: np.ndarray, rate: int, ceiling_db: float = PEAK_CEILING_DB) -> np.ndarray:
    """A look-ahead peak limiter: smooth gain reduction wherever a peak would pass the ceiling."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_db / 20)
    peak = np.abs(audio)
    if peak.max(initial=0.0) <= ceiling:
        return audio
    needed = np.minimum(1.0, ceiling / np.maximum(peak, 1e-9))
    window = max(1, int(rate * 0.005))
    gain = minimum_filter1d(needed, size=4 * window + 1)
    gain = uniform_filter1d(gain, size=2 * window + 1)
    gain = np.minimum(gain, needed)   # smoothing must never let a peak through
    return (audio * gain).astype(np.float32)


def normalize(audio: np.ndarray, rate: int, target: float = TARGET_LUFS) -> tuple[np.ndarray, float, float]:
    """Gain to `target` LUFS with a peak limiter; returns (audio, source loudness, gain dB)."""
    source = loudness(audio, rate)
    if not np.isfinite(source):
        return audio, source, 0.0
    out, total_gain = audio, 0.0
    for _ in range(4):  # limiting lowers loudness a little: converge in a few passes
        current = loudness(out, rate)
        step = target - current
        if abs(step) < 0.2:
            break
        total_gain += step
        out = limit_peaks(audio * np.float32(10 ** (total_gain / 20)), rate)
    return out, source, total_gain


def _pydub():
    import imageio_ffmpeg
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pydub warns when no ffmpeg is on PATH
        warnings.simplefilter("ignore", DeprecationWarning)  # audioop, on Python 3.12
        from pydub import AudioSegment
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    return AudioSegment


def to_segment(audio: np.ndarray, rate: int):
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return _pydub()(data=pcm, sample_width=2, frame_rate=rate, channels=1)


def export_mp3(audio: np.ndarray, rate: int, target: Path, out_rate: int, bitrate: str,
               tags: dict[str, str] | None = None) -> int:
    seg = to_segment(audio, rate)
    if out_rate != rate:
        seg = seg.set_frame_rate(out_rate)
    from .atomic import atomic_path

    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        seg.export(handle, format="mp3", bitrate=bitrate, tags=tags or {},
                   parameters=["-ac", "1", "-write_xing", "1"])
    return target.stat().st_size


def fill_ranges(audio: np.ndarray, rate: int, ranges: tuple[tuple[float, float], ...],
                fill: str = "tone") -> np.ndarray:
    """Replace time ranges with a soft tone or silence (redaction in the published audio)."""
    out = audio.copy()
    for start, end in ranges:
        a, b = int(start * rate), min(len(out), int(end * rate))
        if b <= a:
            continue
        if fill == "tone":
            t = np.arange(b - a) / rate
            out[a:b] = (0.1 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
        else:
            out[a:b] = 0.0
    return out


def master(recording: Path, outdir: Path, title: str = "",
           redact_ranges: tuple[tuple[float, float], ...] = (), fill: str = "tone") -> AudioInfo:
    """Podcast MP3 (mono 44.1 kHz, -16 LUFS) and a low-bitrate copy for slow connections."""
    audio = decode(recording, PODCAST_RATE)
    if redact_ranges:
        audio = fill_ranges(audio, PODCAST_RATE, redact_ranges, "silence")
    mastered, source, gain = normalize(audio, PODCAST_RATE)
    if redact_ranges and fill == "tone":
        mastered = fill_ranges(mastered, PODCAST_RATE, redact_ranges, "tone")
    tags = {"title": title} if title else {}
    podcast = export_mp3(mastered, PODCAST_RATE, outdir / "podcast.mp3", PODCAST_RATE, PODCAST_BITRATE, tags)
    low = export_mp3(mastered, PODCAST_RATE, outdir / "podcast-low.mp3", LOW_RATE, LOW_BITRATE, tags)
    info = AudioInfo(duration=round(len(mastered) / PODCAST_RATE, 3), source_loudness=round(source, 2),
                     loudness=round(loudness(mastered, PODCAST_RATE), 2), gain_db=round(gain, 2),
                     podcast_bytes=podcast, low_bytes=low)
    info.save(outdir / "audio.json")
    return info
