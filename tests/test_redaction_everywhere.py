"""One redaction pass over everything published: every text, every language, every format.

Built on the publish fixture project (tests/test_publish_support.py: real mastered audio, the real
redact and summarize stages, real pages and feeds).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.project import Project
from pipeline.publish.readback import readable_text
from pipeline.publish.site import publish
from pipeline.redact import MARK, redact_segments, redact_text, redact_transcript
from pipeline.runner import Context, run_stage
from pipeline.transcript import Segment, Transcript, Word
from tests.test_publish_support import CLIPS, copy_of, fixture_project

ALL = [c.slug for c in CLIPS]
SLUG = "special-chars"


def test_apostrophes_hyphens_and_spaces_of_every_kind_match():
    assert redact_text("Women's Fund and Women’s Fund", ["Women’s Fund"]) == f"{MARK} and {MARK}"
    both = redact_text("the Kibera\u2011clinic, the Kibera clinic", ["Kibera-clinic"])
    assert both == f"the {MARK}, the {MARK}"
    assert redact_text("Amina\u00a0Diallo spoke", ["amina diallo"]) == f"{MARK} spoke"
    assert redact_text("AMÍNA DIALLO", ["Amina Diallo"]) == MARK
    assert redact_text("Aminata spoke", ["Amina"]) == "Aminata spoke"            # word boundaries hold


def test_a_phrase_split_across_segments_is_found():
    plain = [Segment(0.0, 1.0, "we met the Real Academia", "es"),
             Segment(1.0, 2.0, "Española yesterday", "es")]
    assert [s.text for s in redact_segments(plain, ["Real Academia Española"])] == \
        [f"we met the {MARK}", f"{MARK} yesterday"]
    words = (Word(0.0, 0.4, "the"), Word(0.4, 0.9, "Real"), Word(0.9, 1.5, "Academia"))
    first = Segment(0.0, 1.5, "the Real Academia", "es", words)
    second = Segment(1.6, 3.0, "Española dijo", "es", (Word(1.6, 2.2, "Española"), Word(2.2, 3.0, "dijo")))
    out = redact_transcript(Transcript("es", 3.0, (first, second), "t", "m"), ["Real Academia Española"])
    a, b = out.segments
    assert (a.text, b.text) == (f"the {MARK}", f"{MARK} dijo")
    assert [w.text for w in a.words] == ["the", MARK] and [w.text for w in b.words] == [MARK, "dijo"]


def toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


REDACTED_TOML = '''
summary = "Kennedy told the Real Academia Española about Zoë Ñúñez."
key_points = ["Zoë Ñúñez asked first.", "Nobody else did."]
chapters = [{start = 0, title = "Zoë Ñúñez opens"}, {start = 5.1, title = "Service"}]

[es]
description = "Visitamos la Real Academia Española con Zoë Ñúñez."

[fr]
title = "Kennedy et l’Académie royale espagnole"
'''


@pytest.fixture(scope="module")
def redacted_site(tmp_path_factory) -> Path:
    """special-chars with names in its title, speakers, human summary, key points, chapters, topics and
    per-language descriptions, a phrase split across two transcript segments, and forms per language."""
    root = copy_of(fixture_project(tmp_path_factory), tmp_path_factory.mktemp("redacted") / "project")
    spec = root / "episodes" / SLUG / "episode.toml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace('topics = [', 'topics = ["Zoë Ñúñez stories", ', 1)
    head, _, speakers = text.partition("\n[[speakers]]")
    head = head.replace('title = "', 'title = "Zoë Ñúñez: ', 1)
    head = head.replace('description = "', 'description = "A visit to the Royal Spanish Academy and the '
                        'Kibera\u2011clinic. ', 1)
    text = head + REDACTED_TOML + "\n[[speakers]]" + speakers
    text = text.replace('words = ["Americans"]', 'words = ["Americans", "Zoë Ñúñez", '
                        '"Real Academia Española", '
                        '"Kibera clinic", "Women’s Fund"]\nwords_en = ["Royal Spanish Academy"]\n'
                        'words_fr = ["Académie royale espagnole"]')
    spec.write_text(text, encoding="utf-8")
    project = Project.load(root)
    ctx = Context(project, next(s for s in project.episodes().episodes if s.slug == SLUG))
    from pipeline.stages import DIARIZE, MASTER, REDACT
    from pipeline.workarea import write_transcript_files

    assert run_stage(MASTER, ctx, lambda s: None, force=True).status == "ran"
    raw = ctx.stage_dir("transcribe")
    split = Transcript("en", 11.0, (
        Segment(0.3, 4.9, "And so my fellow Americans, the Real Academia", "en"),
        Segment(5.1, 10.6, "Española asks what you can do for your country.", "en")),
        "faster-whisper", "base")
    write_transcript_files(split, raw)
    assert run_stage(DIARIZE, ctx, lambda s: None, force=True).status == "ran"
    assert run_stage(REDACT, ctx, lambda s: None, force=True).status == "ran"
    from pipeline.summarize.stage import SUMMARIZE

    assert run_stage(SUMMARIZE, ctx, lambda s: None, force=True).status == "ran"
    report = publish(project, ready=ALL)
    assert not report.errors, [e.line() for e in report.errors]
    return root


FORMS = ["americans", "zoe nunez", "zoë ñúñez", "real academia", "academia espanola", "royal spanish academy",
         "kibera", "women's fund", "women’s fund", "academie royale"]


def visible(path: Path) -> str:
    from pipeline.redact import fold

    return fold(readable_text(path) + "\n" + path.read_bytes().decode("utf-8", "replace"))


def test_no_form_survives_in_any_published_file_or_the_work_area(redacted_site):
    from pipeline.redact import fold

    for base in (redacted_site / "output" / "site", redacted_site / "output" / "episodes"):
        for path in base.rglob("*"):
            if path.is_file():
                text = visible(path)
                for form in FORMS:
                    assert fold(form) not in text, (path, form)


def test_the_redaction_marks_show_where_the_text_was(redacted_site):
    site = redacted_site / "output" / "site"
    en = (site / "en" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "A visit to the [redacted] and the [redacted]. Opens with" in en
    es = (site / "es" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Visitamos la [redacted] con [redacted]." in es
    record = json.loads((site / "episodes" / SLUG / "episode.json").read_text(encoding="utf-8"))
    assert record["langs"]["fr"]["title"] == "Kennedy et l’[redacted]"
    assert record["langs"]["en"]["title"].startswith("[redacted]: Tom & Jerry")
    names = [s["name"] for s in record["speakers"]]
    assert names == ["Ana <Tester> & Co", MARK]
    import xml.etree.ElementTree as ET

    for lang in ("en", "es", "fr"):
        item = next(i for i in ET.parse(site / lang / "feed.xml").getroot().iter("item")
                    if i.findtext("guid") == CLIPS[0].guid)
        people = [p.text for p in item.iter("{https://podcastindex.org/namespace/1.0}person")]
        assert people == ["Ana <Tester> & Co"]           # a redacted speaker is no person of the feed
    summary = json.loads((redacted_site / "output" / "episodes" / SLUG / "summarize" / "en" / "summary.json")
                         .read_text(encoding="utf-8"))
    assert MARK in json.dumps(summary)


def test_the_mp3_tags_carry_the_redacted_title(redacted_site):
    from tests.conftest import published_audio

    for low in (False, True):
        tags = readable_text(published_audio(redacted_site / "output" / "site", SLUG, low=low))
        assert "[redacted]: Tom & Jerry" in tags and "Zo" not in tags


def test_a_form_in_the_slug_stops_the_episode_before_any_feed_names_it(tmp_path_factory, tmp_path):
    root = copy_of(fixture_project(tmp_path_factory), tmp_path / "project")
    spec = root / "episodes" / "three-voices" / "episode.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[redact]\nwords = ["three voices"]\n',
                    encoding="utf-8")
    report = publish(Project.load(root), ready=ALL)
    assert [e.line() for e in report.errors] == [
        f"{spec}: field 'slug': the slug 'three-voices' holds the redacted form 'three-voices': the "
        "episode is not published — give the episode a slug without it (rename its folder, or set slug)"]
    site = root / "output" / "site"
    assert not (site / "episodes" / "three-voices").exists() and not (site / "en" / "three-voices").exists()
    for lang in ("en", "es", "fr"):
        assert "three-voices" not in (site / lang / "feed.xml").read_text(encoding="utf-8")


def test_a_name_listed_after_publishing_takes_a_kept_episode_offline(tmp_path_factory, tmp_path):
    """Its stages are no longer current, so it is not republished; what was published names the person:
    it leaves the site now, and comes back redacted when `learninglab run` has redone its stages."""
    from tests.test_publish_support import published_project

    root = copy_of(published_project(tmp_path_factory), tmp_path / "project")
    spec = root / "episodes" / "fr-introduction" / "episode.toml"
    spec.write_text(spec.read_text(encoding="utf-8") + '\n[redact]\nwords = ["Éric Joanis"]\n',
                    encoding="utf-8")
    report = publish(Project.load(root), ready=[c.slug for c in CLIPS if c.slug != "fr-introduction"])
    assert report.consent.lines() == [
        "redaction: fr-introduction taken off the site until it is republished redacted ('Éric Joanis' was "
        "published in en/fr-introduction/index.html)"]
    site = root / "output" / "site"
    assert not (site / "fr" / "fr-introduction").exists()
    assert "fr-introduction" not in (site / "fr" / "feed.xml").read_text(encoding="utf-8")
    assert "fr-introduction" not in report.kept


def test_no_engine_can_alter_the_redaction_mark(tmp_path):
    """A real argos package whose model renders "redacted" as "redactado" (as a neural model may):
    through the translation service the mark comes back exactly as it went in."""
    from pipeline.glossary import Entry
    from pipeline.translate.argos import ArgosEngine
    from pipeline.translate.enforce import translate_enforced
    from pipeline.translate.packages import install_file
    from pipeline.translate.service import Glossary
    from tests.argos_builder import build_copy_packages

    text = f"We met {MARK} and the women today."
    built = build_copy_packages(tmp_path / "built", [], [text] * 3,
                                {"marks": {"pair": ("en", "es"), "rewrite": {"redacted": "redactado"}}})
    engine = ArgosEngine(install_file(built["marks"], tmp_path / "packages"))
    assert "redactado" in engine.translate([text])[0]                  # the engine does alter it
    glossary = Glossary([Entry("women", "mujeres", "femmes", "term")])
    outcome = translate_enforced([text], "es", glossary.terms("en"), engine).outcomes[0]
    assert MARK in outcome.text and "redactado" not in outcome.text and outcome.enforced
