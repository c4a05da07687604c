"""Audio in and out, in bounded blocks: decode with PyAV, master and encode as a stream.

Memory does not grow with a recording's length. Decoding yields blocks of a few seconds;
loudness (ITU-R BS.1770) is measured on blocks with the K-weighting filter's state carried
from one block to the next; the peak limiter looks ahead across block edges; the MP3s are
encoded by piping PCM into the ffmpeg binary that imageio-ffmpeg ships (no system ffmpeg).
Mastering reads the recording once per pass instead of holding it. Transcription decodes it
once to a 16 kHz 16-bit file inside the stage's own temporary folder and reads windows from it:
nothing is ever written to $TMPDIR, so a killed run leaves nothing there.

A recording whose decoded length disagrees with what its header says, either way, is refused:
publishing 2 s of a 10 s WAV, or a cut-off MP3, would lose speech silently.
"""

from __future__ import annotations

import errno
import json
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
BLOCK_SECONDS = 10.0       # decoding, measuring and encoding work on blocks of this length

Ranges = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    source_loudness: float
    loudness: float
    gain_db: float
    podcast_bytes: int
    low_bytes: int
    podcast_bitrate: int = 0      # bits a second each MP3 was encoded at (constant; 0: not recorded)
    low_bitrate: int = 0

    def save(self, path: Path) -> None:
        from . import atomic
        atomic.write_text(path, json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> AudioInfo:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


# -- decoding --------------------------------------------------------------------------------

# Containers whose header gives the audio's exact length (an MP3 only with a Xing/Info/VBRI frame;
# raw AAC or an MP3 without one carry an estimate from the bit rate, which may be far off).
EXACT_FORMATS = ("wav", "ogg", "flac", "mov", "mp4", "m4a", "matroska", "webm", "asf", "aiff", "caf", "w64")


def _unreadable(path: Path, field: str, exc: Exception) -> LearningLabError:
    return LearningLabError(path, f"is not a readable audio file ({exc.__class__.__name__})", field=field,
                            fix="check the file plays, or export it again as mp3/m4a/wav")


def _mp3_has_length_frame(path: Path) -> bool:
    """Whether an MP3 starts with a Xing, Info or VBRI frame (its exact frame count)."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    start = 0
    if head[:3] == b"ID3" and len(head) >= 10:         # skip an ID3v2 tag (its size is syncsafe)
        start = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7
                      | head[9] & 0x7F)
        with open(path, "rb") as handle:
            handle.seek(start)
            head = handle.read(1 << 16)
        start = 0
    sync = next((i for i in range(start, len(head) - 1) if head[i] == 0xFF and head[i + 1] & 0xE0 == 0xE0),
                None)
    if sync is None:
        return False
    frame = head[sync:sync + 200]
    return b"Xing" in frame or b"Info" in frame or b"VBRI" in frame


def _riff_chunks_fill(handle, pos: int, size: int) -> bool:
    """Whether the bytes from `pos` to the end of a RIFF file are well-formed chunks (LIST, id3, ...)."""
    while pos + 8 <= size:
        handle.seek(pos)
        head = handle.read(8)
        name, length = head[:4], int.from_bytes(head[4:8], "little")
        if not all(32 <= c < 127 for c in name) or pos + 8 + length > size:
            return False
        pos += 8 + length + (length & 1)
    return size - pos <= 1


def wav_lengths(path: Path) -> tuple[float, float] | None:
    """(seconds the WAV header declares, seconds of audio the file holds), or None if not a plain WAV.

    FFmpeg reads a WAV only as far as its header says, and clamps a header that says more to the
    file's size, so neither mistake shows in what it decodes: the header is read here."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        pos, byte_rate = 12, 0
        while pos + 8 <= size:
            handle.seek(pos)
            chunk = handle.read(8)
            name, length = chunk[:4], int.from_bytes(chunk[4:8], "little")
            if name == b"fmt ":
                byte_rate = int.from_bytes(handle.read(16)[8:12], "little")
            elif name == b"data":
                if not byte_rate or length in (0, 0xFFFFFFFF):    # a writer that never finished: unknown
                    return None
                start = pos + 8
                held = size - start
                if held > length and _riff_chunks_fill(handle, start + length + (length & 1), size):
                    held = length                             # what follows the audio is metadata
                return length / byte_rate, held / byte_rate
            pos += 8 + length + (length & 1)
    return None


def _header_seconds(path: Path, container, stream) -> float | None:
    """The audio's length by its header, where the header states it exactly.

    The audio stream's own duration counts, not the container's: a phone video's container lasts
    as long as its video track, which may outlast the sound."""
    names = set(container.format.name.split(","))
    if "mp3" in names and not _mp3_has_length_frame(path):
        return None
    if not names & set(EXACT_FORMATS) and "mp3" not in names:
        return None
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration and not container.streams.video:
        return container.duration / 1_000_000
    return None


def _check_length(path: Path, field: str, declared: float | None, seconds: float) -> None:
    if seconds < 0.1:
        raise LearningLabError(path, "holds no audio", field=field, fix="export the recording again")
    if declared is None:
        return
    if declared > 5 and seconds < declared * 0.97 - 0.5:
        raise LearningLabError(path, f"is truncated: its header says {declared:.1f} s but only "
                               f"{seconds:.1f} s decode", field=field,
                               fix="copy the complete file again from the recorder")
    if seconds > declared * 1.03 + 0.5:
        raise LearningLabError(path, f"holds {seconds:.1f} s of audio but its header says {declared:.1f} s",
                               field=field, fix="export it again (e.g. re-save it in Audacity) so its header "
                               "gives its true length")


def blocks(path: Path, rate: int, field: str = "recording", seconds: float = BLOCK_SECONDS
           ) -> Iterator[np.ndarray]:
    """Mono float32 blocks of `seconds` at `rate` (the last one shorter), then the length check.

    The check comes after the last block (a cut-off file shows only at its end): a caller must
    read every block before trusting what it made of them."""
    import av

    path = Path(path)
    lengths = wav_lengths(path) if path.is_file() else None
    if lengths:
        declared, held = lengths
        _check_length(path, field, declared, held)
    size = max(1, int(rate * seconds))
    total = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise LearningLabError(path, "has no audio stream", field=field,
                                       fix="export the recording as mp3, m4a, ogg, flac or wav")
            stream = container.streams.audio[0]
            declared = lengths[0] if lengths else _header_seconds(path, container, stream)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            pending: list[np.ndarray] = []
            have = 0

            def frames():
                for frame in container.decode(stream):
                    yield from resampler.resample(frame)
                yield from resampler.resample(None)

            for out in frames():
                samples = out.to_ndarray().reshape(-1)
                pending.append(samples)
                have += len(samples)
                while have >= size:
                    joined = np.concatenate(pending)
                    yield joined[:size]
                    total += size
                    pending, have = [joined[size:]], have - size
            if have:
                total += have
                yield np.concatenate(pending)
    except LearningLabError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError) as exc:
        raise _unreadable(path, field, exc) from exc
    _check_length(path, field, declared, total / rate)


