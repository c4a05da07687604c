"""Mastering on real recordings, measured by an independent EBU R128 meter (ffmpeg's ebur128)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from pipeline.audio import decode, master
from pipeline.errors import LearningLabError
from tests.conftest import SPEECH


def ffmpeg_loudness(path: Path) -> float:
    """Integrated loudness from ffmpeg's ebur128 filter: not the code under test."""
    import imageio_ffmpeg

    out = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostats", "-hide_banner", "-i", str(path),
                          "-af", "ebur128", "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = out.stderr.split("Summary:")[-1]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))


def stream_facts(path: Path) -> tuple[int, int, float, int]:
    with av.open(str(path)) as c:
        codec = c.streams.audio[0].codec_context
        return codec.sample_rate, codec.channels, c.duration / 1e6, codec.bit_rate


def write_voice_note(source: Path, target: Path) -> None:
    """A WhatsApp-style voice note: Opus in Ogg, 48 kHz mono."""
    audio = decode(source, 48000)
    with av.open(str(target), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=48000, layout="mono")
        stream.bit_rate = 24000
        frame = av.AudioFrame.from_ndarray((audio * 32767).astype(np.int16).reshape(1, -1), format="s16",
                                           layout="mono")
        frame.sample_rate = 48000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    note = folder / "voice-note.ogg"
    write_voice_note(SPEECH / "en_picovoice_quilter.wav", note)
    return {"wav": SPEECH / "en_jfk_ask_not.wav", "mp3": SPEECH / "es_capitan_veneno_librivox.mp3",
            "m4a": SPEECH / "fr_ej-fra_readalongs.m4a", "ogg-opus": note}


@pytest.mark.parametrize("kind", ["wav", "mp3", "m4a", "ogg-opus"])
def test_master_reaches_podcast_loudness_and_formats(inputs, kind, tmp_path):
    source = inputs[kind]
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    info = master(source, tmp_path, title="Test")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before, "the recording must never change"
    podcast, low = tmp_path / "podcast.mp3", tmp_path / "podcast-low.mp3"
    assert abs(ffmpeg_loudness(podcast) - (-16.0)) <= 1.0
    assert abs(ffmpeg_loudness(low) - (-16.0)) <= 1.0
    rate, channels, duration, _ = stream_facts(podcast)
    assert (rate, channels) == (44100, 1)
    low_rate, low_channels, _, low_bitrate = stream_facts(low)
    assert low_channels == 1 and low_bitrate <= 32000
    assert low.stat().st_size < podcast.stat().st_size / 2
    expected = len(decode(source, 16000)) / 16000
    assert abs(info.duration - expected) < 0.1
    assert abs(duration - expected) < 0.2
    assert info.podcast_bytes == podcast.stat().st_size and info.low_bytes == low.stat().st_size
    _, _, _, podcast_bitrate = stream_facts(podcast)       # what feeds and notes will say, as encoded
    assert (info.podcast_bitrate, info.low_bitrate) == (podcast_bitrate, low_bitrate) == (96000, 32000)


def test_loud_input_is_limited_not_clipped(tmp_path):
    audio = decode(SPEECH / "en_jfk_ask_not.wav", 44100)
    peak_heavy = tmp_path / "loud.wav"
    with av.open(str(peak_heavy), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=44100, layout="mono")
        loud = np.clip(audio * 8, -1, 1)
        frame = av.AudioFrame.from_ndarray((loud * 32767).astype(np.int16).reshape(1, -1), format="s16",
                                           layout="mono")
        frame.sample_rate = 44100
        for packet in stream.encode(frame):
            out.mux(packet)
    master(peak_heavy, tmp_path)
    assert abs(ffmpeg_loudness(tmp_path / "podcast.mp3") + 16.0) <= 1.0
    assert np.abs(decode(tmp_path / "podcast.mp3", 44100)).max() < 0.99


def test_text_file_named_mp3_is_refused(tmp_path):
    fake = tmp_path / "session.mp3"
    fake.write_text("this is not audio\n")
    with pytest.raises(LearningLabError) as err:
        decode(fake)
    assert "session.mp3" in err.value.line() and "recording" in err.value.line()


def test_truncated_mp3_is_refused(tmp_path):
    data = (SPEECH / "en_sonnet001_librivox.mp3").read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(LearningLabError, match="truncated"):
        decode(cut)
