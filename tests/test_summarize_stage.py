"""The summarize stage through the command line: demo episodes in en, es and fr, the glossary
enforced, human-written text winning, settings and bad input.

The demo episodes' transcripts are real Whisper output stored in
tests/data/summarize/transcripts/ (see the README there), put where the redact stage leaves
them, so these tests do not transcribe again. Translation is the project's real engines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import transcript as transcript_io
from pipeline.cli import main
from pipeline.episode import Chapter as HumanChapter
from pipeline.episode import LocalText
from pipeline.glossary import Entry, load_glossary
from pipeline.summarize import load
from pipeline.summarize.carry import human_texts, localize
from pipeline.summarize.generate import summarize_transcript
from pipeline.translate import TranslatedTexts
from pipeline.translate.matching import TermMatcher
from tests.conftest import copy_project

DATA = Path(__file__).resolve().parent / "data" / "summarize"
DEMOS = ("demo-sonnet-reading", "demo-capitan-veneno", "demo-interpreted-welcome")
LANGS = ("en", "es", "fr")
# Terms the demo sessions say, so that enforcement is checked on words the engines would otherwise
# translate their own way (and a name they must leave alone).
TEST_GLOSSARY = """en,es,fr,kind,note,source
country,país,pays,term,summarize tests,
world,mundo,monde,term,summarize tests,
Capitán Veneno,,,keep,summarize tests: a title is never translated,
"""


def invoke(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("summarize") / "project", episodes=list(DEMOS))
    (project / "glossary" / "summarize-tests.csv").write_text(TEST_GLOSSARY, encoding="utf-8")
    for slug in DEMOS:
        folder = project / "output" / "episodes" / slug / "redact"
        folder.mkdir(parents=True)
        shutil.copy(DATA / "transcripts" / f"{slug}.json", folder / "transcript.json")
    result = invoke(project, "summarize")
    assert result.exit_code == 0, result.output
    return project


def summaries(project: Path, slug: str) -> dict:
    return {lang: load(project / "output" / "episodes" / slug / "summarize" / lang) for lang in LANGS}


def times(lines) -> list[tuple]:
    return [(x.start, x.end, x.segment) for x in lines]


def said(text: str, entry, lang: str) -> bool:
    """The entry's form in `text`, by the translation's own matching rules (a stem alone is not a
    match: the Spanish "socios" is not the glossary's "socia")."""
    return bool(TermMatcher([entry], lang).find(text))


@pytest.mark.parametrize("slug", DEMOS)
def test_each_demo_episode_has_its_summary_in_three_languages(demo_project, slug):
    transcript = transcript_io.load(DATA / "transcripts" / f"{slug}.json")
    found = summaries(demo_project, slug)
    for lang, summary in found.items():
        assert summary.language == lang and summary.source_language == transcript.language
        assert len(summary.summary) >= 2 and summary.chapters and summary.chapters[0].start == 0.0
        assert (demo_project / "output" / "episodes" / slug / "summarize" / lang / "chapters.json").is_file()
        assert summary.translation is None or summary.translation.startswith("apertium")
        # every line keeps the time and segment of the sentence it was picked from
        for field in ("summary", "key_points"):
            assert times(getattr(summary, field)) == times(getattr(found["en"], field))
        for line in (*summary.summary, *summary.key_points):
            seg = transcript.segments[line.segment]
            assert seg.start <= line.start <= seg.end and seg.language == line.original
            if line.original == lang:
                assert line.text in " ".join(s.text for s in transcript.segments)
            else:
                assert summary.translation
        lines = [x.text for x in (*summary.summary, *summary.key_points)]
        assert len(set(lines)) == len(lines)


@pytest.mark.parametrize("slug", DEMOS)
def test_glossary_terms_are_enforced_in_all_three_languages(demo_project, slug):
    entries = [e for e in load_glossary(demo_project / "glossary") if e.kind != "avoid"]
    found = summaries(demo_project, slug)
    checked = 0
    for field in ("summary", "key_points"):
        for i, source_line in enumerate(getattr(found["en"], field)):
            original = getattr(found[source_line.original], field)[i].text
            for entry in entries:
                if not said(original, entry, source_line.original):
                    continue
                for lang in LANGS:
                    line = getattr(found[lang], field)[i]
                    assert not line.flagged
                    assert entry.term(lang).lower() in line.text.lower(), (entry.en, lang, line.text)
                    checked += 1
    assert checked >= 3        # every demo says at least one of the test terms in a picked line


def test_glossary_topics_take_the_glossary_form(demo_project):
    found = summaries(demo_project, "demo-capitan-veneno")
    for lang in LANGS:
        assert any(t.text == "Capitán Veneno" and t.source == "glossary" for t in found[lang].topics)
    welcome = summaries(demo_project, "demo-interpreted-welcome")
    assert [t.text for t in welcome["es"].topics if t.source == "glossary"] == ["país"]
    assert [t.text for t in welcome["fr"].topics if t.source == "glossary"] == ["pays"]
    episode_topics = [t.text for t in welcome["en"].topics if t.source == "episode"]
    assert episode_topics == ["language justice", "peer learning"]


def test_a_second_run_skips_and_a_glossary_edit_reruns(demo_project):
    result = invoke(demo_project, "summarize", "demo-sonnet-reading")
    assert "summarize: up to date" in result.output
    glossary = demo_project / "glossary" / "summarize-tests.csv"
    glossary.write_text(TEST_GLOSSARY + "tender,tierno,tendre,term,summarize tests,\n", encoding="utf-8")
    result = invoke(demo_project, "summarize", "demo-sonnet-reading")
    assert "summarize: ran" in result.output, result.output


HUMAN = '''
summary = "A LibriVox volunteer reads the first sonnet. The poem asks a young man to have children."
key_points = ["The reading opened the retreat.", "The sonnet is read in full."]
chapters = [{start = 0, title = "Sonnet 1"}, {start = "0:30", title = "The closing lines"}]

[es]
summary = "Una voluntaria de LibriVox lee el primer soneto."
'''


def test_text_written_in_episode_toml_wins(tmp_path):
    project = copy_project(tmp_path / "project", ["demo-sonnet-reading"])
    spec = project / "episodes" / "demo-sonnet-reading" / "episode.toml"
    text = spec.read_text(encoding="utf-8")
    head, tables = text.split("\n[[speakers]]", 1)
    spec.write_text(head + HUMAN + "\n[[speakers]]" + tables, encoding="utf-8")
    folder = project / "output" / "episodes" / "demo-sonnet-reading" / "redact"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "transcripts" / "demo-sonnet-reading.json", folder / "transcript.json")
    result = invoke(project, "summarize")
    assert result.exit_code == 0, result.output
    found = summaries(project, "demo-sonnet-reading")
    en, es, fr = found["en"], found["es"], found["fr"]
    # the top-level texts belong to the spoken language (English here), used as written
    assert en.paragraph == ("A LibriVox volunteer reads the first sonnet. "
                            "The poem asks a young man to have children.")
    assert [x.start for x in en.summary] == [None, None]
    assert [x.text for x in en.key_points] == ["The reading opened the retreat.",
                                               "The sonnet is read in full."]
    assert [(c.start, c.title) for c in en.chapters] == [(0.0, "Sonnet 1"), (30.0, "The closing lines")]
    assert set(en.human) == {"summary", "key_points", "chapters"} and en.translation is None
    # Spanish has its own summary; its key points and chapters are the English ones translated
    assert es.paragraph == "Una voluntaria de LibriVox lee el primer soneto."
    assert [c.start for c in es.chapters] == [0.0, 30.0] and es.chapters[0].original == "en"
    assert es.key_points[0].text != en.key_points[0].text and es.translation.startswith("apertium")
    # French has none of its own: everything is the English text, translated
    assert len(fr.summary) == 2 and "LibriVox" in fr.summary[0].text and fr.summary[0].original == "en"
    assert set(fr.human) == {"summary", "key_points", "chapters"}


