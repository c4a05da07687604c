"""Everything a partner reads about an episode, in her language: the localize stage (title,
description, roles, organizations' descriptive parts) with real Apertium and real argos packages,
what publish makes of it, the per-text memory, and the lost [en] title."""

from __future__ import annotations

import json

import pytest

from pipeline.episode import load_episode
from pipeline.project import Project
from pipeline.publish.content import lang_content
from pipeline.publish.i18n import engine_names, from_languages
from pipeline.runner import Context, run_stage, stage_key
from pipeline.stages import STAGES
from pipeline.summarize.stage import SUMMARIZE
from pipeline.translate import service
from pipeline.translate.localize import LOCALIZE, is_name, load, organization_parts, text_language
from pipeline.translate.stage import TRANSLATE
from tests.test_translate_stage import prepared

WELCOME = "demo-interpreted-welcome"


def spec_of(project: Project, slug: str):
    return next(e for e in project.episodes().episodes if e.slug == slug)


def localize(project: Project, slug: str, **options) -> str:
    result = run_stage(LOCALIZE, Context(project, spec_of(project, slug), options), lambda s: None)
    assert result.status in ("ran", "skipped"), result.error
    return result.status


def texts(project: Project, slug: str, lang: str):
    return load(project.work / slug / "localize" / lang / "texts.json")


# -- episode.toml: the lost title ----------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "auto"])
def test_an_en_table_keeps_its_title_beside_a_top_level_summary(tmp_path, language):
    folder = tmp_path / "ep"
    folder.mkdir()
    (folder / "call.wav").write_bytes(b"RIFF")
    (folder / "episode.toml").write_text(f'''title = "Llamada"
date = 2026-04-01
recording = "call.wav"
language = "{language}"
summary = "What partners said."
key_points = ["One.", "Two."]

[en]
title = "Partner call"
description = "Three partners on trust-based funding."
''', encoding="utf-8")
    spec = load_episode(folder)
    mine = spec.local["en"]
    assert (mine.title, mine.description) == ("Partner call", "Three partners on trust-based funding.")
    spoken = spec.local["en" if language == "en" else "source"]
    assert spoken.summary == "What partners said." and spoken.key_points == ("One.", "Two.")


# -- which parts are names, which language the texts are in --------------------------------------

def test_names_stay_and_descriptions_are_translated():
    assert is_name("National Research Council Canada") and is_name("Red de Mujeres") and is_name("LibriVox")
    assert not is_name("Public-domain archive recording") and not is_name("partner organization")
    assert organization_parts("Red de Mujeres (women's network)") == [
        ("Red de Mujeres", False), (" (", False), ("women's network", True), (")", False)]
    assert organization_parts("WomenStrong International") == [("WomenStrong International", False)]


def test_the_texts_language_is_read_from_the_texts(project_copy):
    project = Project.load(project_copy(None))
    found = {s.slug: s for s in project.episodes().episodes}
    from pipeline.translate.localize import source_texts

    # the bilingual demo is spoken mostly in French, under an English title
    assert text_language(source_texts(found[WELCOME]), "fr", ("en", "es", "fr")) == "en"
    assert text_language(source_texts(found["demo-capitan-veneno"]), "es", ("en", "es", "fr")) == "es"
    assert text_language(["LibriVox"], "fr", ("en", "es", "fr")) == "fr"        # nothing tells: as spoken


# -- the stage -----------------------------------------------------------------------------------

class Counting:
    """The real engine, counting the texts it is sent."""

    def __init__(self, inner, sent: list[str]) -> None:
        self.inner, self.sent, self.name, self.identity = inner, sent, inner.name, inner.identity

    def translate(self, texts: list[str]) -> list[str]:
        self.sent += texts
        return self.inner.translate(texts)

    def retry(self, texts: list[str]) -> list[list[str]]:
        return self.inner.retry(texts)


