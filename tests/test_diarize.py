"""Who said what, on real recordings: the GE2E encoder as resemblyzer runs it, voices found in real
speech, every word given a speaker, and the voices shown (and named, and redacted) everywhere the
transcript is published."""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.audio import decode
from pipeline.cli import main
from pipeline.diarize import diarize_audio, speech_turns
from pipeline.diarize.score import word_accuracy
from pipeline.project import Project
from pipeline.runner import Context, run_stage
from tests.conftest import SPEECH, copy_project, normalize_words

THREE = "en_picovoice_three_speakers.wav"
DEMO = "demo-interpreted-welcome"


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


# -- the encoder -----------------------------------------------------------------------------------

@pytest.mark.parametrize("clip", [THREE, "fr_ej-fra_readalongs.m4a"])
def test_embeddings_match_resemblyzers_own_torch_model(clip):
    """resemblyzer's VoiceEncoder (torch, librosa) and ours (numpy mel, onnxruntime LSTM) on the same
    preprocessed real speech: the same mel frames and the same partial embeddings."""
    import torch
    from resemblyzer import VoiceEncoder, preprocess_wav
    from resemblyzer.audio import wav_to_mel_spectrogram

    from pipeline.diarize.encoder import Encoder, mel_spectrogram

    wav = preprocess_wav(decode(SPEECH / clip, 16000))
    reference = VoiceEncoder("cpu", verbose=False)
    _, partials, _ = reference.embed_utterance(wav, return_partials=True)
    wav_slices, mel_slices = reference.compute_partial_slices(len(wav), 1.3, 0.75)
    padded = np.pad(wav, (0, max(0, wav_slices[-1].stop - len(wav))))
    theirs_mel, ours_mel = wav_to_mel_spectrogram(padded), mel_spectrogram(padded)
    assert ours_mel.shape == theirs_mel.shape
    assert np.abs(ours_mel - theirs_mel).max() <= 1e-4 * np.abs(theirs_mel).max()
    ours = Encoder().embed(ours_mel, [(s.start, s.stop) for s in mel_slices] + [(0, 70)])
    assert len(partials) >= 10
    assert np.abs(ours[:-1] - partials).max() < 1e-4
    with torch.no_grad():                 # a window shorter than 1.6 s ends at its own last frame
        short = reference(torch.from_numpy(ours_mel[None, :70])).numpy()[0]
    assert np.abs(ours[-1] - short).max() < 1e-4


def test_embeddings_made_stretch_by_stretch_equal_those_of_the_whole_spectrogram(monkeypatch):
    """A long session's spectrogram is made 60 s at a time (memory must not grow with its length):
    cut into stretches of 3 s here, the embeddings of three real voices are those of one spectrogram
    of the whole recording, windows at both ends of the recording included."""
    import pipeline.diarize as diarization
    from pipeline.diarize.cluster import windows
    from pipeline.diarize.encoder import load_encoder, mel_spectrogram

    audio = decode(SPEECH / THREE)
    turns = [(0.0, 2.5), *speech_turns(audio), (len(audio) / 16000 - 1.0, len(audio) / 16000)]
    gain = diarization.loudness_gain(diarization.Clip(audio), turns)
    whole_mel = mel_spectrogram(audio * np.float32(gain))
    whole = load_encoder().embed(whole_mel, windows(turns, len(whole_mel)))
    monkeypatch.setattr(diarization, "STRETCH_FRAMES", 300)
    stretched = diarization.embed(audio, turns)
    assert stretched.vectors.shape == whole.shape and len(whole) > 10
    assert np.abs(stretched.vectors - whole).max() < 1e-4


def test_weights_are_checked_and_nothing_but_tensors_is_unpickled(tmp_path, monkeypatch):
    import pickle

    from pipeline.diarize import encoder
    from pipeline.errors import LearningLabError

    real = encoder.weights_path()
    assert real.is_file() and real.name == "pretrained.pt"
    changed = tmp_path / "pretrained.pt"
    changed.write_bytes(real.read_bytes()[:-1] + b"\0")
    with pytest.raises(LearningLabError, match="checksum differs.*pip install --no-deps resemblyzer"):
        encoder.read_weights(changed)

    class Sneaky:
        def __reduce__(self):
            return (shutil.rmtree, (str(tmp_path),))
    evil = b"".join(pickle.dumps(x, protocol=2) for x in (1, 1001, {})) + pickle.dumps(Sneaky(), protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="refused to load shutil.rmtree"):
        encoder.read_legacy_torch(evil)
    assert tmp_path.is_dir()
    monkeypatch.setenv("LEARNINGLAB_SPEAKER_ENCODER", str(tmp_path / "missing.pt"))
    with pytest.raises(LearningLabError, match="cannot read the speaker encoder weights"):
        encoder.read_weights.__wrapped__()


