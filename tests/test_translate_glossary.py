"""Glossary enforcement with both real engines: every term comes out exactly as the glossary gives it,
names are kept, and a placeholder an engine destroys is retried, then flagged, never published wrong."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.glossary import load_glossary
from pipeline.translate import apertium
from pipeline.translate.argos import ArgosEngine
from pipeline.translate.enforce import translate_enforced
from pipeline.translate.packages import install_file
from pipeline.translate.service import Glossary, translate_batch
from tests.conftest import domain_sentences

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = Glossary(load_glossary(ROOT / "glossary"))
ENTRY = {e.en: e for e in GLOSSARY.entries}
SENTENCES = domain_sentences()


def has_term(output: str, term: str) -> bool:
    """The form exactly as the glossary gives it; only a first letter starting the sentence may be capital."""
    return term in output or output.startswith(term[:1].upper() + term[1:])


def check_all_terms(engine: str) -> dict[str, str]:
    """Translate every domain sentence into the two other languages, one batch per pair."""
    groups = defaultdict(list)
    for lang, entries, sentence in SENTENCES:
        for target in ("en", "es", "fr"):
            if target != lang:
                groups[(lang, target)].append((entries, sentence))
    engines, missing, checked = {}, [], 0
    for (source, target), items in groups.items():
        result = translate_batch([s for _, s in items], source, target, glossary=GLOSSARY, prefer=engine)
        engines[f"{source}-{target}"] = result.engine
        assert result.flagged == ()
        for (entries, sentence), output in zip(items, result.texts, strict=True):
            for en in entries:
                term = ENTRY[en].term(target)
                checked += 1
                if not has_term(output, term):
                    missing.append(f"{source}->{target}: {term!r} not in {output!r} (from {sentence!r})")
    assert not missing, "\n".join(missing)
    assert checked >= 2 * 40
    return engines


def test_at_least_forty_domain_sentences_each_with_a_glossary_term():
    assert len(SENTENCES) >= 40
    for lang, entries, sentence in SENTENCES:
        found = {m.entry.en for m in GLOSSARY.terms(lang).find(sentence)}
        assert set(entries) <= found, (sentence, entries, found)


def test_every_term_exact_with_apertium():
    engines = check_all_terms("apertium")
    assert engines == {"en-es": "apertium", "en-fr": "apertium via ca", "es-en": "apertium",
                       "es-fr": "apertium", "fr-en": "apertium via es", "fr-es": "apertium"}


def test_every_term_exact_with_argos(use_argos):
    engines = check_all_terms("auto")
    assert engines == {"en-es": "argos", "en-fr": "argos", "es-en": "argos", "fr-en": "argos",
                       "es-fr": "argos via en", "fr-es": "argos via en"}


def test_names_come_through_unchanged_with_both_engines(use_argos):
    text = ["WomenStrong started the Learning Lab with six partners."]
    for prefer in ("argos", "apertium"):
        for target in ("es", "fr"):
            out = translate_batch(text, "en", target, glossary=GLOSSARY, prefer=prefer).texts[0]
            assert out.startswith("WomenStrong ") and "Learning Lab" in out, (prefer, out)


def test_plural_source_gets_the_plural_target_term(use_argos):
    out = translate_batch(["We met three women-led organizations and two survivors."], "en", "es",
                          glossary=GLOSSARY, prefer="argos").texts[0]
    assert out == "We met three organizaciones lideradas por mujeres and two supervivientes."


def test_apertium_fuses_a_possessive_into_the_placeholder_and_the_retry_repairs_it():
    """Real Apertium en->ca glues the Catalan of "'s" onto the placeholder ("XTERM0Xha")."""
    first_leg = apertium.ApertiumEngine("eng-cat")
    assert first_leg.translate(["XTERM0X's partners chose the topics."])[0].startswith("XTERM0Xha ")
    result = translate_batch(["WomenStrong's partners chose the topics."], "en", "fr", glossary=GLOSSARY,
                             prefer="apertium")
    assert result.engine == "apertium via ca"
    outcome = result.outcomes[0]
    assert outcome.retried and outcome.enforced and result.flagged == ()
    assert outcome.text.startswith("WomenStrong ")


@pytest.fixture(scope="module")
def mangling_engines(argos_archives, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mangling")
    return {name: ArgosEngine(install_file(argos_archives[name], folder))
            for name in ("rewrites-en-es", "doubts-en-es")}


def test_a_destroyed_placeholder_is_flagged_never_published_wrong(mangling_engines):
    """A real argos package that rewrites every placeholder (XTERM0X -> TERM0X), as neural models
    sometimes do: none of its n-best hypotheses has it back, so the segment is flagged and the
    published text is the plain translation, never one with a placeholder or a wrong term in it."""
    engine = mangling_engines["rewrites-en-es"]
    assert engine.translate(["We fund XTERM0X now."]) == ["We fund TERM0X now."]
    texts = ["We fund women-led organizations now.", "Girls learn.", "Survivors lead."]
    result = translate_enforced(texts, "es", GLOSSARY.terms("en"), engine)
    assert result.flagged == (0, 2)
    assert result.texts[1] == "Niñas learn."
    for i in result.flagged:
        assert "TERM" not in result.texts[i] and "XTERM" not in result.texts[i]
    assert result.texts[0] == "We fund mujeres-led organizations now."        # the engine's own words
    assert all(o.retried for o in (result.outcomes[0], result.outcomes[2]))


def test_n_best_retry_recovers_a_placeholder_the_best_hypothesis_lost(mangling_engines):
    engine = mangling_engines["doubts-en-es"]
    assert engine.translate(["We fund XTERM0X now."]) == ["We fund TERM0X now."]
    assert "We fund XTERM0X now." in engine.retry(["We fund XTERM0X now."])[0]
    result = translate_enforced(["We fund women-led organizations now."], "es", GLOSSARY.terms("en"), engine)
    assert result.flagged == () and result.outcomes[0].retried
    assert result.texts == ("We fund organizaciones lideradas por mujeres now.",)