def decode(path: Path, rate: int = 16000, field: str = "recording") -> np.ndarray:
    """The whole recording as mono float32 at `rate`; for clips, tests and tools (not long sessions)."""
    parts = list(blocks(path, rate, field))
    return np.concatenate(parts).astype(np.float32, copy=False)


def verify(path: Path, field: str = "recording") -> float:
    """Decode the whole file without keeping it (a cut-off file shows only at its end); its seconds."""
    rate = 8000
    return sum(len(b) for b in blocks(path, rate, field)) / rate


class Pcm16:
    """A recording decoded once to 16-bit mono PCM in a file, read back in windows.

    For transcription: a three-hour session is 345 MB on disk at 16 kHz, against 690 MB as float32
    in memory. Windows are read with plain file reads (not a memory map, whose touched pages
    would count as the process's memory)."""

    def __init__(self, path: Path, rate: int, samples: int) -> None:
        self.path, self.rate, self.samples = Path(path), rate, samples

    @classmethod
    def decode(cls, recording: Path, target: Path, rate: int = 16000, field: str = "recording",
               progress: Callable[[float], None] = lambda s: None) -> Pcm16:
        samples = 0
        with open(target, "wb") as handle:
            for block in blocks(recording, rate, field):
                handle.write(to_pcm16(block))
                samples += len(block)
                progress(samples / rate)
        return cls(target, rate, samples)

    @property
    def duration(self) -> float:
        return self.samples / self.rate

    def read(self, start: float, end: float) -> np.ndarray:
        return self.read_samples(int(round(start * self.rate)), int(round(end * self.rate)))

    def read_samples(self, a: int, b: int) -> np.ndarray:
        a, b = max(0, a), min(self.samples, b)
        if b <= a:
            return np.zeros(0, dtype=np.float32)
        with open(self.path, "rb") as handle:
            handle.seek(2 * a)
            raw = np.frombuffer(handle.read(2 * (b - a)), dtype="<i2")
        return raw.astype(np.float32) / 32768.0