# -- voices in real recordings ---------------------------------------------------------------------

@pytest.mark.parametrize("clip", ["en_sonnet001_librivox.mp3", "es_capitan_veneno_librivox.mp3",
                                  "fr_ej-fra_readalongs.m4a", "en_jfk_ask_not.wav",
                                  "en_picovoice_quilter.wav"])
def test_a_single_speaker_recording_has_one_voice(clip):
    audio = decode(SPEECH / clip, 16000)
    diarization = diarize_audio(audio)
    assert diarization.voices == (1,)
    speech = sum(b - a for a, b in speech_turns(audio))
    assert diarization.talk_time()[1] == pytest.approx(speech, abs=0.05)


def test_no_speech_no_voice():
    assert diarize_audio(decode(SPEECH / "no_speech_picovoice_empty.wav", 16000)).voices == ()


@pytest.fixture(scope="module")
def three_voices(tmp_path_factory):
    """The three-speaker clip through the real transcribe and diarize stages."""
    from pipeline import transcript as transcript_io
    from pipeline.stages import DIARIZE, TRANSCRIBE

    root = copy_project(tmp_path_factory.mktemp("three") / "project", episodes=[])
    folder = root / "episodes" / "three"
    folder.mkdir()
    shutil.copy(SPEECH / THREE, folder / "call.wav")
    (folder / "episode.toml").write_text('title = "Three"\ndate = 2026-01-05\nrecording = "call.wav"\n'
                                         'language = "en"\nguid = "3a7c1e52-0d4b-4f3e-9a61-2b8c5d7e9f01"\n')
    project = Project.load(root)
    ctx = Context(project, project.episodes().episodes[0])
    for stage in (TRANSCRIBE, DIARIZE):
        assert run_stage(stage, ctx, lambda s: None).status == "ran"
    return ctx, transcript_io.load(ctx.stage_dir("diarize") / "transcript.json")


def test_three_speakers_found_and_nine_words_in_ten_right(three_voices):
    """Word speaker tags of the clip's reference, aligned to Whisper's words by their text."""
    _, transcript = three_voices
    reference = json.loads((SPEECH / "en_picovoice_three_speakers.speakers.json").read_text())["words"]
    ref_words = [normalize_words(w["word"])[0] for w in reference]
    said = [(normalize_words(w.text), seg.speaker) for seg in transcript.segments for w in seg.words]
    hyp_words = [words[0] if words else "" for words, _ in said]
    pairs = [(i, j) for block in difflib.SequenceMatcher(None, ref_words, hyp_words, autojunk=False)
             .get_matching_blocks() for i, j in zip(range(block.a, block.a + block.size),
                                                   range(block.b, block.b + block.size), strict=True)]
    assert len(pairs) >= 0.9 * len(ref_words)         # the alignment itself covers the clip
    assert {seg.speaker for seg in transcript.segments} == {"1", "2", "3"}
    accuracy = word_accuracy([reference[i]["speaker_tag"] for i, _ in pairs], [said[j][1] for _, j in pairs])
    assert accuracy >= 0.9, accuracy


def test_every_word_has_the_speaker_of_its_segment_and_segments_split_at_changes(three_voices):
    from pipeline.diarize.stage import load

    ctx, transcript = three_voices
    diarization = load(ctx.stage_dir("diarize")).diarization
    for seg in transcript.segments:
        assert seg.speaker and seg.words
        assert {str(diarization.voice_at(w.start, w.end)) for w in seg.words} == {seg.speaker}
    raw = json.loads((ctx.stage_dir("transcribe") / "transcript.json").read_text())
    assert " ".join(s.text for s in transcript.segments).split() == \
        " ".join(s["body"] for s in raw["segments"]).split()           # nothing lost in the split
    voices = json.loads((ctx.stage_dir("diarize") / "voices.json").read_text())
    assert [v["voice"] for v in voices["voices"]] == [1, 2, 3]
    assert all(v["seconds"] > 1 for v in voices["voices"])


