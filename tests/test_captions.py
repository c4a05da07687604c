"""Caption rules: SRT as Podcasting 2.0 asks (≤ 2 lines of ≤ 32 characters); translations keep
the source's cue times."""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline import transcript as transcript_io
from pipeline.captions import SRT_MAX_CHARS, aligned_cues, segment_cues, to_srt, to_vtt
from pipeline.transcript import Segment
from tests.conftest import DATA

DEMO = DATA / "translate" / "demo-capitan-veneno.transcript.json"


def srt_blocks(text: str) -> list[list[str]]:
    return [block.splitlines() for block in text.strip().split("\n\n")]


def test_srt_cues_have_at_most_two_lines_of_32_characters():
    source = transcript_io.load(DEMO)
    blocks = srt_blocks(to_srt(source))
    assert len(blocks) > len(source.segments)
    for i, block in enumerate(blocks, start=1):
        number, times, *lines = block
        assert number == str(i) and re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", times)
        assert 1 <= len(lines) <= 2 and all(len(line) <= SRT_MAX_CHARS for line in lines), block
    words = " ".join(line for block in blocks for line in block[2:]).split()
    assert words == source.text.split()                       # nothing lost or repeated


def test_vtt_marks_speakers_and_other_languages():
    source = transcript_io.load(DEMO)
    seg = replace(source.segments[0], speaker="Ana", language="en")
    text = to_vtt(source.with_segments([seg, *source.segments[1:]]))
    assert text.startswith("WEBVTT\n")
    assert "<lang en><v Ana>" in text


def test_a_longer_translation_keeps_the_source_cue_times_or_splits_inside_them():
    src = Segment(0.0, 6.0, "We fund women-led organizations in three countries with trust.", "en")
    slots = [(c.start, c.end) for c in segment_cues(src, SRT_MAX_CHARS, 2)]
    short = Segment(0.0, 6.0, "Financiamos organizaciones lideradas por mujeres en tres países.", "es")
    assert [(c.start, c.end) for c in aligned_cues(short, src, SRT_MAX_CHARS, 2)] == slots
    phrase = "Financiamos con confianza a organizaciones lideradas por mujeres"
    long = Segment(0.0, 6.0, " ".join([phrase] * 3), "es")
    cues = list(aligned_cues(long, src, SRT_MAX_CHARS, 2))
    assert {c.start for c in cues} >= {a for a, _ in slots} and cues[-1].end == 6.0
    assert all(len(c.lines) <= 2 and all(len(line) <= SRT_MAX_CHARS for line in c.lines) for c in cues)


def test_transcript_json_written_in_pieces_is_json_of_the_whole_and_reads_back(tmp_path):
    """A long session's transcript is written one segment at a time: the same text as one json.dumps
    of the whole (indent 1, as podcast apps fetch it), which loads back to the same transcript."""
    import json

    from pipeline.transcript import Transcript, Word

    for source in sorted(DATA.rglob("*transcript.json")):
        transcript = transcript_io.load(source)
        text = "".join(transcript_io.json_pieces(transcript))
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n", source
        transcript_io.save(transcript, tmp_path / "t.json")
        assert transcript_io.load(tmp_path / "t.json") == transcript
    odd = Transcript("fr", 3.0, (Segment(0.0, 1.5, 'Dit « non »\n"vraiment" \\ ?', "fr",
                                         (Word(0.0, 0.5, "Dit", 0.9), Word(0.5, 1.5, "non", None)), "2"),
                                 Segment(1.5, 3.0, "", "fr")), "faster-whisper", "base",
                     extra={"speech_turns": [[0.0, 3.0, "fr"]]})
    empty = Transcript("en", 0.0, (), "faster-whisper", "base")
    for t in (odd, empty):
        text = "".join(transcript_io.json_pieces(t))
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"
        transcript_io.save(t, tmp_path / "t.json")
        assert transcript_io.load(tmp_path / "t.json") == t
