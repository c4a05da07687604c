"""The glossary demo end to end: spoken terms come out in every language exactly as the glossary gives
them, in the transcripts, the summaries and the published notes (real Whisper, real Apertium)."""

from __future__ import annotations

import json

import pytest

SLUG = "demo-peer-call-synthetic"
SPOKEN = {   # en as spoken -> the glossary's es and fr forms (plural where spoken in the plural)
    "peer learning": ("aprendizaje entre pares", "apprentissage entre pairs"),
    "trust-based funding": ("financiamiento basado en la confianza", "financement fondé sur la confiance"),
    "gender-based violence": ("violencia de género", "violence basée sur le genre"),
    "women led organizations": ("organizaciones lideradas por mujeres",
                                "organisations dirigées par des femmes"),
    "girls' education": ("educación de las niñas", "éducation des filles"),
    "economic empowerment": ("empoderamiento económico", "autonomisation économique"),
    "capacity strengthening": ("fortalecimiento de capacidades", "renforcement des capacités"),
}


@pytest.fixture(scope="module")
def project(demo_run):
    """The demo sessions as `learninglab run` made them (shared with the other demo tests)."""
    return demo_run


def test_whisper_hears_the_terms_and_the_names(project):
    text = (project / "output" / "episodes" / SLUG / "redact" / "transcript.txt").read_text().lower()
    for term in SPOKEN:
        assert term.replace("-", " ") in text.replace("-", " "), term
    assert "WomenStrong Learning Lab" in (project / "output" / "episodes" / SLUG / "redact" /
                                         "transcript.txt").read_text()


@pytest.mark.parametrize("lang,column", [("es", 0), ("fr", 1)])
def test_every_term_is_enforced_in_transcript_summary_and_notes(project, lang, column):
    work = project / "output" / "episodes" / SLUG
    transcript = (work / "translate" / lang / "transcript.txt").read_text()
    for forms in SPOKEN.values():
        assert forms[column] in transcript, forms[column]
    assert "WomenStrong Learning Lab" in transcript               # names are never translated
    report = json.loads((work / "translate" / lang / "glossary-report.json").read_text())
    assert report["summary"]["terms_found"] == report["summary"]["enforced"] >= len(SPOKEN)
    assert report["flagged"] == []
    summary = json.loads((work / "summarize" / lang / "summary.json").read_text())
    said = " ".join(line["text"] for line in summary["summary"] + summary["key_points"])
    assert sum(forms[column] in said for forms in SPOKEN.values()) >= 3
    notes = (project / "output" / "site" / lang / SLUG / "index.html").read_text()
    assert all(forms[column] in notes for forms in SPOKEN.values())
    assert "Apertium" in notes or "apertium" in notes                # the engine is named
