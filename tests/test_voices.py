"""Voices as readers see them: captions and text name speakers where they change, labels in each
language, names only from [[speakers]] and only for the numbering they were given for, and
`learninglab speakers` editing episode.toml without disturbing it."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace

import pytest
from click.testing import CliRunner

from pipeline.captions import to_srt, to_text, to_vtt
from pipeline.cli import main
from pipeline.diarize import Diarization, VoiceTurn
from pipeline.diarize.assign import label_transcript
from pipeline.diarize.score import der, read_rttm, word_accuracy
from pipeline.episode import load_episode
from pipeline.speakers import set_voices
from pipeline.transcript import Segment, Transcript, Word
from pipeline.voices import show_voices
from tests.conftest import DATA, SPEECH, copy_project


def words(text: str, start: float, step: float = 0.5) -> tuple[Word, ...]:
    return tuple(Word(start + i * step, start + (i + 1) * step - 0.05, w) for i, w in enumerate(text.split()))


def segment(text: str, start: float, speaker: str | None, lang: str = "en") -> Segment:
    w = words(text, start)
    return Segment(start, w[-1].end, text, lang, w, speaker)


CALL = Transcript("en", 30.0, (
    segment("Welcome everyone to the call.", 0.0, "1"),
    segment("Thanks for having me here today.", 3.0, "2"),
    segment("I want to talk about loans.", 6.5, "2"),
    segment("Please go ahead.", 10.0, "1"),
), "faster-whisper", "base")


# -- captions and text --------------------------------------------------------------------------------

def test_text_and_srt_name_the_speaker_where_it_changes_and_vtt_on_every_cue():
    shown = show_voices(CALL)
    text = to_text(shown).splitlines()
    assert [line.split("] ")[1][:10] for line in text] == ["Speaker 1:", "Speaker 2:", "I want to ",
                                                           "Speaker 1:"]
    srt = to_srt(shown)
    assert re.findall(r"^(Speaker \d):", srt, re.M) == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert "I want to talk about loans." in srt.replace("\n", " ")
    vtt = to_vtt(shown)
    assert re.findall(r"<v ([^>]+)>", vtt) == ["Speaker 1", "Speaker 2", "Speaker 2", "Speaker 1"]


def test_srt_cues_keep_their_word_times_after_the_name():
    """The name opens the cue as words of no time: the cue times still come from Whisper's words."""
    long = segment("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                   "fifteen sixteen seventeen eighteen nineteen twenty", 1.0, "1")
    other = segment("Yes.", 12.0, "2")
    srt = to_srt(show_voices(CALL.with_segments([long, other])))
    stamps = re.findall(r"(\d\d):(\d\d):(\d\d),(\d\d\d) -->", srt)
    starts = [int(m) * 60 + int(s) + int(ms) / 1000 for _, m, s, ms in stamps]
    assert starts[0] == 1.0 and starts[-1] == 12.0
    firsts = [block.split("\n")[2].split()[0] for block in srt.strip().split("\n\n")]
    second_start = long.words[[w.text for w in long.words].index(firsts[1])].start
    assert starts[1] == pytest.approx(second_start, abs=1e-3)


def test_vtt_voice_names_are_escaped():
    seg = replace(CALL.segments[0], speaker="Ana <Tester> & Co")
    vtt = to_vtt(CALL.with_segments([seg]))
    assert "<v Ana &lt;Tester&gt; &amp; Co>Welcome" in vtt


def test_labels_in_each_language_and_a_lone_voice_is_not_labelled():
    es = CALL.with_segments([replace(s, language="es") for s in CALL.segments], language="es")
    fr = CALL.with_segments([replace(s, language="fr") for s in CALL.segments], language="fr")
    assert {s.speaker for s in show_voices(es).segments} == {"Hablante 1", "Hablante 2"}
    assert {s.speaker for s in show_voices(fr).segments} == {"Voix 1", "Voix 2"}
    named = show_voices(CALL, {2: "Grace Otieno"})
    assert {s.speaker for s in named.segments} == {"Speaker 1", "Grace Otieno"}
    alone = CALL.with_segments([replace(s, speaker="1") for s in CALL.segments])
    assert {s.speaker for s in show_voices(alone).segments} == {None}
    assert {s.speaker for s in show_voices(alone, {1: "Amina"}).segments} == {"Amina"}


def test_a_segment_is_split_where_the_voice_changes_inside_it():
    seg = segment("so that is my answer yes I agree with you", 0.0, None)
    voices = Diarization((VoiceTurn(0.0, 2.4, 1), VoiceTurn(2.6, 6.0, 2)))
    parts = label_transcript(CALL.with_segments([seg, segment("Right.", 8.0, None)]), voices).segments
    assert [(p.speaker, p.text) for p in parts] == [
        ("1", "so that is my answer"), ("2", "yes I agree with you"), ("2", "Right.")]
    assert parts[0].start == 0.0 and parts[1].start == seg.words[5].start and parts[1].end == seg.end
    wordless = Segment(0.5, 3.0, "no word times here", "en")
    assert label_transcript(CALL.with_segments([wordless]), voices).segments[0].speaker == "1"


# -- scores used by the bench -------------------------------------------------------------------------

def test_der_counts_overlap_missed_speech_confusion_and_the_collar():
    reference = [(0.0, 10.0, "A"), (10.0, 20.0, "B"), (15.0, 20.0, "C")]        # C talks over B
    perfect_but_one_speaker = [(0.0, 10.0, 1), (10.0, 20.0, 2)]
    result = der(reference, perfect_but_one_speaker, 20.0, collar=0.0)
    assert (result.missed, result.false_alarm, result.confusion) == pytest.approx((5.0, 0.0, 0.0))
    assert result.rate == pytest.approx(5 / 25) and result.overlap_missed == pytest.approx(5.0)
    swapped = der(reference, [(0.0, 10.0, 1), (10.0, 20.0, 1)], 20.0, collar=0.0)
    assert swapped.confusion == pytest.approx(10.0)
    collared = der([(0.0, 10.0, "A")], [(0.3, 10.0, 1)], 10.0, collar=0.25)
    assert collared.missed == pytest.approx(0.05) and collared.reference == pytest.approx(9.5)
    assert read_rttm("SPEAKER x 1 2.977 0.391 <NA> <NA> MÉO069 <NA> <NA>\n") == [(2.977, 3.368, "MÉO069")]
    assert word_accuracy(["a", "a", "b", "b"], [7, 7, 7, 3]) == 0.75


def test_the_benchmark_references_are_here_with_their_licence():
    rttms = sorted((DATA / "diarize").glob("*.rttm"))
    assert len(rttms) == 13 and all(p.with_suffix(".flac").is_file() for p in rttms)
    assert "CC BY 4.0" in (DATA / "diarize" / "SOURCES.md").read_text()


# -- [voices] and `learninglab speakers` ----------------------------------------------------------------

SPEC = '''# Peer call, April. Staff notes: keep the welcome short.
title = "Peer call"
date = 2026-04-14
recording = "call.wav"   # the WhatsApp export
language = "en"
guid = "5b2d0c7e-7a1f-4c55-9f0e-3d6b8a2c1e44"

[[speakers]]
name = "Amina Diallo"   # facilitator
role = "facilitator"

[[speakers]]
name = "Grace Otieno"
'''


def test_set_voices_edits_only_the_voices_table():
    once = set_voices(SPEC, {"1": "Amina Diallo", "diarization": "abc123"})
    assert once == SPEC + '\n[voices]\n1 = "Amina Diallo"\ndiarization = "abc123"\n'
    commented = (once.replace("[voices]\n", "[voices]  # who is who\n# checked by Grace\n")
                 + "\n[redact]\nwords = []\n")
    twice = set_voices(commented, {"2": "Grace Otieno", "1": None, "diarization": "def456"})
    assert '[voices]  # who is who\n# checked by Grace\ndiarization = "def456"\n2 = "Grace Otieno"\n' in twice
    assert twice.endswith("\n[redact]\nwords = []\n") and twice.startswith(SPEC)
    crlf = set_voices(SPEC.replace("\n", "\r\n"), {"1": "Amina Diallo"})
    assert "\n" not in crlf.replace("\r\n", "")


@pytest.fixture
def call(tmp_path):
    """A project with one real recording of three speakers, diarized by the real stage."""
    from pipeline.project import Project
    from pipeline.runner import Context, run_stage
    from pipeline.stages import DIARIZE
    from pipeline.workarea import write_transcript_files

    root = copy_project(tmp_path / "project", episodes=[])
    folder = root / "episodes" / "call"
    folder.mkdir()
    shutil.copy(SPEECH / "en_picovoice_three_speakers.wav", folder / "call.wav")
    (folder / "episode.toml").write_text(SPEC, encoding="utf-8")
    project = Project.load(root)
    ctx = Context(project, project.episodes().episodes[0])
    said = ((1.4, 3.3, "And so it begins!"), (5.9, 11.2, "This is what a crocodile sounds like."),
            (12.6, 19.2, "Ladies and gentlemen, please fasten your seat belts."))
    write_transcript_files(Transcript("en", 19.8, tuple(Segment(a, b, t, "en") for a, b, t in said),
                                      "faster-whisper", "base"), ctx.stage_dir("transcribe"))
    assert run_stage(DIARIZE, ctx, lambda s: None).status == "ran"
    return root


def speakers(root, *args):
    return CliRunner().invoke(main, ["--project", str(root), "speakers", *args], catch_exceptions=False)


def test_speakers_lists_voices_then_names_them_from_the_speakers_list(call):
    listing = speakers(call, "call")
    assert listing.exit_code == 0, listing.output
    assert "call: 3 voice(s)" in listing.output
    assert "[0:05] This is what a crocodile sounds like." in listing.output
    assert 'learninglab speakers call 1="Amina Diallo"' in listing.output
    named = speakers(call, "call", "1=Amina Diallo", "3=Grace Otieno")
    assert named.exit_code == 0, named.output
    text = (call / "episodes" / "call" / "episode.toml").read_text()
    assert text.startswith(SPEC) and '1 = "Amina Diallo"\n3 = "Grace Otieno"\n' in text
    spec = load_episode(call / "episodes" / "call")
    assert spec.voices.names == ((1, 0), (3, 1)) and spec.voices.numbering
    assert "voice 1 (Amina Diallo)" in speakers(call, "call").output
    assert speakers(call, "call", "1=").exit_code == 0
    assert load_episode(call / "episodes" / "call").voices.names == ((3, 1),)


@pytest.mark.parametrize("args,line", [
    (("9=Amina Diallo",), "field 'voices': there is no voice 9 (voices: 1, 2, 3) — use a number"),
    (("1=Amina",), "field 'voices': 'Amina' is not the name of anyone in [[speakers]] — add that person"),
    (("Amina",), "field 'speakers': 'Amina' is not VOICE=NAME — write the voice number"),
])
def test_speakers_refuses_what_it_cannot_check(call, args, line):
    before = (call / "episodes" / "call" / "episode.toml").read_bytes()
    result = speakers(call, "call", *args)
    assert result.exit_code == 1 and line in result.output and "Traceback" not in result.output
    assert (call / "episodes" / "call" / "episode.toml").read_bytes() == before


def test_names_of_another_numbering_are_not_shown_and_are_replaced(call):
    from pipeline.voices import named_voices

    path = call / "episodes" / "call" / "episode.toml"
    path.write_text(SPEC + '\n[voices]\n1 = "Amina Diallo"\n2 = "Grace Otieno"\n'
                    'diarization = "0123456789ab"\n')
    spec = load_episode(path.parent)
    voices = json.loads((call / "output" / "episodes" / "call" / "diarize" / "voices.json").read_text())
    assert named_voices(spec, voices["numbering"]) == {}
    assert named_voices(spec, "0123456789ab") == {1: "Amina Diallo", 2: "Grace Otieno"}
    listing = speakers(call, "call").output
    assert "numbered anew" in listing and "voice 1 (Speaker 1, not named)" in listing
    result = speakers(call, "call", "3=Grace Otieno")
    assert "its earlier names were removed" in result.output
    assert load_episode(path.parent).voices.names == ((3, 1),)


def test_speakers_before_the_voices_are_found(tmp_path):
    root = copy_project(tmp_path / "project", episodes=["demo-sonnet-reading"])
    result = speakers(root, "demo-sonnet-reading")
    assert result.exit_code == 1
    assert "the voices are not found yet — run `learninglab run demo-sonnet-reading` first" in result.output
