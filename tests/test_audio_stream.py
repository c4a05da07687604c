"""Audio in bounded blocks: BS.1770 loudness, the look-ahead limiter, redaction fill, MP3 encoding,
header checks, and memory that does not grow with the recording's length."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest

from pipeline import audio
from pipeline.audio import (
    Clip,
    Limiter,
    LoudnessMeter,
    Pcm16,
    decode,
    fill_ranges,
    k_weighting,
    limit_peaks,
    loudness,
    master,
    verify,
)
from pipeline.errors import LearningLabError
from tests.conftest import DATA, SPEECH
from tests.sessions import write_wav

CLIPS = ["en_jfk_ask_not.wav", "en_sonnet001_librivox.mp3", "es_capitan_veneno_librivox.mp3",
         "fr_ej-fra_readalongs.m4a", "en_picovoice_three_speakers.wav"]


def in_blocks(samples: np.ndarray, seed: int = 1):
    rng = np.random.default_rng(seed)
    i = 0
    while i < len(samples):
        n = int(rng.integers(1, 40_000))
        yield samples[i:i + n]
        i += n


# -- loudness ---------------------------------------------------------------------------------------

def test_k_weighting_at_48_khz_is_the_filter_printed_in_bs1770():
    (shelf_b, shelf_a), (pass_b, pass_a) = k_weighting(48000)
    np.testing.assert_allclose(shelf_b, [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-9)
    np.testing.assert_allclose(shelf_a, [1.0, -1.69065929318241, 0.73248077421585], atol=1e-9)
    np.testing.assert_allclose(pass_b, [1.0, -2.0, 1.0])
    np.testing.assert_allclose(pass_a, [1.0, -1.99004745483398, 0.99007225036621], atol=1e-9)


@pytest.mark.parametrize("clip", CLIPS)
def test_loudness_agrees_with_pyloudnorm_on_real_speech(clip):
    import pyloudnorm

    samples = decode(SPEECH / clip, 44100)
    theirs = pyloudnorm.Meter(44100).integrated_loudness(samples.astype(np.float64))
    assert abs(loudness(samples, 44100) - theirs) < 0.1


def test_loudness_in_blocks_equals_loudness_of_the_whole():
    samples = decode(SPEECH / "es_capitan_veneno_librivox.mp3", 44100)
    meter = LoudnessMeter(44100)
    for block in in_blocks(samples):
        meter.add(block)
    assert meter.integrated() == pytest.approx(loudness(samples, 44100), abs=1e-6)


def test_silence_has_no_loudness_and_short_sounds_are_measured():
    assert loudness(np.zeros(44100, dtype=np.float32), 44100) == float("-inf")
    tone = (0.1 * np.sin(2 * np.pi * 1000 * np.arange(8000) / 44100)).astype(np.float32)   # 0.18 s
    assert -25 < loudness(tone, 44100) < -15


# -- limiter and fill -------------------------------------------------------------------------------

def test_limiter_in_blocks_gives_the_same_samples_and_never_passes_the_ceiling():
    loud = decode(SPEECH / "en_jfk_ask_not.wav", 44100) * 8
    whole = limit_peaks(loud, 44100)
    limiter = Limiter(44100)
    streamed = np.concatenate([*(limiter.process(b) for b in in_blocks(loud)), limiter.flush()])
    assert len(streamed) == len(loud)
    np.testing.assert_allclose(streamed, whole, atol=1e-6)
    assert np.abs(streamed).max() <= 10 ** (audio.PEAK_CEILING_DB / 20) + 1e-6
    quiet = loud / 16
    np.testing.assert_array_equal(limit_peaks(quiet, 44100), quiet)      # nothing to limit: untouched


def test_fill_across_blocks_is_one_continuous_tone():
    rate, ranges = 8000, ((0.5, 1.7),)
    samples = np.ones(2 * rate, dtype=np.float32)
    whole = fill_ranges(samples, rate, ranges, "tone")
    offset, parts = 0, []
    for block in in_blocks(samples, seed=3):
        parts.append(fill_ranges(block, rate, ranges, "tone", offset))
        offset += len(block)
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    assert np.all(whole[:3999] == 1.0) and np.all(whole[int(1.7 * rate) + 1:] == 1.0)
    assert np.abs(whole[4000:13600]).max() == pytest.approx(0.1, abs=1e-3)
    assert np.all(fill_ranges(samples, rate, ranges, "silence")[4000:13600] == 0.0)


# -- headers that disagree with the audio -------------------------------------------------------------

def wav_with_data_size(tmp_path: Path, seconds: float) -> Path:
    data = bytearray((SPEECH / "en_picovoice_quilter.wav").read_bytes())
    at = data.find(b"data")
    size = int(seconds * 16000) * 2
    data[at + 4:at + 8] = struct.pack("<I", size)
    data[4:8] = struct.pack("<I", at + size)
    path = tmp_path / "note.wav"
    path.write_bytes(data)
    return path


def test_a_wav_whose_header_says_less_than_it_holds_is_refused(tmp_path):
    path = wav_with_data_size(tmp_path, 2.0)
    with av.open(str(path)) as c:                # what FFmpeg alone would publish: 2 s of 5.9
        assert sum(f.samples for f in c.decode(c.streams.audio[0])) == 32000
    with pytest.raises(LearningLabError) as err:
        verify(path)
    assert err.value.field == "recording" and "note.wav" in err.value.line()
    assert "holds 5.9 s of audio but its header says 2.0 s" in err.value.line() and err.value.fix


def test_a_wav_whose_header_says_more_than_it_holds_is_refused(tmp_path):
    with pytest.raises(LearningLabError, match="truncated: its header says 30.0 s but only 5.9 s"):
        decode(wav_with_data_size(tmp_path, 30.0))


def test_metadata_after_the_audio_is_not_mistaken_for_hidden_audio(tmp_path):
    data = (SPEECH / "en_picovoice_quilter.wav").read_bytes()
    info = b"INFOINAM" + struct.pack("<I", 6) + b"Title\x00"
    tagged = tmp_path / "tagged.wav"
    tagged.write_bytes(data + b"LIST" + struct.pack("<I", len(info)) + info)
    assert abs(verify(tagged) - 5.855) < 0.01


def test_an_mp3_without_a_length_header_is_not_refused_for_its_estimate(tmp_path):
    import imageio_ffmpeg

    target = tmp_path / "recorder.mp3"          # VBR without a Xing frame: FFmpeg guesses 10.1 s of 11
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(SPEECH / "en_jfk_ask_not.wav"),
                    "-c:a", "libmp3lame", "-q:a", "5", "-write_xing", "0", str(target)], check=True)
    assert abs(verify(target) - 11.0) < 0.2


def test_a_phone_video_whose_picture_outlasts_its_sound_is_accepted(tmp_path):
    """The container lasts as long as the video (12 s); the audio stream's own length counts."""
    import imageio_ffmpeg

    target = tmp_path / "phone.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi",
                    "-i", "color=c=blue:s=64x64:d=12",
                    "-i", str(SPEECH / "en_picovoice_quilter.wav"), "-map", "0:v", "-map", "1:a",
                    "-c:v", "mpeg4", "-c:a", "aac", str(target)], check=True)
    with av.open(str(target)) as c:
        assert c.duration / 1e6 > 11
    assert abs(verify(target) - 5.9) < 0.1