def test_voices_come_from_the_transcriptions_one_vad_pass_faint_speech_included(three_voices, monkeypatch):
    """The transcription records where anyone may be speaking (its Silero scores cut at lower
    thresholds than the turns Whisper is given); diarization embeds those, without a VAD pass of its
    own, so faint speech gets a voice too."""
    import pipeline.transcribe.vad as vad
    from pipeline import transcript as transcript_io
    from pipeline.diarize.stage import EMBEDDINGS_FILE, load, recorded_turns
    from pipeline.stages import DIARIZE

    ctx, _ = three_voices
    transcript = transcript_io.load(ctx.stage_dir("transcribe") / "transcript.json")
    activity, given = recorded_turns(transcript), transcript.extra["speech_turns"]
    assert activity and given
    for a, b, _ in given:           # every turn given to Whisper lies inside the voice activity
        assert sum(max(0.0, min(b, y) - max(a, x)) for x, y in activity) == pytest.approx(b - a, abs=0.01)
    assert sum(y - x for x, y in activity) >= sum(b - a for a, b, _ in given)

    def no_vad(*args, **kwargs):
        raise AssertionError("diarization ran a VAD pass of its own")
    monkeypatch.setattr(vad, "speech_probabilities", no_vad)
    (ctx.stage_dir("diarize") / EMBEDDINGS_FILE).unlink()      # the encoder must run again
    assert run_stage(DIARIZE, ctx, lambda s: None, force=True).status == "ran"
    with np.load(ctx.stage_dir("diarize") / EMBEDDINGS_FILE) as saved:
        assert saved["turns"].tolist() == [list(t) for t in activity]     # what was embedded
    turns = load(ctx.stage_dir("diarize")).diarization.turns
    assert turns and all(any(x - 0.01 <= t.start and t.end <= y + 0.01 for x, y in activity) for t in turns)


def test_the_embeddings_are_reused_when_only_the_hint_or_the_text_changes(three_voices, monkeypatch):
    """A rerun for another reason reclusters the kept embeddings: the encoder is not run again."""
    from dataclasses import replace

    import pipeline.diarize as diarize_package
    from pipeline import transcript as transcript_io
    from pipeline.episode import Speaker
    from pipeline.redact import redact_transcript
    from pipeline.stages import DIARIZE

    ctx, before = three_voices

    def no_encoder(*args, **kwargs):
        raise AssertionError("the encoder ran again")
    monkeypatch.setattr(diarize_package, "embed", no_encoder)
    hinted = replace(ctx, spec=replace(ctx.spec, speakers=(Speaker("A"), Speaker("B"), Speaker("C"))))
    assert run_stage(DIARIZE, hinted, lambda s: None).status == "ran"
    raw = ctx.stage_dir("transcribe") / "transcript.json"        # as the redact stage scrubs it
    transcript_io.save(redact_transcript(transcript_io.load(raw), ["crocodile"]), raw)
    assert run_stage(DIARIZE, hinted, lambda s: None).status == "ran"
    after = transcript_io.load(ctx.stage_dir("diarize") / "transcript.json")
    assert "crocodile" in before.text and "crocodile" not in after.text and "[redacted]" in after.text
    assert [s.speaker for s in after.segments] == [s.speaker for s in before.segments]


# -- everywhere the transcript goes ------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The interpreted demo session, run end to end by `learninglab run`."""
    root = copy_project(tmp_path_factory.mktemp("demo") / "project", episodes=[DEMO])
    result = invoke(root, "run")
    assert result.exit_code == 0, result.output
    return root


def voice_tags(vtt: str) -> list[str]:
    return re.findall(r"<v ([^>]+)>", vtt)


def test_the_interpreted_demo_shows_its_voices_in_the_captions_and_the_notes(demo):
    site = demo / "output" / "site"
    vtt = (site / "episodes" / DEMO / "transcript-original.vtt").read_text()
    assert len(set(voice_tags(vtt))) >= 2
    assert set(voice_tags(vtt)) <= {"Voix 1", "Voix 2", "Voix 3"}        # the session is mostly French
    english = (site / "episodes" / DEMO / "transcript-en.vtt").read_text()
    assert {t.replace("Voix", "Speaker") for t in voice_tags(vtt)} == set(voice_tags(english))
    page = (site / "en" / DEMO / "index.html").read_text()
    turns = re.findall(r'<li class="turn"><p class="who" dir="auto">([^<]+)</p>\s*<ol>', page)
    assert len(set(turns)) >= 2 and turns == [t for i, t in enumerate(turns) if i == 0 or turns[i - 1] != t]
    notes = (site / "es" / DEMO / "notes.md").read_text()
    assert len(set(re.findall(r"^\*\*(Hablante \d)\*\*$", notes, re.M))) >= 2
    record = json.loads((site / "episodes" / DEMO / "episode.json").read_text())
    talk = {v["voice"]: v["seconds"] for v in record["voices"]}
    assert len(talk) >= 2 and all(v["name"] is None for v in record["voices"])
    assert 40 < sum(talk.values()) < 53                                  # the speech of a 53 s recording
    data = json.loads((site / "episodes" / DEMO / "transcript-original.json").read_text())
    assert {s["speaker"] for s in data["segments"]} == set(voice_tags(vtt))


