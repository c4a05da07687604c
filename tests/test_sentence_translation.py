"""Transcripts are translated sentence by sentence, on the source's cues: real Apertium (and real
argos packages run by CTranslate2) on a transcript whose sentences run over cue boundaries."""

from __future__ import annotations

import re

import pytest

from pipeline.captions import aligned_cues, segment_cues, sentence_parts, to_srt, to_vtt
from pipeline.transcript import Segment, Transcript
from pipeline.translate import transcripts
from pipeline.translate.enforce import translate_enforced
from pipeline.translate.sentences import Piece, lay_back, sentences
from pipeline.translate.service import glossary_in
from tests.conftest import ROOT
from tests.test_translate_stage import cue_times_of

# Sentences cut where the captions are cut, as Whisper cuts them; speakers as diarization gives them.
SEGMENTS = (
    (0.0, 3.2, "Thank you all for joining this peer learning call, which", "Amina"),
    (3.2, 7.0, "started in March. Our partners asked for funding that", "Amina"),
    (7.0, 10.4, "they can spend on their own priorities. The girls walk", "Amina"),
    (10.4, 14.0, "more than an hour to reach the nearest school.", "Amina"),
    (14.5, 18.0, "We listened to the survivors before we changed the service, and the nurses", "Rosa"),
    (18.0, 21.0, "speak the local language. It worked.", "Claire"),     # another voice ends it
)
SENTENCES = [
    "Thank you all for joining this peer learning call, which started in March.",
    "Our partners asked for funding that they can spend on their own priorities.",
    "The girls walk more than an hour to reach the nearest school.",
    "We listened to the survivors before we changed the service, and the nurses",
    "speak the local language.",
    "It worked.",
]


def source() -> Transcript:
    segments = tuple(Segment(s, e, text, "en", speaker=who) for s, e, text, who in SEGMENTS)
    return Transcript("en", 21.0, segments, "faster-whisper", "base")


class Recording:
    """The real engine, with every batch it is given written down."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.identity = inner, inner.name, inner.identity
        self.calls: list[list[str]] = []

    def translate(self, texts: list[str]) -> list[str]:
        self.calls.append(list(texts))
        return self.inner.translate(texts)

    def retry(self, texts: list[str]) -> list[list[str]]:
        self.calls.append(list(texts))
        return self.inner.retry(texts)


@pytest.fixture
def recorded(monkeypatch):
    engines: list[Recording] = []
    real = transcripts.load

    def load(route):
        engines.append(Recording(real(route)))
        return engines[-1]

    monkeypatch.setattr(transcripts, "load", load)
    return engines


def cues(vtt: str) -> list[str]:
    """Each cue's text, voice and language tags removed."""
    blocks = [b.split("\n", 1)[1] for b in vtt.split("\n\n") if " --> " in b]
    return [re.sub(r"<[^>]*>", "", b).strip() for b in blocks]


def opens_lower(text: str) -> bool:
    first = next((c for c in text if c.isalpha()), "")
    return first.islower()


def lowercase_openings_added(src: str, out: str) -> list[tuple[str, str]]:
    """Cues that open in lower case in the translation where the source's cue did not."""
    pairs = zip(cues(src), cues(out), strict=True)
    return [(a, b) for a, b in pairs if opens_lower(b) and not opens_lower(a)]


@pytest.mark.parametrize("target,engine", [("es", "apertium"), ("fr", "apertium via ca"),
                                           ("es", "argos"), ("fr", "argos")])
def test_each_sentence_is_one_engine_text_on_the_source_cues(recorded, request, target, engine):
    if engine == "argos":
        request.getfixturevalue("use_argos")
    glossary = glossary_in(ROOT / "glossary")
    src = source()
    done = transcripts.translate_transcript(src, target, glossary, prefer=engine.split()[0]).transcript

    # one engine, one call, one text per whole sentence (glossary terms masked), never across speakers
    assert len(recorded) == 1 and recorded[0].name == engine
    (batch,) = recorded[0].calls
    assert len(batch) == len(SENTENCES)
    for sent, masked in zip(SENTENCES, batch, strict=True):
        assert re.sub(r"XTERM\d+X", "", masked).split()[-1] == sent.split()[-1]
    assert done.extra["translation_engines"] == {f"en-{target}": engine}

    # every segment keeps its times and its speaker, and holds a non-empty piece of the translation
    assert [(s.start, s.end, s.speaker) for s in done.segments] == [(s.start, s.end, s.speaker)
                                                                     for s in src.segments]
    assert all(s.text.strip() and s.language == target for s in done.segments)
    # captions change exactly when the source's do
    for render in (to_vtt, to_srt):
        assert cue_times_of(render(done, src)) == cue_times_of(render(src))
    vtt = to_vtt(done, src)
    assert [v for v in re.findall(r"<v ([^>]+)>", vtt)] == re.findall(r"<v ([^>]+)>", to_vtt(src))
    # no cue starts with a lower-case fragment the source did not have
    assert lowercase_openings_added(to_vtt(src), vtt) == []
    assert lowercase_openings_added(to_srt(src), to_srt(done, src)) == []


