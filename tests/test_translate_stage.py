"""The translate stage on the real demo transcripts: three languages, four files each, times kept,
mixed-language segments kept as spoken, the compliance report, the key, and the CLI around it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import transcript as transcript_io
from pipeline.captions import to_srt, to_text, to_vtt
from pipeline.cli import main
from pipeline.project import Project
from pipeline.runner import Context, run_stage
from pipeline.stages import STAGES
from pipeline.translate import TranslatedTexts, translate_texts
from pipeline.translate.stage import TRANSLATE
from tests.conftest import TRANSLATE_DATA

DEMOS = ["demo-capitan-veneno", "demo-interpreted-welcome", "demo-sonnet-reading"]
FILES = ("transcript.json", "transcript.vtt", "transcript.srt", "transcript.txt", "glossary-report.json")


def prepared(project_copy, slugs: list[str]) -> Project:
    """A project copy whose demo episodes have their (redacted) transcript in place, as after transcribe."""
    root = project_copy(slugs)
    project = Project.load(root)
    for slug in slugs:
        target = root / "output" / "episodes" / slug / "redact" / "transcript.json"
        target.parent.mkdir(parents=True)
        shutil.copy(TRANSLATE_DATA / f"{slug}.transcript.json", target)
    return project


def translate(project: Project, slug: str, **options) -> str:
    spec = next(e for e in project.episodes().episodes if e.slug == slug)
    result = run_stage(TRANSLATE, Context(project, spec, options), lambda s: None)
    assert result.status in ("ran", "skipped"), result.error
    return result.status


def cue_times(path: Path) -> list[tuple[float, float]]:
    return cue_times_of(path.read_text())


def cue_times_of(text: str) -> list[tuple[float, float]]:
    clock = r"(\d\d):(\d\d):(\d\d)[.,](\d\d\d)"
    stamps = re.findall(f"{clock} --> {clock}", text)
    def secs(h, m, s, ms):
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
    return [(secs(*t[:4]), secs(*t[4:])) for t in stamps]


def assert_cues_follow_segments(source: transcript_io.Transcript, path: Path) -> None:
    """Every cue lies inside one segment, and each segment's cues start at its start and end at its end."""
    cues = cue_times(path)
    for seg in source.segments:
        inside = [c for c in cues if c[0] >= round(seg.start, 3) - 1e-6 and c[1] <= round(seg.end, 3) + 1e-6]
        assert inside, (path, seg)
        assert inside[0][0] == pytest.approx(seg.start, abs=1e-3)
        assert inside[-1][1] == pytest.approx(seg.end, abs=1e-3)
        assert all(a[1] == pytest.approx(b[0], abs=1e-3) for a, b in zip(inside, inside[1:], strict=False))
    assert len(cues) == sum(1 for c in cues if any(s.start - 1e-3 <= c[0] and c[1] <= s.end + 1e-3
                                                   for s in source.segments))


def test_translate_comes_after_redact_in_the_pipeline():
    names = [s.name for s in STAGES]
    assert names.index("translate") == names.index("redact") + 1


def test_demo_sessions_in_three_languages_with_the_source_times(project_copy):
    project = prepared(project_copy, DEMOS)
    for slug in DEMOS:
        translate(project, slug)
        source = transcript_io.load(TRANSLATE_DATA / f"{slug}.transcript.json")
        for lang in ("en", "es", "fr"):
            folder = project.work / slug / "translate" / lang
            assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
            done = transcript_io.load(folder / "transcript.json")
            assert done.language == lang and len(done.segments) == len(source.segments)
            assert [(s.start, s.end) for s in done.segments] == [(s.start, s.end) for s in source.segments]
            assert all(s.language == lang and s.text.strip() for s in done.segments)
            for caption, render in (("transcript.vtt", to_vtt), ("transcript.srt", to_srt)):
                assert_cues_follow_segments(source, folder / caption)
                # captions in every language change at the same moments as the source's
                assert cue_times(folder / caption) == cue_times_of(render(source))
            stamps = re.findall(r"^\[(\d\d:\d\d:\d\d)\]", (folder / "transcript.txt").read_text(), re.M)
            assert stamps == re.findall(r"^\[(\d\d:\d\d:\d\d)\]", to_text(source), re.M)
            assert len(stamps) == len(source.segments)
            if lang == source.language and set(source.languages) == {lang}:
                assert [s.text for s in done.segments] == [s.text for s in source.segments]
                assert done.extra["translation_engine"] == "none" and done.translated_from is None
            else:
                spoken_elsewhere = [x for x in source.languages if x != lang]
                assert done.translated_from == (source.language if source.language != lang
                                                else spoken_elsewhere[0])
                assert done.extra["translation_engine"].startswith("apertium")


