"""The gender-equity glossary: its content, CSV and TBX, matching, placeholders."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import LearningLabError
from pipeline.glossary import (
    LANGUAGES,
    Entry,
    import_file,
    keep_names,
    load_csv,
    load_glossary,
    parse_csv,
    parse_tbx,
    to_csv,
    to_tbx,
)
from pipeline.translate.inflect import pluralize
from pipeline.translate.masking import intact, mask, unmask
from pipeline.translate.matching import TermMatcher

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(ROOT / "glossary")


def by_en(form: str) -> Entry:
    return next(e for e in GLOSSARY if e.en == form)


# -- content -------------------------------------------------------------------------------------

def test_glossary_has_sixty_entries_covering_every_area():
    assert len(GLOSSARY) >= 60
    ens = {e.en for e in GLOSSARY}
    areas = ["gender-based violence", "sexual and reproductive health and rights", "girls' education",
             "women's economic empowerment", "women-led organization", "women's rights organization",
             "survivor-centred approach", "trust-based funding", "capacity strengthening", "peer learning",
             "language justice", "WomenStrong", "Learning Lab"]
    assert not [a for a in areas if a not in ens]
    assert keep_names(GLOSSARY) == ["Learning Lab", "WomenStrong"]
    assert {e.kind for e in GLOSSARY} == {"term", "keep", "avoid"}


def test_every_term_has_all_three_languages_and_unsourced_cells_are_marked():
    for e in GLOSSARY:
        if e.kind == "term":
            assert e.en and e.es and e.fr, e
        if not e.source or e.source == "none found":
            assert set(e.unverified) == set(LANGUAGES), f"{e.en}: no source, so every cell is unverified"
        for lang in e.unverified:
            assert lang in LANGUAGES
    sourced = [e for e in GLOSSARY if not e.unverified]
    assert len(sourced) >= 20          # the cited rows of glossary-sources.tsv


def test_sourced_cells_match_the_reference_table():
    """Every form marked verified is the one glossary-sources.tsv (or the rows researched since, in
    glossary-sources-added.tsv) cites."""
    rows = [row for path in sorted((ROOT / "glossary").glob("glossary-sources*.tsv"))
            for row in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")]
    cited = {lang: {r[lang] for r in rows if r[lang]} for lang in ("es", "fr")}
    for e in GLOSSARY:
        if e.kind == "term" and e.source and e.en not in ("GBV", "VAWG", "SRHR", "FGM"):
            for lang in ("es", "fr"):
                if lang not in e.unverified:
                    assert any(getattr(e, lang) in form for form in cited[lang]), (e.en, lang)


def test_unverified_clause_parses_and_keeps_the_remark():
    e = Entry("peer learning", "aprendizaje entre pares", "apprentissage entre pairs", "term",
              "unverified: es, fr; candidate forms", "none found")
    assert e.unverified == ("es", "fr")
    assert e.remark == "candidate forms"
    assert Entry("a", "b", "c", "term", "a plain note").unverified == ()


# -- CSV and TBX ---------------------------------------------------------------------------------

def test_csv_round_trip_of_the_real_glossary():
    assert parse_csv(to_csv(GLOSSARY), "x.csv") == GLOSSARY


def test_tbx_round_trip_and_structure():
    text = to_tbx(GLOSSARY)
    root = ET.fromstring(text)
    ns = {"t": "urn:iso:std:iso:30042:ed-2"}
    assert root.tag == "{urn:iso:std:iso:30042:ed-2}tbx" and root.get("type") == "TBX-Basic"
    concepts = root.findall("t:text/t:body/t:conceptEntry", ns)
    assert len(concepts) == len(GLOSSARY)
    gbv = concepts[[e.en for e in GLOSSARY].index("gender-based violence")]
    es = gbv.find("t:langSec[@{http://www.w3.org/XML/1998/namespace}lang='es']/t:termSec/t:term", ns)
    assert es.text == "violencia de género"
    avoid = concepts[[e.en for e in GLOSSARY].index("victim")]
    statuses = {n.text for n in avoid.iter("{urn:iso:std:iso:30042:ed-2}termNote")}
    assert statuses == {"deprecatedTerm-admn-sts"}
    assert parse_tbx(text, "x.tbx") == GLOSSARY


def test_tbx_import_reads_the_older_martif_form(tmp_path):
    martif = """<?xml version="1.0"?>