def test_lengths_come_from_the_command_line_then_the_show(tmp_path):
    project = copy_project(tmp_path / "project", ["demo-capitan-veneno"])
    folder = project / "output" / "episodes" / "demo-capitan-veneno" / "redact"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "transcripts" / "demo-capitan-veneno.json", folder / "transcript.json")
    assert invoke(project, "summarize", "--sentences", "3", "--key-points", "3").exit_code == 0
    summary = summaries(project, "demo-capitan-veneno")["es"]
    assert (len(summary.summary), len(summary.key_points)) == (3, 3)

    result = invoke(project, "summarize", "--sentences", "9")
    assert result.exit_code == 2 and "9 is not in the range 3<=x<=6" in result.output

    show = project / "learninglab.toml"
    text = show.read_text(encoding="utf-8")
    show.write_text(text.replace("sentences = 4", "sentences = 12"), encoding="utf-8")
    result = invoke(project, "summarize")
    assert result.exit_code == 1
    assert ("learninglab.toml: field 'summary.sentences': is 12, outside 3–6 — use a whole number from 3 "
            "to 6 (default 4)") in result.output


def test_a_missing_transcript_says_which_stage_to_run(tmp_path):
    project = copy_project(tmp_path / "project", ["demo-capitan-veneno"])
    result = invoke(project, "summarize")
    assert result.exit_code == 1
    assert ("transcript.json: input of stage summarize is missing — run the earlier stages first"
            in result.output)


class Recorder:
    """A stand-in engine for the plumbing test: marks what it translated and remembers each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], str, str]] = []

    def __call__(self, texts, source, target):
        self.calls.append((tuple(texts), source, target))
        return TranslatedTexts(tuple(f"[{source}>{target}] {t}" for t in texts), "recorder",
                               (0,) if texts else ())


def test_only_lines_in_another_language_are_translated_in_one_batch_per_language():
    transcript = transcript_io.load(DATA / "transcripts" / "demo-interpreted-welcome.json")
    entries = [Entry("corpus", "corpus", "corpus", "term")]
    source = summarize_transcript(transcript, entries, episode_topics=("peer learning",))
    chapters = (HumanChapter(0.0, "Accueil"), HumanChapter(12.0, "Présentation"))
    human = human_texts({"fr": LocalText(chapters=chapters)}, transcript.language)
    recorder = Recorder()
    fr = localize(source, "fr", recorder, entries, human)
    assert sorted(c[1] for c in recorder.calls) == ["en"]            # one batch: the English lines
    assert [c.title for c in fr.chapters] == ["Accueil", "Présentation"] and fr.human == ("chapters",)
    for line in (*fr.summary, *fr.key_points):
        assert line.text.startswith("[en>fr] ") == (line.original == "en")
    assert sum(x.flagged for x in (*fr.summary, *fr.key_points, *fr.topics, *fr.chapters)) == 1
    assert fr.translation == "recorder"
    recorder.calls.clear()
    es = localize(source, "es", recorder, entries, human)
    assert sorted(c[1] for c in recorder.calls) == ["en", "fr"]
    assert [c.title for c in es.chapters] == ["[fr>es] Accueil", "[fr>es] Présentation"]
    assert [t.text for t in es.topics if t.source == "glossary"] == ["corpus"]   # the glossary's own form
