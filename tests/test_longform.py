"""A session joined from real clips (speaker and language changes): nothing dropped, every turn in its
language, nothing invented in silence or noise, and what cannot be transcribed reported, not lost."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.transcribe import transcribe_audio, untranscribed_lines
from tests.conftest import SPEECH, copy_project, wer
from tests.sessions import RATE, join, load_pieces, piece_audio, room_tone, words_by_placement, write_wav

# (source, start of the piece): twelve turns, six speakers, English, Spanish and French
CLIPS = [("en_jfk_ask_not", 0.0), ("es_capitan_veneno_librivox", 0.33), ("fr_ej-fra_readalongs", 0.778),
         ("en_sonnet002_librivox", 9.472), ("es_capitan_veneno_librivox", 25.392),
         ("fr_fleursdumal_001_benediction_librivox", 21.856), ("en_picovoice_quilter", 0.0),
         ("es_capitan_veneno_librivox", 41.296), ("fr_fleursdumal_000_au_lecteur_librivox", 46.304),
         ("en_picovoice_three_speakers", 0.0), ("es_capitan_veneno_librivox", 57.84),
         ("en_sonnet001_librivox", 14.8)]
STRETCHES = {3: ("silence", 12.0), 7: ("noise", 12.0)}


def pieces():
    found = {(p.source, round(p.start, 1)): p for p in load_pieces()}
    return [found[source, round(start, 1)] for source, start in CLIPS]


@pytest.fixture(scope="module")
def session(whisper_engine):
    audio, placed = join(pieces(), STRETCHES)
    return placed, transcribe_audio(whisper_engine, audio, "auto")


@pytest.fixture(scope="module")
def alone(whisper_engine) -> dict[str, float]:
    """Each clip transcribed by itself, as its own episode would be: the accuracy to match."""
    return {p.name: wer(p.reference, transcribe_audio(whisper_engine, piece_audio(p), "auto").text)
            for p in pieces()}


def test_the_session_has_twelve_clips_and_three_languages(session):
    placed, transcript = session
    clips = [p.piece for p in placed if p.kind == "speech"]
    assert len(clips) >= 12 and {c.language for c in clips} == {"en", "es", "fr"}
    assert len({c.source for c in clips}) >= 6
    assert transcript.languages and set(transcript.languages) == {"en", "es", "fr"}


def test_every_clip_is_transcribed_as_well_as_alone(session, alone):
    placed, transcript = session
    found = words_by_placement(transcript, placed)
    worse = []
    for k, p in enumerate(placed):
        if p.kind == "speech":
            joined = wer(p.piece.reference, " ".join(found.get(k, [])))
            if joined > alone[p.piece.name] + 0.05:
                worse.append(f"{p.piece.name}: {joined:.3f} in the session, {alone[p.piece.name]:.3f} alone")
    assert not worse, worse


def test_every_segment_carries_its_clips_language(session):
    placed, transcript = session
    starts = np.array([p.start for p in placed])
    for seg in transcript.segments:
        middle = (seg.start + seg.end) / 2
        p = placed[int(np.searchsorted(starts, middle, side="right")) - 1]
        assert p.kind == "speech", f"{seg} outside any clip"
        assert seg.language == p.piece.language, f"{seg.text!r}: {seg.language}, said in {p.piece.language}"


def test_nothing_is_emitted_in_the_silence_or_the_noise(session):
    placed, transcript = session
    stretches = [p for p in placed if p.kind in ("silence", "noise")]
    assert len(stretches) == 2
    for seg in transcript.segments:
        for w in seg.words:
            assert not any(s.start + 0.3 < (w.start + w.end) / 2 < s.end - 0.3 for s in stretches), w
    turns = transcript.extra["speech_turns"]
    assert not any(s.start + 0.3 < (a + b) / 2 < s.end - 0.3 for a, b, _ in turns for s in stretches)


def test_speech_turns_are_recorded_with_their_languages(session):
    """extra["speech_turns"] is the one VAD pass, reused by later stages (speaker turns)."""
    placed, transcript = session
    turns = transcript.extra["speech_turns"]
    assert all(a < b and lang in ("en", "es", "fr") for a, b, lang in turns)
    assert all(b1 <= a2 for (_, b1, _), (a2, _, _) in zip(turns, turns[1:], strict=False))
    for p in placed:
        if p.kind == "speech":       # every clip is covered by turns of its own language
            mine = [t for t in turns if p.start - 0.3 <= (t[0] + t[1]) / 2 <= p.end + 0.3]
            assert mine and sum(min(b, p.end) - max(a, p.start) for a, b, _ in mine) > 0.7 * (p.end - p.start)
            assert {lang for _, _, lang in mine} == {p.piece.language}
    assert transcript.extra["untranscribed"] == []


# -- what cannot be transcribed is reported ------------------------------------------------------------

def babble(seconds: float) -> np.ndarray:
    """Speech-shaped noise: six real voices played backwards on top of one another. Silero hears speech;
    nothing in it can be written down."""
    from pipeline.audio import decode

    names = ["en_picovoice_three_speakers.wav", "en_jfk_ask_not.wav", "fr_ej-fra_readalongs.m4a",
             "es_capitan_veneno_librivox.mp3", "en_sonnet001_librivox.mp3", "en_picovoice_quilter.wav"]
    n = int(seconds * RATE)
    out = np.zeros(n)
    for i, name in enumerate(names):
        voice = np.tile(decode(SPEECH / name, RATE)[::-1], 4)[i * RATE:i * RATE + n]
        out += voice / (np.sqrt(np.mean(voice ** 2)) + 1e-9) * 0.05
    return out.astype(np.float32)


@pytest.fixture(scope="module")
def with_babble() -> tuple[np.ndarray, tuple[float, float]]:
    rng = np.random.default_rng(2)
    first, second = pieces()[0], pieces()[6]          # JFK, then Mr. Quilter
    parts = [room_tone(0.5, rng), piece_audio(first), room_tone(3.0, rng)]
    start = sum(len(p) for p in parts) / RATE
    parts += [babble(8.0), room_tone(3.0, rng), piece_audio(second), room_tone(0.5, rng)]
    return np.concatenate(parts), (start, start + 8.0)


def test_an_unrecoverable_turn_is_reported_not_dropped(whisper_engine, with_babble):
    audio, (start, end) = with_babble
    transcript = transcribe_audio(whisper_engine, audio, "auto")
    turns = transcript.extra["speech_turns"]
    assert any(a < end and b > start for a, b, _ in turns), "the VAD must hear the babble as speech"
    reported = transcript.extra["untranscribed"]
    assert any(a < end and b > start for a, b in reported), reported
    assert all(a >= start - 1.0 and b <= end + 1.0 for a, b in reported)       # the real speech is fine
    assert "ask not what your country" in transcript.text.lower() and "quilter" in transcript.text.lower()
    lines = untranscribed_lines(transcript)
    assert lines and all(line.endswith(": speech not transcribed") for line in lines)
    assert lines[0].startswith(("0:1", "0:2"))                    # m:ss–m:ss of the babble, about 0:15


def test_the_run_and_status_report_it(whisper_engine, with_babble, tmp_path):
    from pipeline.cli import main

    audio, _ = with_babble
    project = copy_project(tmp_path / "project", episodes=[])
    folder = project / "episodes" / "babble"
    folder.mkdir()
    write_wav(folder / "call.wav", audio, RATE)
    (folder / "episode.toml").write_text('title = "Babble"\ndate = 2026-01-01\nrecording = "call.wav"\n'
                                         'language = "auto"\nstatus = "draft"\n'
                                         'guid = "0b7a3c4e-1111-4222-8333-944455556677"\n')
    runner = CliRunner()
    assert runner.invoke(main, ["--project", str(project), "master"]).exit_code == 0
    ran = runner.invoke(main, ["--project", str(project), "transcribe"], catch_exceptions=False)
    assert ran.exit_code == 0, ran.output
    warned = [line for line in ran.output.splitlines() if "speech not transcribed" in line]
    assert warned and warned[0].startswith("warning: babble: transcribe: 0:")
    saved = json.loads((project / "output" / "episodes" / "babble" / "transcribe" / "transcript.json")
                       .read_text())
    assert saved["extra"]["untranscribed"] and saved["extra"]["speech_turns"]
    status = runner.invoke(main, ["--project", str(project), "status"], catch_exceptions=False)
    note = warned[0].split("transcribe: ")[1]                   # e.g. "0:15–0:22: speech not transcribed"
    lines = status.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("transcribe"))
    assert "done" in lines[at] and lines[at + 1].strip() == note     # shown under the stage
