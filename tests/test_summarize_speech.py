"""End to end on real speech: three unrelated recordings joined with pauses get a chapter start
near each join, and every summary line is a sentence Whisper heard, at its time."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.audio import decode
from pipeline.summarize.generate import summarize_transcript
from pipeline.transcribe import transcribe_audio

CLIPS = ("en_sonnet001_librivox.mp3", "en_jfk_ask_not.wav", "en_picovoice_three_speakers.wav")
RATE = 16000
PAUSE = 1.0


@pytest.fixture(scope="module")
def joined(speech, whisper_engine):
    """The three clips with a second of silence between them, transcribed; and the join times."""
    parts, joins, t = [], [], 0.0
    for k, name in enumerate(CLIPS):
        if k:
            parts.append(np.zeros(int(PAUSE * RATE), dtype=np.float32))
            t += PAUSE
            joins.append(t)
        clip = decode(speech / name, RATE)
        parts.append(clip)
        t += len(clip) / RATE
    return transcribe_audio(whisper_engine, np.concatenate(parts), "auto"), joins


def test_a_chapter_starts_near_each_join(joined):
    transcript, joins = joined
    chapters = summarize_transcript(transcript).chapters
    starts = [c.start for c in chapters]
    assert starts[0] == 0.0
    for join in joins:
        assert min(abs(s - join) for s in starts[1:]) <= 5.0, (starts, joins)
    assert len(chapters) <= 4          # not a chapter at every sentence
    assert len({c.title for c in chapters}) == len(chapters)


def test_every_line_is_a_sentence_heard_at_its_time(joined):
    transcript, _ = joined
    summary = summarize_transcript(transcript)
    assert summary.summary and summary.key_points
    spoken = " ".join(s.text.strip() for s in transcript.segments)
    lines = [*summary.summary, *summary.key_points]
    for line in lines:
        seg = transcript.segments[line.segment]
        assert line.text in spoken and seg.start <= line.start <= seg.end
        assert any(abs(w.start - line.start) < 1e-3 for w in seg.words)
    assert len({x.text for x in lines}) == len(lines)
