"""Summaries, key points, topics and chapters on texts with known structure (issue 5).

The texts in tests/data/summarize/*.txt were written for these tests (see the README there):
three unrelated accounts of a peer-learning call, in English, Spanish and French. Transcripts
are built from them the way Whisper cuts speech: segments of eleven words that ignore sentence
ends, every word with its own time, the same short pause everywhere (so only the words can
tell where a topic changes). Real Whisper transcripts are in tests/data/summarize/transcripts/.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from pipeline import transcript as transcript_io
from pipeline.errors import LearningLabError
from pipeline.glossary import Entry
from pipeline.summarize import load, save
from pipeline.summarize.generate import sizes, summarize_transcript
from pipeline.summarize.model import CHAPTERS_VERSION
from pipeline.summarize.sentences import split_sentences
from pipeline.summarize.text import content_stems, stop_words
from pipeline.transcript import Segment, Transcript, Word

DATA = Path(__file__).resolve().parent / "data" / "summarize"
TOPICS = ("savings_group", "midwives", "football_league")
SEGMENT_WORDS = 11
WORD_SECONDS = 0.4
PAUSE = 0.3


def text_of(lang: str, topic: str) -> str:
    return (DATA / f"{lang}_{topic}.txt").read_text(encoding="utf-8").strip()


def transcript_from_texts(texts: list[str], lang: str) -> tuple[Transcript, list[float]]:
    """A transcript of the texts read one after the other, and the times where each new one starts."""
    segments, joins, t = [], [], 0.0
    for k, text in enumerate(texts):
        if k:
            joins.append(t)
        tokens = text.split()
        for i in range(0, len(tokens), SEGMENT_WORDS):
            chunk, words, start = tokens[i:i + SEGMENT_WORDS], [], t
            for token in chunk:
                words.append(Word(round(t, 3), round(t + WORD_SECONDS - 0.05, 3), token))
                t += WORD_SECONDS
            segments.append(Segment(round(start, 3), round(t, 3), " ".join(chunk), lang, tuple(words)))
            t += PAUSE
    return Transcript(lang, t, tuple(segments), "test", "test"), joins


def three_texts(lang: str, order=TOPICS) -> tuple[Transcript, list[float]]:
    return transcript_from_texts([text_of(lang, topic) for topic in order], lang)


def sentence_index(sentences, time: float) -> int:
    """The first sentence starting at or after `time`."""
    return next(i for i, s in enumerate(sentences) if s.start >= time - 1e-6)


def check_traceable(lines, transcript: Transcript) -> None:
    """Each line is transcript text, starts on the first word of its own segment, in time order."""
    spoken = " ".join(s.text for s in transcript.segments)
    for line in lines:
        assert line.text in spoken
        seg = transcript.segments[line.segment]
        assert seg.start <= line.start <= seg.end
        first = next(w for w in seg.words if abs(w.start - line.start) < 1e-6)
        assert line.text.startswith(first.text)
        assert line.end > line.start
    assert [x.start for x in lines] == sorted(x.start for x in lines)


def test_each_text_is_long_enough():
    for lang in ("en", "es", "fr"):
        for topic in TOPICS:
            assert len(text_of(lang, topic).split()) >= 150, (lang, topic)


def test_sentences_get_the_times_of_their_words():
    transcript, _ = three_texts("en")
    sentences = split_sentences(transcript)
    assert len(sentences) == 33          # the three English texts hold 11 sentences each
    words = [w for seg in transcript.segments for w in seg.words]
    at = 0
    for sent in sentences:
        count = len(sent.text.split())
        assert sent.start == words[at].start and sent.end == words[at + count - 1].end
        assert " ".join(w.text for w in words[at:at + count]) == sent.text
        at += count
    assert at == len(words)


def test_sentences_of_a_mixed_language_transcript_keep_their_language():
    transcript = transcript_io.load(DATA / "transcripts" / "demo-interpreted-welcome.json")
    sentences = split_sentences(transcript)
    assert [s.language for s in sentences] == ["en"] + ["fr"] * 6 + ["en"]
    assert sentences[-1].text.startswith("Mr. Quilter")          # "Mr." does not end a sentence
    assert all(transcript.segments[s.segment].language == s.language for s in sentences)


def test_sentences_without_word_times_share_their_segment_time():
    segment = Segment(0.0, 10.0, "One two three four. Five six seven eight.", "en")
    transcript = Transcript("en", 10.0, (segment,), "test", "test")
    first, second = split_sentences(transcript)
    assert first.start == 0.0 and second.start == pytest.approx(10.0 * 20 / 41, abs=0.01)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
@pytest.mark.parametrize("order", list(itertools.permutations(TOPICS)),
                         ids=lambda o: "-".join(t[:4] for t in o))
def test_three_unrelated_texts_make_three_chapters_at_the_joins(lang, order):
    transcript, joins = three_texts(lang, order)
    summary = summarize_transcript(transcript)
    sentences = split_sentences(transcript)
    assert len(summary.chapters) == 3
    assert summary.chapters[0].start == 0.0
    for chapter, join in zip(summary.chapters[1:], joins, strict=True):
        found = next(i for i, s in enumerate(sentences) if s.start == chapter.start)
        assert abs(found - sentence_index(sentences, join)) <= 1, (chapter, join)


def test_chapter_titles_come_from_each_chapter_s_own_words():
    transcript, _ = three_texts("en")
    titles = [c.title for c in summarize_transcript(transcript).chapters]
    assert len(set(titles)) == 3
    for title, topic in zip(titles, TOPICS, strict=True):
        text = text_of("en", topic).lower()
        assert all(part.strip().lower() in text for part in title.split(","))
    assert "idwives" in titles[1] and ("eams" in titles[2] or "layers" in titles[2])


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_summary_and_key_points_are_traceable_and_never_repeat(lang):
    transcript, _ = three_texts(lang)
    summary = summarize_transcript(transcript, sentences=4, key_points=5)
    assert len(summary.summary) == 4 and len(summary.key_points) == 5
    check_traceable(summary.summary, transcript)
    check_traceable(summary.key_points, transcript)
    texts = [x.text for x in (*summary.summary, *summary.key_points)]
    assert len(set(texts)) == len(texts)
    # key points cover every chapter
    bounds = [c.start for c in summary.chapters] + [transcript.duration]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        assert any(a <= p.start < b for p in summary.key_points)


def test_lengths_follow_the_settings():
    transcript, _ = three_texts("en")
    summary = summarize_transcript(transcript, sentences=6, key_points=8)
    assert (len(summary.summary), len(summary.key_points)) == (6, 8)


def test_a_session_with_few_sentences_shares_them_without_repeating():
    assert sizes(20, 4, 5) == (4, 5)
    assert sizes(7, 4, 5) == (4, 3)
    assert sizes(3, 4, 5) == (2, 1)
    assert sizes(0, 4, 5) == (0, 0)
    transcript = transcript_io.load(DATA / "transcripts" / "demo-sonnet-reading.json")
    summary = summarize_transcript(transcript)
    lines = [*summary.summary, *summary.key_points]
    assert len(summary.summary) == 2 and len(summary.key_points) == 2
    assert len({x.text for x in lines}) == 4
    check_traceable(summary.summary, transcript)


def test_a_repeated_sentence_is_picked_once():
    text = text_of("en", "midwives")
    transcript, _ = transcript_from_texts([text, text, text], "en")
    summary = summarize_transcript(transcript)
    texts = [x.text for x in (*summary.summary, *summary.key_points)]
    assert len(set(texts)) == len(texts)


def test_no_speech_gives_an_empty_summary():
    silence = Transcript("en", 8.2, (), "test", "test")
    summary = summarize_transcript(silence, episode_topics=("peer learning",))
    assert summary.summary == summary.key_points == summary.chapters == ()
    assert [t.text for t in summary.topics] == ["peer learning"]


ENTRIES = (
    Entry("gender-based violence", "violencia de género", "violence basée sur le genre", "term"),
    Entry("women-led organization", "organización liderada por mujeres",
          "organisation dirigée par des femmes", "term"),
    Entry("savings group", "grupo de ahorro", "groupe d'épargne", "term"),
    Entry("midwife", "partera", "sage-femme", "avoid", "test: an avoided word is never a topic"),
    Entry("Learning Lab", "", "", "keep"),
)


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_topics_are_glossary_terms_said_then_key_phrases(lang):
    transcript, _ = three_texts(lang)
    summary = summarize_transcript(transcript, ENTRIES, episode_topics=("peer learning",))
    sources = [t.source for t in summary.topics]
    assert sources == sorted(sources, key=["episode", "glossary", "keyword"].index)
    glossary = [t.text for t in summary.topics if t.source == "glossary"]
    # each term is said once; ties go to the one said first. Plurals match on stems.
    assert glossary == [e.term(lang) for e in (ENTRIES[2], ENTRIES[1], ENTRIES[0])]
    assert len(summary.topics) == 8
    keywords = [t for t in summary.topics if t.source == "keyword"]
    assert all(t.mentions >= 2 for t in keywords)
    avoided = set(content_stems(ENTRIES[3].term(lang), lang))
    assert not any(avoided & set(content_stems(t.text, lang)) for t in keywords)
    starts = {t.text: t.start for t in summary.topics}
    assert starts[ENTRIES[2].term(lang)] < starts[ENTRIES[1].term(lang)] < starts[ENTRIES[0].term(lang)]


def test_topics_rank_by_how_often_a_term_is_said():
    extra = "We spoke again about gender-based violence and about gender-based violence in schools."
    transcript, _ = transcript_from_texts([text_of("en", "savings_group"), text_of("en", "midwives"), extra],
                                          "en")
    summary = summarize_transcript(transcript, ENTRIES)
    glossary = [(t.text, t.mentions) for t in summary.topics if t.source == "glossary"]
    assert glossary[0] == ("gender-based violence", 3)


def test_stop_word_lists_are_there_for_each_language():
    for lang, word in (("en", "the"), ("es", "las"), ("fr", "les")):
        assert word in stop_words(lang) and len(stop_words(lang)) > 300


def test_summary_files_round_trip(tmp_path):
    transcript, _ = three_texts("fr")
    summary = summarize_transcript(transcript, ENTRIES, episode_topics=("peer learning",))
    save(summary, tmp_path / "fr")
    assert load(tmp_path / "fr") == summary == load(tmp_path / "fr" / "summary.json")
    chapters = json.loads((tmp_path / "fr" / "chapters.json").read_text(encoding="utf-8"))
    assert chapters["version"] == CHAPTERS_VERSION == "1.2.0"
    assert [c["startTime"] for c in chapters["chapters"]] == [round(c.start, 3) for c in summary.chapters]
    assert [c["title"] for c in chapters["chapters"]] == [c.title for c in summary.chapters]
    data = json.loads((tmp_path / "fr" / "summary.json").read_text(encoding="utf-8"))
    assert set(data["summary"][0]) == {"text", "start", "end", "segment", "original", "flagged"}


def test_a_broken_summary_file_is_one_clear_error(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text('{"version": 1, "language": "en"}', encoding="utf-8")
    with pytest.raises(LearningLabError, match="not a learninglab summary JSON.*`learninglab summarize`"):
        load(path)
    path.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(LearningLabError, match="cannot read summary"):
        load(path)