def test_mixed_session_keeps_what_was_already_in_the_target_language(project_copy, use_argos):
    slug = "demo-interpreted-welcome"
    project = prepared(project_copy, [slug])
    translate(project, slug)
    source = transcript_io.load(TRANSLATE_DATA / f"{slug}.transcript.json")
    assert source.languages == ("en", "fr")
    for lang in ("en", "fr", "es"):
        done = transcript_io.load(project.work / slug / "translate" / lang / "transcript.json")
        for before, after in zip(source.segments, done.segments, strict=True):
            if before.language == lang:
                assert after.text == before.text and after.words == before.words
            else:
                assert after.words is None and after.language == lang     # the copy model may keep words
        engines = done.extra["translation_engines"]
        assert engines == {"en": {"fr-en": "argos"}, "fr": {"en-fr": "argos"},
                           "es": {"en-es": "argos", "fr-es": "argos via en"}}[lang]
    report = json.loads((project.work / slug / "translate" / "es" / "glossary-report.json").read_text())
    assert report["summary"]["translated"] == report["summary"]["segments"] == len(source.segments)
    assert report["summary"]["flagged"] == 0


def test_glossary_edit_reruns_translate_and_a_new_engine_too(project_copy, use_argos, monkeypatch, tmp_path):
    slug = "demo-sonnet-reading"
    project = prepared(project_copy, [slug])
    assert translate(project, slug) == "ran"
    assert translate(project, slug) == "skipped"
    with (project.glossary_dir / "gender-equity.csv").open("a", encoding="utf-8") as handle:
        handle.write("fairest creatures,criaturas más bellas,plus belles créatures,term,"
                     "unverified: es, fr,\n")
    assert translate(project, slug) == "ran"
    es = transcript_io.load(project.work / slug / "translate" / "es" / "transcript.json")
    assert "criaturas más bellas" in es.segments[0].text
    report = json.loads((project.work / slug / "translate" / "es" / "glossary-report.json").read_text())
    assert report["terms"][0]["target_form"] == "criaturas más bellas" and report["terms"][0]["unverified"]
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "none"))       # packages gone: Apertium now
    assert translate(project, slug) == "ran"
    es = transcript_io.load(project.work / slug / "translate" / "es" / "transcript.json")
    assert es.extra["translation_engine"] == "apertium"


def test_report_and_glossary_check_show_terms_and_avoid_wording(project_copy):
    slug = "demo-sonnet-reading"
    project = prepared(project_copy, [slug])
    path = project.work / slug / "redact" / "transcript.json"
    source = transcript_io.load(path)
    first = source.segments[0]
    said = "WomenStrong's partners fund girls' education; the victims were heard."
    transcript_io.save(source.with_segments([first.__class__(first.start, first.end, said, "en")]
                                            + list(source.segments[1:])), path)
    translate(project, slug)
    report = json.loads((project.work / slug / "translate" / "fr" / "glossary-report.json").read_text())
    assert report["engines"] == {"en-fr": "apertium via ca"}
    assert [(t["source_form"], t["target_form"], t["enforced"]) for t in report["terms"]] == [
        ("WomenStrong", "WomenStrong", True), ("girls' education", "éducation des filles", True),
        ("partner", "partenaires", True)]
    assert {(a["where"], a["wording"]) for a in report["avoid"]} >= {("source", "victims")}
    out = CliRunner().invoke(main, ["--project", str(project.root), "glossary", "check", slug])
    assert "fr: 7/7 segments translated (en-fr: apertium via ca)" in out.output
    assert "terms found 3, enforced 3, flagged segments 0" in out.output
    assert "avoid (spoken) segment 0: 'victims'" in out.output
    assert out.exit_code == (1 if report["summary"]["avoid_in_output"] else 0)