@pytest.fixture
def sent(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = service.load
    monkeypatch.setattr(service, "load", lambda route: Counting(real(route), seen))
    return seen


def test_titles_descriptions_and_roles_in_every_language(project_copy, sent):
    project = prepared(project_copy, [WELCOME])
    assert localize(project, WELCOME) == "ran"
    en, es, fr = (texts(project, WELCOME, lang) for lang in ("en", "es", "fr"))
    assert en.source_language == "en" and not en.machine
    assert en.title.text == "Welcome, with interpretation"
    for done, lang in ((es, "es"), (fr, "fr")):
        assert done.title.machine and done.title.lang == lang and done.description.machine
        assert done.title.text != en.title.text and done.description.text != en.description.text
        assert [s.role.machine for s in done.speakers] == [True, True]
        # a name is never translated; a description is
        assert done.speakers[1].organization == en.speakers[1].organization
        assert done.speakers[0].organization.machine
    assert es.title.text == "Bienvenido, con interpretación"
    assert es.speakers[0].role.text.startswith("ponente (")     # the glossary's role, lower case as written
    assert fr.speakers[0].role.text.startswith("intervenant/e (")
    assert es.engines == {"en-es": "apertium"} and fr.engines == {"en-fr": "apertium via ca"}
    assert "Welcome, with interpretation" in sent and "National Research Council Canada" not in sent


def test_a_retitle_translates_the_new_title_alone(project_copy, sent):
    project = prepared(project_copy, [WELCOME])
    localize(project, WELCOME)
    first = list(sent)
    assert localize(project, WELCOME) == "skipped"
    toml = project.root / "episodes" / WELCOME / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'title = "Welcome, with interpretation"', 'title = "A warm welcome, with interpretation"'),
        encoding="utf-8")
    sent.clear()
    assert localize(project, WELCOME) == "ran"
    assert sent == ["A warm welcome, with interpretation"] * 2            # es, and fr (through ca)
    assert texts(project, WELCOME, "es").title.text.endswith(", con interpretación")
    assert len(first) > 2 * 4
    # the memory keeps only what is in use
    memory = json.loads((project.work / WELCOME / "localize" / "cache.json").read_text())
    assert not any("Welcome, with" in v["text"] for v in memory.values())


def test_a_new_engine_remakes_every_translation(project_copy, use_argos, monkeypatch, tmp_path):
    """The keys of translate, localize and summarize cover each pair's engine: an argos package
    installed after a run made with Apertium makes all three run again, with argos."""
    project = prepared(project_copy, [WELCOME])
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))
    ctx = Context(project, spec_of(project, WELCOME))
    before = {s.name: stage_key(s, ctx) for s in (TRANSLATE, LOCALIZE, SUMMARIZE)}
    localize(project, WELCOME)
    assert texts(project, WELCOME, "es").engines == {"en-es": "apertium"}
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(use_argos))
    after = {s.name: stage_key(s, ctx) for s in (TRANSLATE, LOCALIZE, SUMMARIZE)}
    assert all(before[name] != after[name] for name in before)
    assert localize(project, WELCOME) == "ran"
    assert texts(project, WELCOME, "es").engines == {"en-es": "argos"}
    assert texts(project, WELCOME, "fr").engines == {"en-fr": "argos"}


def test_localize_runs_after_translate_and_before_publish():
    names = [s.name for s in STAGES]
    assert names.index("localize") == names.index("translate") + 1


# -- what publish makes of it --------------------------------------------------------------------

def test_human_text_wins_and_machine_text_is_marked(project_copy):
    project = prepared(project_copy, [WELCOME])
    toml = project.root / "episodes" / WELCOME / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[es]\ntitle = "Bienvenida, con interpretación"\n',
                    encoding="utf-8")
    project = Project.load(project.root)
    localize(project, WELCOME)
    spec = spec_of(project, WELCOME)
    from pipeline import transcript as transcript_io
    source = transcript_io.load(project.work / WELCOME / "redact" / "transcript.json")
    es = lang_content(project, spec, "es", source)
    assert es.title == "Bienvenida, con interpretación" and "title" not in es.machine
    assert es.description != spec.description and "description" in es.machine and "speakers" in es.machine
    assert es.speakers[1].organization == "National Research Council Canada"
    assert es.engines == ("Apertium",) and "en" in es.translated_from
    en = lang_content(project, spec, "en", source)
    assert en.title == spec.title and en.machine == () and en.title_lang == "en"


def test_notices_name_the_engine_plainly_once():
    assert engine_names(["en-fr: apertium via ca; es-fr: apertium", "apertium"]) == ("Apertium",)
    assert engine_names(["argos via en", "apertium, argos"]) == ("Argos Translate", "Apertium")
    assert engine_names(["none", "hand-written"]) == ("hand-written",)
    assert from_languages(["en", "fr"], "es") == "del inglés y del francés"
    assert from_languages(["en"], "fr") == "de l'anglais"
    assert from_languages(["es", "fr"], "en") == "from Spanish and French"


def test_missing_texts_are_never_an_error_for_publish(project_copy):
    project = prepared(project_copy, [WELCOME])
    spec = spec_of(project, WELCOME)
    from pipeline import transcript as transcript_io
    source = transcript_io.load(project.work / WELCOME / "redact" / "transcript.json")
    es = lang_content(project, spec, "es", source)            # localize never ran: the original, as such
    assert es.title == spec.title and es.machine == () and es.title_lang == source.language