class Clip(Pcm16):
    """Audio already in memory, read like a Pcm16 file (short clips, tests, tools)."""

    def __init__(self, audio: np.ndarray, rate: int = 16000) -> None:
        self.audio = np.asarray(audio, dtype=np.float32)
        super().__init__(Path(), rate, len(self.audio))

    def read_samples(self, a: int, b: int) -> np.ndarray:
        return self.audio[max(0, a):min(self.samples, b)]


def to_pcm16(block: np.ndarray) -> bytes:
    return (np.clip(block, -1.0, 1.0) * 32767).astype("<i2").tobytes()


# -- loudness (ITU-R BS.1770-4) --------------------------------------------------------------

def k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """BS.1770's two K-weighting biquads (high shelf, then high pass) designed for `rate`.

    The analog prototypes are fitted so that at 48 kHz the coefficients are those printed in
    BS.1770-4 (tests/test_audio_stream.py checks them); other rates get the same curve."""
    shelf_f, shelf_gain, shelf_q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * shelf_f / rate)
    vh = 10 ** (shelf_gain / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / shelf_q + k * k
    shelf = (np.array([(vh + vb * k / shelf_q + k * k) / a0, 2 * (k * k - vh) / a0,
                       (vh - vb * k / shelf_q + k * k) / a0]),
             np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / shelf_q + k * k) / a0]))
    pass_f, pass_q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * pass_f / rate)
    a0 = 1 + k / pass_q + k * k
    high_pass = (np.array([1.0, -2.0, 1.0]),
                 np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / pass_q + k * k) / a0]))
    return [shelf, high_pass]


class LoudnessMeter:
    """Integrated loudness (BS.1770-4 / EBU R128) of a mono signal fed in blocks of any length.

    The filter state is carried across blocks; the mean square is kept per 100 ms step, so the
    400 ms gating blocks (75 % overlap) are formed at the end from a few numbers per second."""

    def __init__(self, rate: int) -> None:
        from scipy.signal import lfilter_zi

        self.rate = rate
        self.filters = k_weighting(rate)
        self.state = [lfilter_zi(b, a) * 0.0 for b, a in self.filters]
        self.step = int(round(rate * 0.1))
        self.steps: list[float] = []      # sum of squares of each complete 100 ms step
        self.tail = np.zeros(0)           # filtered samples of the step not yet complete

    def add(self, block: np.ndarray) -> None:
        from scipy.signal import lfilter

        y = np.asarray(block, dtype=np.float64)
        for i, (b, a) in enumerate(self.filters):
            y, self.state[i] = lfilter(b, a, y, zi=self.state[i])
        y = np.concatenate([self.tail, y * y])
        whole = len(y) // self.step * self.step
        self.steps.extend(y[:whole].reshape(-1, self.step).sum(axis=1).tolist())
        self.tail = y[whole:]

    def integrated(self) -> float:
        steps = np.asarray(self.steps)
        if len(steps) < 4:               # shorter than one gating block: the whole signal is one block
            count = len(steps) * self.step + len(self.tail)
            power = np.array([(steps.sum() + self.tail.sum()) / max(count, 1)])
        else:
            power = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / (4 * self.step)
        loud = -0.691 + 10 * np.log10(np.maximum(power, 1e-30))
        gated = power[loud > -70.0]                          # absolute gate
        if not gated.size:
            return float("-inf")
        relative = -0.691 + 10 * np.log10(gated.mean()) - 10.0
        kept = gated[-0.691 + 10 * np.log10(gated) > relative]   # relative gate
        return float(-0.691 + 10 * np.log10(kept.mean()))