def test_segment_by_segment_translation_broke_the_sentences(recorded):
    """The check above can fail: translated one segment at a time (the old way), Apertium opens
    cues that continue a sentence with a capital, as if each started one."""
    glossary = glossary_in(ROOT / "glossary")
    src = source()
    route = transcripts.find_route("en", "es", prefer="apertium")
    engine = transcripts.load(route)
    old = translate_enforced([s.text for s in src.segments], "es", glossary.terms("en"), engine)
    before = src.with_segments([Segment(s.start, s.end, t, "es", speaker=s.speaker)
                                for s, t in zip(src.segments, old.texts, strict=True)], language="es")
    after = transcripts.translate_transcript(src, "es", glossary, prefer="apertium").transcript

    def capitalised(done: Transcript) -> list[float]:
        """Start times of cues that open with a capital where the source's open in lower case."""
        times = [start for start, _ in cue_times_of(to_vtt(src))]
        return [t for t, a, b in zip(times, cues(to_vtt(src)), cues(to_vtt(done, src)), strict=True)
                if opens_lower(a) and not opens_lower(b)]

    assert len(capitalised(before)) >= 3
    assert capitalised(after) == [18.0]        # only where another speaker takes over mid-sentence


def test_a_long_unpunctuated_run_is_cut_where_its_segments_meet():
    words = " ".join(f"word{n}" for n in range(40))
    units = [words, words, "and the end."]
    found = sentences(units, [[0, 1, 2]], "en")
    assert [len(s.pieces) for s in found] == [1, 1, 1]          # 83 words: cut at each boundary
    assert [s.pieces[0].unit for s in found] == [0, 1, 2]


def test_lay_back_shares_a_sentence_by_characters_within_its_own_pieces():
    found = sentences(["One two three four", "five six. Seven", "eight nine."], [[0, 1, 2]], "en")
    assert [s.text for s in found] == ["One two three four five six.", "Seven eight nine."]
    assert found[0].pieces == (Piece(0, 18), Piece(1, 9)) and found[1].pieces == (Piece(1, 5), Piece(2, 11))
    out = lay_back(found, ["uno dos tres cuatro cinco seis.", "siete ocho nueve."], 3)
    assert out == ["Uno dos tres cuatro", "cinco seis. Siete", "ocho nueve."]     # capital kept at the start


def test_captions_keep_a_sentence_start_on_the_cue_where_the_source_has_it():
    # a sentence ends before a capital: abbreviations split too (harmless: the translation splits
    # alike, or the cue falls back to sharing by characters)
    assert [len(p) for p in sentence_parts("Mr. Smith came. And then? we left".split())] == [1, 2, 4]
    src = Segment(0, 9, "It is the first sentence, and it is long. And here starts the other one, "
                  "which is long too.", "en")
    out = Segment(0, 9, "Es la primera frase, y es bastante larga. Y aquí empieza la otra, que también "
                  "es larga.", "es")
    source_cues = list(segment_cues(src, 32, 2))
    assert " ".join(source_cues[1].lines).startswith("And here")          # a sentence opens cue 2
    translated = list(aligned_cues(out, src, 32, 2))
    assert [(c.start, c.end) for c in translated] == [(c.start, c.end) for c in source_cues]
    assert " ".join(translated[0].lines) == "Es la primera frase, y es bastante larga."
    assert " ".join(translated[1].lines).startswith("Y aquí")


def test_translate_text_keeps_every_line_break(project_copy):
    """A list, an address block, a poem and hard-wrapped prose come back with their lines where
    they were; a sentence wrapped over two lines is translated whole (real Apertium)."""
    from click.testing import CliRunner

    from pipeline.cli import main

    text = ("Dear partners,\n"
            "we met in March in Nairobi and we talked\n"
            "about trust-based funding with three\n"
            "women-led organizations. It went well.\n"
            "\n"
            "- Girls need school\n"
            "- Women need health\n"
            "\n"
            "  WomenStrong\n"
            "  1 Main Street\n"
            "  Washington\n")
    out = CliRunner().invoke(main, ["--project", str(project_copy([])), "translate-text", "--from", "en",
                                    "--to", "es", "--engine", "apertium"], input=text)
    assert out.exit_code == 0, out.output
    lines = out.stdout.split("\n")
    assert len(lines) == len(text.split("\n"))
    assert [i for i, line in enumerate(lines) if not line] == [i for i, line in enumerate(text.split("\n"))
                                                               if not line]
    assert lines[0].endswith("socias,")                                     # the glossary's form
    assert "financiamiento basado en la confianza" in lines[2] and lines[3].endswith("Fue bien.")
    assert lines[5].startswith("- ") and lines[6].startswith("- ")          # list markers kept
    assert lines[8:11] == ["  WomenStrong", "  1 Calle Principal", "  Washington"]
    # "talked / about" was one sentence for the engine: "hablamos sobre" may end either line
    assert "hablamos" in lines[1] + lines[2]
