"""Transcripts read a segment at a time: what the stages that only pass a transcript through (redact,
publish) read, so a 3-hour session's 22k words are never held whole. A stream must give exactly what
the whole file gives, and a broken file must be named, even when it breaks halfway through."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from pipeline import captions
from pipeline import transcript as transcript_io
from pipeline.errors import LearningLabError
from pipeline.transcript import Segment, Transcript, Word
from tests.conftest import DATA

FILES = sorted(DATA.rglob("*transcript.json"))


def test_a_stream_gives_what_the_whole_file_gives():
    assert FILES
    for path in FILES:
        whole = transcript_io.load(path)
        stream = transcript_io.open_stream(path)
        assert stream.head.segments == () and stream.head == whole.with_segments(())
        assert stream.head.extra == json.loads(path.read_text(encoding="utf-8")).get("extra", {})
        assert tuple(stream.iter_segments()) == whole.segments
        assert tuple(stream.iter_segments()) == whole.segments            # read anew at each pass
        assert stream.languages == whole.languages
        assert "".join(transcript_io.json_pieces(stream)) == "".join(transcript_io.json_pieces(whole))


def test_captions_of_a_stream_are_those_of_the_whole_transcript():
    source = transcript_io.load(DATA / "translate" / "demo-capitan-veneno.transcript.json")
    spoken = source.with_segments([replace(s, speaker=f"Speaker {1 + i % 2}")
                                   for i, s in enumerate(source.segments)])
    translated = spoken.with_segments([replace(s, text=s.text.upper(), language="en")
                                       for s in spoken.segments], language="en")
    as_stream = lambda t: transcript_io.TranscriptStream(t.with_segments(()), lambda: iter(t.segments))  # noqa: E731
    for transcript, timing in ((spoken, None), (translated, spoken)):
        stream, timing_stream = as_stream(transcript), timing and as_stream(timing)
        assert captions.to_vtt(stream, timing_stream) == captions.to_vtt(transcript, timing)
        assert captions.to_srt(stream, timing_stream) == captions.to_srt(transcript, timing)
        assert captions.to_text(stream) == captions.to_text(transcript)
    assert captions.to_srt(translated, spoken) != captions.to_srt(translated)   # on the source's cue times


def test_the_head_is_read_whatever_the_order_of_the_keys(tmp_path):
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps({"version": "1.0.0", "segments": [
        {"startTime": 0, "endTime": 1.5, "body": "Hola",
         "words": [{"startTime": 0, "endTime": 1.5, "body": "Hola"}]},
        {"startTime": 1.5, "endTime": 3, "body": "Bonjour", "language": "fr"}],
        "language": "es", "duration": 3, "extra": {"untranscribed": [[2.0, 2.5]]}}), encoding="utf-8")
    stream = transcript_io.open_stream(path)
    assert (stream.language, stream.duration, stream.extra) == ("es", 3.0, {"untranscribed": [[2.0, 2.5]]})
    assert list(stream.iter_segments()) == [Segment(0.0, 1.5, "Hola", "es", (Word(0.0, 1.5, "Hola"),)),
                                            Segment(1.5, 3.0, "Bonjour", "fr")]


def test_a_file_broken_halfway_is_named_when_its_stream_reaches_the_break(tmp_path):
    whole = Transcript("en", 9.0, tuple(Segment(i, i + 1.0, f"line {i}", "en") for i in range(9)), "t", "m")
    path = tmp_path / "transcript.json"
    transcript_io.save(whole, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) * 2 // 3], encoding="utf-8")        # cut off, as a full disk leaves it
    with pytest.raises(LearningLabError) as caught:
        list(transcript_io.open_stream(path).iter_segments())
    assert str(path) in str(caught.value) and "rerun `learninglab transcribe`" in str(caught.value)
    for broken, why in (("[1, 2]", "not a learninglab transcript"), ('{"language": "en"}', "segments"),
                        ('{"language": "en", "segments": [{"body": "no times"}]}', "startTime")):
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(LearningLabError) as caught:
            transcript_io.load(path)
        assert str(path) in str(caught.value) and why in str(caught.value), caught.value