def loudness(audio: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS of a whole signal."""
    meter = LoudnessMeter(rate)
    meter.add(audio)
    return meter.integrated()


# -- peak limiting ---------------------------------------------------------------------------

class Limiter:
    """A look-ahead peak limiter for a stream of blocks.

    Gain comes down smoothly (over 5-10 ms) before a peak that would pass the ceiling and
    recovers after it. Each output sample needs 3 windows of context on each side, so output
    lags input by that much; `flush` releases the rest. Fed in blocks of any size, it gives the
    same samples as `limit_peaks` on the whole signal."""

    def __init__(self, rate: int, ceiling_db: float = PEAK_CEILING_DB) -> None:
        self.ceiling = 10 ** (ceiling_db / 20)
        self.window = max(1, int(rate * 0.005))
        self.margin = 3 * self.window + 1
        self.before = np.zeros(0, dtype=np.float32)    # last output samples: left context
        self.pending = np.zeros(0, dtype=np.float32)   # input not yet output

    def _gain(self, x: np.ndarray) -> np.ndarray:
        from scipy.ndimage import minimum_filter1d, uniform_filter1d

        needed = np.minimum(1.0, self.ceiling / np.maximum(np.abs(x), 1e-9))
        if needed.min(initial=1.0) >= 1.0:
            return needed
        gain = minimum_filter1d(needed, size=4 * self.window + 1, mode="nearest")
        gain = uniform_filter1d(gain, size=2 * self.window + 1, mode="nearest")
        return np.minimum(gain, needed)          # smoothing must never let a peak through

    def _run(self, final: bool) -> np.ndarray:
        x = np.concatenate([self.before, self.pending])
        keep = 0 if final else self.margin
        if len(self.pending) <= keep:
            return np.zeros(0, dtype=np.float32)
        out = (x * self._gain(x)).astype(np.float32)
        start, stop = len(self.before), len(x) - keep
        self.before = x[max(0, stop - self.margin):stop]
        self.pending = x[stop:]
        return out[start:stop]

    def process(self, block: np.ndarray) -> np.ndarray:
        self.pending = np.concatenate([self.pending, np.asarray(block, dtype=np.float32)])
        return self._run(final=False)

    def flush(self) -> np.ndarray:
        return self._run(final=True)


def limit_peaks(audio: np.ndarray, rate: int, ceiling_db: float = PEAK_CEILING_DB) -> np.ndarray:
    limiter = Limiter(rate, ceiling_db)
    return np.concatenate([limiter.process(audio), limiter.flush()])


# -- redaction fill --------------------------------------------------------------------------

def fill_ranges(block: np.ndarray, rate: int, ranges: Ranges, fill: str = "tone", offset: int = 0
                ) -> np.ndarray:
    """Replace time ranges with a soft tone or silence (redaction in the published audio).

    `offset` is the block's first sample in the whole recording, so a range may span blocks and
    the tone stays continuous across them."""
    out = None
    for start, end in ranges:
        a = max(int(start * rate) - offset, 0)
        b = min(int(end * rate) - offset, len(block))
        if b <= a:
            continue
        if out is None:
            out = block.copy()
        if fill == "tone":
            t = (np.arange(a, b) + offset) / rate
            out[a:b] = (0.1 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
        else:
            out[a:b] = 0.0
    return block if out is None else out


# -- encoding --------------------------------------------------------------------------------

def write_pcm16(path: Path, samples: np.ndarray, rate: int, container: str = "wav", codec: str = "pcm_s16le"
                ) -> Path:
    """Mono float samples as a 16-bit WAV (or FLAC: container "flac", codec "flac"), a minute at a
    time; for tools and tests that build recordings."""
    import av

    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        for i in range(0, len(samples), rate * 60):
            pcm = np.frombuffer(to_pcm16(samples[i:i + rate * 60]), dtype="<i2").reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return Path(path)


@contextmanager
def export_mp3(target: Path, rate: int, out_rate: int, bitrate: str, title: str = ""
               ) -> Iterator[Callable[[np.ndarray], None]]:
    """An MP3 written by ffmpeg from float blocks at `rate`, given to the caller as `write(block)`.

    Mono, `out_rate`, constant `bitrate`, an ID3 title tag, and a Xing header so players know the
    length. The file appears at `target` only when ffmpeg finished cleanly (atomic rename)."""
    import imageio_ffmpeg

    from .atomic import atomic_path

    with atomic_path(target) as tmp:
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-y",
                   "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
                   "-ar", str(out_rate), "-ac", "1", "-c:a", "libmp3lame", "-b:a", bitrate,
                   "-write_xing", "1", "-id3v2_version", "3", "-map_metadata", "-1"]
        if title:
            command += ["-metadata", f"title={title}"]
        process = subprocess.Popen([*command, "-f", "mp3", str(tmp)], stdin=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        said: deque[str] = deque(maxlen=8)
        reader = threading.Thread(target=lambda: said.extend(
            line.decode("utf-8", "replace").strip() for line in process.stderr), daemon=True)
        reader.start()

        def write(block: np.ndarray) -> None:
            try:
                process.stdin.write(to_pcm16(block))
            except BrokenPipeError:
                pass                      # ffmpeg stopped; its own words are reported below

        try:
            yield write
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass
            code = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            reader.join(timeout=10)
        if code != 0:
            message = " / ".join(said) or f"exit code {code}"
            if "No space left" in message:
                raise OSError(errno.ENOSPC, "No space left on device", str(target))
            raise LearningLabError(target, f"ffmpeg could not encode the MP3: {message}",
                                   fix="check the disk and rerun; `learninglab check` tests the recording")


# -- mastering -------------------------------------------------------------------------------

def _prepared(recording: Path, ranges: Ranges) -> Iterator[np.ndarray]:
    """The recording at the podcast rate, redacted ranges silenced (so they do not count in loudness)."""
    offset = 0
    for block in blocks(recording, PODCAST_RATE):
        yield fill_ranges(block, PODCAST_RATE, ranges, "silence", offset) if ranges else block
        offset += len(block)


def _mastered(recording: Path, ranges: Ranges, gain_db: float, fill: str) -> Iterator[np.ndarray]:
    """Gain, peak limiting, then the tone over redacted ranges: the podcast signal, block by block."""
    limiter = Limiter(PODCAST_RATE)
    factor = np.float32(10 ** (gain_db / 20))
    offset = 0

    def finish(out: np.ndarray) -> np.ndarray:
        nonlocal offset
        if ranges and fill == "tone":
            out = fill_ranges(out, PODCAST_RATE, ranges, "tone", offset)
        offset += len(out)
        return out

    for block in _prepared(recording, ranges):
        out = limiter.process(block * factor)
        if len(out):
            yield finish(out)
    yield finish(limiter.flush())


def _measure(stream: Iterator[np.ndarray]) -> tuple[float, float, int]:
    """(integrated loudness, peak, samples) of a stream of blocks at the podcast rate."""
    meter, peak, samples = LoudnessMeter(PODCAST_RATE), 0.0, 0
    for block in stream:
        meter.add(block)
        peak = max(peak, float(np.abs(block).max(initial=0.0)))
        samples += len(block)
    return meter.integrated(), peak, samples


def choose_gain(recording: Path, ranges: Ranges, source: float, peak: float, target: float = TARGET_LUFS
                ) -> float:
    """Gain that brings the limited signal to `target` LUFS.

    Where the peaks stay under the ceiling the limiter never acts and plain gain is exact; where
    it acts it lowers loudness a little, so the result is measured again (a pass over the
    recording each) until within 0.2 LU."""
    if not np.isfinite(source):
        return 0.0
    gain = target - source
    if peak * 10 ** (gain / 20) <= 10 ** (PEAK_CEILING_DB / 20):
        return gain
    for _ in range(3):
        current, _, _ = _measure(_mastered(recording, ranges, gain, "silence"))
        step = target - current
        if abs(step) < 0.2:
            break
        gain += step
    return gain


def _bits(bitrate: str) -> int:
    """ffmpeg's "96k" as bits a second."""
    return int(bitrate.removesuffix("k")) * 1000


def master(recording: Path, outdir: Path, title: str = "", redact_ranges: Ranges = (), fill: str = "tone",
           progress: Callable[[float], None] = lambda s: None) -> AudioInfo:
    """Podcast MP3 (mono 44.1 kHz, -16 LUFS) and a low-bitrate copy for slow connections."""
    ranges = tuple(redact_ranges)
    source, peak, _ = _measure(_prepared(recording, ranges))
    gain = choose_gain(recording, ranges, source, peak)
    meter, samples = LoudnessMeter(PODCAST_RATE), 0
    podcast_path, low_path = outdir / "podcast.mp3", outdir / "podcast-low.mp3"
    with export_mp3(podcast_path, PODCAST_RATE, PODCAST_RATE, PODCAST_BITRATE, title) as podcast, \
            export_mp3(low_path, PODCAST_RATE, LOW_RATE, LOW_BITRATE, title) as low:
        for block in _mastered(recording, ranges, gain, fill):
            podcast(block)
            low(block)
            meter.add(block)
            samples += len(block)
            progress(samples / PODCAST_RATE)
    info = AudioInfo(duration=round(samples / PODCAST_RATE, 3), source_loudness=round(source, 2),
                     loudness=round(meter.integrated(), 2), gain_db=round(gain, 2),
                     podcast_bytes=podcast_path.stat().st_size, low_bytes=low_path.stat().st_size,
                     podcast_bitrate=_bits(PODCAST_BITRATE), low_bitrate=_bits(LOW_BITRATE))
    info.save(outdir / "audio.json")
    return info