# -- PCM scratch file and MP3 export ---------------------------------------------------------------

def test_pcm16_file_reads_back_the_windows_it_was_given(tmp_path):
    pcm = Pcm16.decode(SPEECH / "en_jfk_ask_not.wav", tmp_path / "speech.pcm")
    whole = decode(SPEECH / "en_jfk_ask_not.wav", 16000)
    assert pcm.samples == len(whole) and pcm.duration == pytest.approx(11.0)
    np.testing.assert_allclose(pcm.read(2.0, 3.5), whole[32000:56000], atol=1 / 32767)
    np.testing.assert_array_equal(Clip(whole).read(2.0, 3.5), whole[32000:56000])
    assert len(pcm.read(10.5, 99.0)) == 8000 and len(pcm.read(20.0, 30.0)) == 0


def test_mp3_has_its_title_tag_and_xing_header_and_appears_only_when_complete(tmp_path):
    tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(44100 * 3) / 44100)).astype(np.float32)
    target = tmp_path / "podcast.mp3"
    with audio.export_mp3(target, 44100, 22050, "32k", "Peer call: «trust»") as write:
        for block in in_blocks(tone):
            write(block)
    with av.open(str(target)) as c:
        assert c.metadata.get("title") == "Peer call: «trust»"
        assert c.streams.audio[0].codec_context.sample_rate == 22050
        assert abs(c.duration / 1e6 - 3.0) < 0.1
    head = target.read_bytes()[:4096]
    assert b"Xing" in head or b"Info" in head
    failed = tmp_path / "failed.mp3"
    with pytest.raises(KeyboardInterrupt), audio.export_mp3(failed, 44100, 44100, "96k") as write:
        write(tone)
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["podcast.mp3"]     # no half file, no temporary


def test_redacted_ranges_become_tone_or_silence_in_both_mp3s(tmp_path):
    source = SPEECH / "es_capitan_veneno_librivox.mp3"
    for fill in ("tone", "silence"):
        out = tmp_path / fill
        out.mkdir()
        master(source, out, redact_ranges=((10.0, 14.0),), fill=fill)
        for name in ("podcast.mp3", "podcast-low.mp3"):
            heard = decode(out / name, 16000)[int(10.3 * 16000):int(13.7 * 16000)]
            if fill == "silence":
                assert np.abs(heard).max() < 0.01
            else:
                spectrum = np.abs(np.fft.rfft(heard))
                assert abs(np.argmax(spectrum) * 16000 / len(heard) - 1000) < 5
                assert 0.05 < np.sqrt(np.mean(heard ** 2)) < 0.2


# -- bounded memory --------------------------------------------------------------------------------------

def test_mastering_memory_does_not_grow_with_the_recording(tmp_path):
    """Python-side peak allocations (numpy included) for 1 and 8 minutes of real speech: the same."""
    clip = decode(SPEECH / "es_capitan_veneno_librivox.mp3", 44100)
    peaks = []
    for minutes in (1, 8):
        repeats = int(np.ceil(minutes * 60 * 44100 / len(clip)))
        source = write_wav(tmp_path / f"{minutes}.wav", np.tile(clip, repeats)[:minutes * 60 * 44100], 44100)
        out = tmp_path / f"out{minutes}"
        out.mkdir()
        tracemalloc.start()
        master(source, out)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        shutil.rmtree(out)
    assert peaks[1] < peaks[0] * 1.2 + 2e6, peaks
    assert peaks[1] < 60e6                              # 8 minutes at 44.1 kHz in float32 would be 85 MB


def test_longform_data_is_documented():
    sources = (DATA / "longform" / "SOURCES.md").read_text(encoding="utf-8")
    for path in (DATA / "longform").glob("*.opus"):
        assert path.name in sources