<martif type="TBX"><text><body>
 <termEntry id="t1"><descrip type="definition">from a TMS</descrip>
  <langSet xml:lang="en"><tig><term>safe space</term></tig></langSet>
  <langSet xml:lang="es-ES"><tig><term>espacio seguro</term></tig></langSet>
  <langSet xml:lang="fr"><tig><term>espace sûr</term>
   <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></tig></langSet>
 </termEntry>
</body></text></martif>"""
    path = tmp_path / "tms.tbx"
    path.write_text(martif, encoding="utf-8")
    target, count = import_file(path, tmp_path / "glossary")
    assert count == 1 and target.name == "tms.csv"
    assert load_csv(target) == [Entry("safe space", "espacio seguro", "espace sûr", "term", "from a TMS", "")]


@pytest.mark.parametrize("text, message", [
    ("en,es,fr,note\nx,y,z,n\n", "missing column 'kind'"),
    ("en,es,fr,kind,note,source\nx,y,z,preferred,,\n", "unknown kind 'preferred'"),
    ("en,es,fr,kind,note,source\n,,,term,,\n", "no form in any language"),
    ("en,es,fr,kind,note,source\nx,y,z,term,unverified: de,\n", "unknown language 'de'"),
])
def test_bad_csv_is_one_clear_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LearningLabError) as err:
        load_csv(path)
    assert message in err.value.line() and "bad.csv" in err.value.line() and " — " in err.value.line()


def test_bad_tbx_is_one_clear_line(tmp_path):
    with pytest.raises(LearningLabError, match="not well-formed XML"):
        parse_tbx("<tbx><text>", "broken.tbx")
    with pytest.raises(LearningLabError, match="no conceptEntry"):
        parse_tbx("<tbx/>", "empty.tbx")


def test_cli_export_and_import(project_copy, tmp_path):
    project = project_copy([])
    runner = CliRunner()
    out = runner.invoke(main, ["--project", str(project), "glossary", "export", "--tbx", "-o",
                               str(tmp_path / "g.tbx")])
    assert out.exit_code == 0, out.output
    assert parse_tbx((tmp_path / "g.tbx").read_text(encoding="utf-8"), "g.tbx") == GLOSSARY
    again = runner.invoke(main, ["--project", str(project), "glossary", "import", str(tmp_path / "g.tbx"),
                                 "--name", "gender-equity"])
    assert again.exit_code == 1 and "exists" in again.output and "--replace" in again.output
    replaced = runner.invoke(main, ["--project", str(project), "glossary", "import", str(tmp_path / "g.tbx"),
                                    "--name", "gender-equity", "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert load_glossary(project / "glossary") == GLOSSARY
    csv_out = runner.invoke(main, ["--project", str(project), "glossary", "export"])
    assert csv_out.output == to_csv(GLOSSARY)


# -- matching ------------------------------------------------------------------------------------

EN = TermMatcher(GLOSSARY, "en")


def found(text: str, matcher: TermMatcher = EN) -> list[tuple[str, str, bool]]:
    return [(m.found, m.entry.en, m.plural) for m in matcher.find(text)]


def test_matching_tolerates_case_plurals_hyphens_and_apostrophes():
    assert found("Women-led organizations met.") == [
        ("Women-led organizations", "women-led organization", True)]
    assert found("women led organization") == [("women led organization", "women-led organization", False)]
    assert found("Girls’ education first") == [("Girls’ education", "girls' education", False)]
    assert found("two survivors and one survivor") == [
        ("survivors", "survivor", True), ("survivor", "survivor", False)]
    assert found("Savings groups") == [("Savings groups", "savings group", True)]


def test_longest_match_wins_and_first_entry_wins_a_shared_form():
    assert found("women's economic empowerment") == [
        ("women's economic empowerment", "women's economic empowerment", False)]
    longest = "sexual and reproductive health and rights"
    assert found(longest)[0][1] == longest
    assert found("a survivor-centred approach")[0][1] == "survivor-centred approach"
    es = TermMatcher(GLOSSARY, "es")
    # "violencia de género" is the es form of both "gender-based violence" and "GBV": the first wins
    assert found("la violencia de género", es) == [("violencia de género", "gender-based violence", False)]
    assert found("las organizaciones lideradas por mujeres", es) == [
        ("organizaciones lideradas por mujeres", "women-led organization", True)]
    fr = TermMatcher(GLOSSARY, "fr")
    assert found("des violences basées sur le genre", fr) == [
        ("violences basées sur le genre", "gender-based violence", True)]


def test_names_and_acronyms_are_case_sensitive():
    assert found("our learning lab of ideas") == []
    assert found("The Learning Lab and WomenStrong's team") == [
        ("Learning Lab", "Learning Lab", False), ("WomenStrong", "WomenStrong", False)]
    assert found("GBV and gbv") == [("GBV", "GBV", False)]


@pytest.mark.parametrize("form, lang, plural", [
    ("organización liderada por mujeres", "es", "organizaciones lideradas por mujeres"),
    ("enfoque centrado en la superviviente", "es", "enfoques centrados en la superviviente"),
    ("grupo de ahorro", "es", "grupos de ahorro"),
    ("organisation dirigée par des femmes", "fr", "organisations dirigées par des femmes"),
    ("violence basée sur le genre", "fr", "violences basées sur le genre"),
    ("mutilations génitales féminines", "fr", "mutilations génitales féminines"),
    ("women-led organization", "en", "women-led organizations"),
    ("survivor-centred approach", "en", "survivor-centred approaches"),
    ("home-based workers", "en", "home-based workers"),
    ("savings group", "en", "savings groups"),
])
def test_plural_of_a_target_term(form, lang, plural):
    assert pluralize(form, lang) == plural


# -- placeholders --------------------------------------------------------------------------------

def test_mask_and_unmask_capitalise_at_sentence_start_and_keep_plurals():
    m = mask("Women-led organizations fight gender-based violence.", EN, "es")
    assert m.text == "XTERM0X fight XTERM1X."
    assert unmask("XTERM0X luchan contra la XTERM1X.", m, "es") == \
        "Organizaciones lideradas por mujeres luchan contra la violencia de género."
    assert unmask("¿Y las XTERM0X? XTERM1X  sigue.", m, "es") == \
        "¿Y las organizaciones lideradas por mujeres? Violencia de género sigue."
    keep = mask("the Learning Lab", EN, "fr")
    assert unmask("XTERM0X", keep, "fr") == "Learning Lab"


def test_placeholders_must_come_back_alone_and_exactly_once():
    m = mask("WomenStrong supports survivors.", EN, "fr")
    assert m.text == "XTERM0X supports XTERM1X."
    assert intact(m, "XTERM0X soutient les XTERM1X.")
    assert intact(m, "xterm0x soutient les XTERM1X.")                    # case does not matter
    assert not intact(m, "XTERM0Xha soutient les XTERM1X.")              # glued to a word
    assert not intact(m, "XTERM0X soutient les XTERM1X et XTERM1X.")     # duplicated
    assert not intact(m, "XTERM0X soutient les TERM1X.")                 # mangled
    assert not intact(m, "XTERM0X soutient les XTERM1X XTERM2X.")        # one that was never there


def test_a_term_without_a_target_form_is_left_to_the_engine(tmp_path):
    entries = [Entry("flexible funding", "", "financement flexible", "term", "unverified: es")]
    matcher = TermMatcher(entries, "en")
    m = mask("flexible funding helps", matcher, "es")
    assert m.text == "flexible funding helps" and [u.entry.en for u in m.unmasked] == ["flexible funding"]
