"""The word before a glossary term agrees with the term (real Apertium, the project's glossary):
an engine sees a placeholder it cannot inflect for, so "our partners" came out "nuestro socias"."""

from __future__ import annotations

import pytest

from pipeline.translate.agree import agree
from pipeline.translate.service import glossary_in, translate_batch
from tests.conftest import ROOT


@pytest.mark.parametrize("lang,expected", [
    ("es", ["nuestras socias", "cada socia", "las organizaciones socias", "sobre la violencia de género"]),
    ("fr", ["nos partenaires", "chaque partenaire", "les organisations partenaires"]),
])
def test_determiners_agree_with_the_terms(lang, expected):
    texts = ["Our partners in Kenya talk about their work.", "Every partner can speak.",
             "We met the partner organizations.", "We talked about the gender-based violence they face."]
    out = " ".join(translate_batch(texts, "en", lang, glossary=glossary_in(ROOT / "glossary"),
                                   prefer="apertium").texts)
    for phrase in expected:
        assert phrase in out.lower(), (phrase, out)


def test_only_the_closed_list_changes_and_names_never():
    assert agree("Primero, nuestro ", "socias", True, "es") == "Primero, nuestras "
    assert agree("Hablamos del ", "violencia de género", False, "es") == "Hablamos de la "
    assert agree("el ", "Día Internacional de la Niña", False, "es") == "el "        # día is masculine
    assert agree("la ", "ponentes", True, "es") == "las "                           # epicene: as written
    assert agree("D'abord, notre ", "partenaires", True, "fr") == "D'abord, nos "
    assert agree("avec la ", "organisation partenaire", False, "fr") == "avec l'"
    assert agree("casa ", "socias", True, "es") == "casa "                          # not a determiner
    assert agree("nuestro", "socias", True, "es") == "nuestro"                     # glued: left alone