def test_glossary_check_says_when_reports_are_missing_or_stale(project_copy):
    slug = "demo-sonnet-reading"
    project = prepared(project_copy, [slug])
    runner = CliRunner()
    missing = runner.invoke(main, ["--project", str(project.root), "glossary", "check"])
    assert "not translated yet: run `learninglab translate`" in missing.output
    ran = runner.invoke(main, ["--project", str(project.root), "translate", slug, "--engine", "apertium"])
    assert ran.exit_code == 0, ran.output
    with (project.glossary_dir / "gender-equity.csv").open("a", encoding="utf-8") as handle:
        handle.write("riper,más maduro,plus mûr,term,unverified: es, fr,\n")
    stale = runner.invoke(main, ["--project", str(project.root), "glossary", "check", slug])
    assert "stale" in stale.output


def test_translate_texts_is_the_stage_s_engine_and_glossary(project_copy, use_argos):
    project = Project.load(project_copy([]))
    texts = ["Women-led organizations need flexible funding.", "Girls go to school."]
    result = translate_texts(texts, "en", "es", project=project)
    assert isinstance(result, TranslatedTexts)
    assert result == TranslatedTexts(("Organizaciones lideradas por mujeres need financiamiento flexible.",
                                      "Niñas go to escuela."), "argos", ())
    assert translate_texts(texts, "en", "en", project=project).texts == tuple(texts)
    assert translate_texts(["Les filles."], "fr", "es", project=project).engine == "argos via en"


def test_models_are_loaded_once_per_process(use_argos):
    from pipeline.translate.choose import load, route_for

    route = route_for("en", "es")
    assert load(route) is load(route_for("en", "es"))
    pivot = route_for("es", "fr")
    assert load(pivot).first is load(route_for("es", "en"))


def test_translate_text_command(project_copy, use_argos, tmp_path):
    project = project_copy([])
    text = ("WomenStrong funds women-led organizations. Girls need school!\n\n"
            "Trust-based funding works. The victims spoke.\n")
    runner = CliRunner()
    out = runner.invoke(main, ["--project", str(project), "translate-text", "--from", "en", "--to", "es"],
                        input=text)
    assert out.exit_code == 0, out.output
    assert out.stdout == ("WomenStrong funds organizaciones lideradas por mujeres. Niñas need escuela!\n\n"
                          "Financiamiento basado en la confianza works. The victims spoke.\n")
    assert "avoid wording 'victims' in the source" in out.stderr
    (tmp_path / "post.txt").write_text(text, encoding="utf-8")
    fr = runner.invoke(main, ["--project", str(project), "translate-text", "--from", "en", "--to", "fr",
                              "--engine", "apertium", str(tmp_path / "post.txt")])
    assert fr.exit_code == 0 and "organisations dirigées par des femmes" in fr.stdout
    assert fr.stdout.count("\n\n") == 1


def test_no_engine_is_one_clear_line(project_copy, monkeypatch):
    from pipeline.translate import apertium

    monkeypatch.setattr(apertium, "available_modes", lambda: frozenset())
    project = project_copy([])
    out = CliRunner().invoke(main, ["--project", str(project), "translate-text", "--from", "en",
                                    "--to", "es"], input="Hello.\n")
    assert out.exit_code == 1
    assert "no translation engine for en->es" in out.output
    assert "apt-get install apertium" in out.output and "install-translation en es" in out.output


def test_a_language_no_engine_covers_is_kept_and_flagged(project_copy):
    """Whisper can tag a turn with another language (here Portuguese): it is kept as spoken and the
    report flags it, rather than failing the episode or pretending it was translated."""
    slug = "demo-sonnet-reading"
    project = prepared(project_copy, [slug])
    path = project.work / slug / "redact" / "transcript.json"
    source = transcript_io.load(path)
    seg = source.segments[1]
    spoken = seg.__class__(seg.start, seg.end, "Obrigada a todas pela presença.", "pt")
    transcript_io.save(source.with_segments([source.segments[0], spoken, *source.segments[2:]]), path)
    translate(project, slug)
    for lang in ("en", "es", "fr"):
        done = transcript_io.load(project.work / slug / "translate" / lang / "transcript.json")
        assert done.segments[1].text == spoken.text and done.extra["flagged_segments"] == [1]
        report = json.loads((project.work / slug / "translate" / lang / "glossary-report.json").read_text())
        assert report["flagged"][0]["reason"] == f"no engine for pt->{lang}: kept as spoken"
    out = CliRunner().invoke(main, ["--project", str(project.root), "glossary", "check", slug])
    assert out.exit_code == 1 and "FLAGGED segment 1 (9.1s): no engine for pt->es" in out.output