def test_translations_keep_the_speaker_of_what_they_translate(demo):
    from pipeline import transcript as transcript_io

    work = demo / "output" / "episodes" / DEMO
    source = transcript_io.load(work / "redact" / "transcript.json")
    for lang in ("en", "es", "fr"):
        translated = transcript_io.load(work / "translate" / lang / "transcript.json")
        for seg in translated.segments:
            under = {s.speaker for s in source.segments
                     if min(s.end, seg.end) - max(s.start, seg.start) > 0.05}
            assert under == {seg.speaker}, (lang, seg)


def test_srt_and_text_name_the_speaker_only_where_it_changes(demo):
    episode = demo / "output" / "site" / "episodes" / DEMO
    lines = (episode / "transcript-en.txt").read_text().splitlines()
    named = [line.split("] ", 1)[1].split(":")[0] for line in lines
             if re.match(r"\[[\d:]+\] Speaker \d:", line)]
    assert len(named) >= 2 and all(a != b for a, b in zip(named, named[1:], strict=False))
    assert len(named) < len(lines)                            # the French speaker's later lines carry no name
    srt = (episode / "transcript-en.srt").read_text()
    assert [m for m in re.findall(r"^(Speaker \d):", srt, re.M)] == named


def test_names_from_staff_rerun_only_publishing_and_redacted_names_show_as_numbers(demo):
    spec = demo / "episodes" / DEMO / "episode.toml"
    before = spec.read_text()
    states = demo / "output" / "episodes" / DEMO / ".state"
    stamps = {p.name: p.read_text() for p in states.glob("*.json")}
    listing = invoke(demo, "speakers", DEMO)
    assert listing.exit_code == 0 and "voice 1 (Speaker 1, not named)" in listing.output
    assert "[0:00] And so my fellow Americans" in listing.output
    named = invoke(demo, "speakers", DEMO, "1=John F. Kennedy", "2=Éric Joanis")
    assert named.exit_code == 0, named.output
    after = spec.read_text()
    assert after.startswith(before.rstrip("\n"))              # comments and layout kept, [voices] added
    assert '[voices]\n1 = "John F. Kennedy"\n2 = "Éric Joanis"\ndiarization = "' in after
    rerun = invoke(demo, "run")
    assert rerun.exit_code == 0, rerun.output
    assert {p.name: p.read_text() for p in states.glob("*.json")} == stamps   # no stage ran again
    site = demo / "output" / "site" / "episodes" / DEMO
    assert "<v Éric Joanis>" in (site / "transcript-original.vtt").read_text()
    assert "<v John F. Kennedy>" in (site / "transcript-es.vtt").read_text()
    record = json.loads((site / "episode.json").read_text())
    assert [v["name"] for v in record["voices"]][:2] == ["John F. Kennedy", "Éric Joanis"]

    spec.write_text(spec.read_text() + '\n[redact]\nwords = ["Joanis"]\n')
    assert invoke(demo, "run").exit_code == 0
    published = [p for p in (demo / "output" / "site").rglob("*") if p.is_file() and DEMO in str(p)]
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in published if p.suffix != ".mp3"}
    assert not [p for p, t in texts.items() if "Joanis" in t]
    for path, text in texts.items():
        assert "<v [redacted]" not in text and '"speaker": "[redacted]' not in text, path
        assert "[redacted]:" not in text and "**[redacted]**" not in text, path
    assert "<v Voix 2>" in (site / "transcript-original.vtt").read_text()
    assert "<v Hablante 2>" in (site / "transcript-es.vtt").read_text()
    assert "<v John F. Kennedy>" in (site / "transcript-original.vtt").read_text()
    assert [v["name"] for v in json.loads((site / "episode.json").read_text())["voices"]][:2] == \
        ["John F. Kennedy", None]
    listing = invoke(demo, "speakers", DEMO).output
    assert "voice 2 (named after a redacted person: shown as Speaker 2)" in listing
    assert "Joanis" not in listing
