"""The engines themselves: real Apertium and real argos packages run by CTranslate2, batched,
chosen automatically, and installed from a file or a package index served on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
import zipfile

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import LearningLabError
from pipeline.translate import apertium
from pipeline.translate.argos import ArgosEngine
from pipeline.translate.choose import find_route, route_for
from pipeline.translate.packages import (
    argos_package_dir,
    find_packages,
    install_file,
    install_from_index,
    package_for,
    read_package,
)

# -- Apertium ------------------------------------------------------------------------------------


def test_apertium_pairs_are_installed():
    assert {"eng-spa", "spa-eng", "es-fr", "fr-es", "eng-cat", "cat-eng", "fra-cat", "cat-fra"} <= \
        apertium.available_modes()


def counting_pipelines(monkeypatch) -> list[str]:
    """The texts each Apertium pipeline is given, one a call."""
    calls: list[str] = []
    real_run = apertium._Pipeline.run

    def counting_run(self, text):
        calls.append(text)
        return real_run(self, text)

    monkeypatch.setattr(apertium._Pipeline, "run", counting_run)
    return calls


def test_apertium_translates_a_batch_in_one_pipeline(monkeypatch):
    calls = counting_pipelines(monkeypatch)
    engine = apertium.ApertiumEngine("eng-spa")
    # no final period on the first segment: the blank-line separator must still end it
    texts = ["I saw a big", "house in town.", "", "The girls go to school", "We support  the\nwomen."]
    out = engine.translate(texts)
    assert len(calls) == 1
    one_by_one = [engine.translate([t])[0] for t in texts]
    assert len(calls) == 1 + 4                      # the empty text never reaches Apertium
    assert out == one_by_one                        # batching changes nothing, not even across segments
    assert out[2] == "" and "casa" not in out[0].lower() and out[1].startswith("Casa")


def test_a_long_session_goes_to_apertium_in_bounded_batches_with_the_same_result(monkeypatch):
    """A 3-hour session's sentences in one call made Apertium's memory grow with the session: they
    go BATCH at a time, and the batches give what one call gives."""
    engine = apertium.ApertiumEngine("eng-spa")
    texts = ["I saw a big", "house in town.", "", "The girls go to school", "We support the women.",
             "Thank you all."]
    whole = engine.translate(texts)
    monkeypatch.setattr(apertium, "BATCH", 2)
    calls = counting_pipelines(monkeypatch)
    assert engine.translate(texts) == whole
    assert [text.count("\n\n") + 1 for text in calls] == [2, 2, 1]     # 5 texts, 2 a call


def test_the_generator_runs_as_a_phase_of_its_own_with_the_same_result(monkeypatch):
    """cat-fra's generator holds 440 MB and its analysis steps 250 MB: in one pipeline, how many of
    them overlapped depended on the batch's length (bench/bench_memory.py). The two phases run one
    after the other and give what `apertium -u` gives, word for word."""
    analysis, generation = apertium.phases("cat-fra")
    assert "cat-fra.automorf.bin" in analysis and "autogen.bin" not in analysis
    assert generation.startswith("lt-proc $1 ") and "cat-fra.autogen.bin" in generation
    texts = ["Les dones lideren les organitzacions del territori.", "Gràcies a totes per venir avui.",
             "Parlem de la violència de gènere i de com la prevenim."]
    commands = []
    real_run = subprocess.run

    def recording_run(command, *args, **kwargs):
        commands.append(command)
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(apertium.subprocess, "run", recording_run)
    phased = apertium.ApertiumEngine("cat-fra").translate(texts)
    assert [c[0] for c in commands] == ["apertium-destxt", "apertium", "apertium", "apertium-retxt"]
    assert [c[-1] for c in commands[1:3]] == ["phase0", "phase1"]
    whole = real_run(["apertium", "-u", "cat-fra"], input="\n\n".join(texts) + "\n", capture_output=True,
                     text=True, check=True).stdout
    assert phased == [" ".join(p.split()) for p in whole.split("\n\n") if p.strip()]
    assert phased[0].startswith("Les femmes ")


def test_a_mode_without_a_generator_step_runs_whole(monkeypatch, tmp_path):
    """A pair laid out otherwise (no `lt-proc $1` step) still runs, as one pipeline."""
    (tmp_path / "eng-spa.mode").write_text("apertium-pretransfer\n")
    monkeypatch.setattr(apertium, "MODES_DIR", tmp_path)
    assert apertium.phases("eng-spa") is None and apertium.phases("xxx-yyy") is None
    with apertium.ApertiumEngine("eng-spa")._pipeline() as pipeline:
        assert pipeline.commands == [["apertium", "-u", "eng-spa"]]


def test_apertium_keeps_case_after_a_leading_placeholder():
    engine = apertium.ApertiumEngine("eng-spa")
    raw = engine.raw("XTERM0X fight XTERM1X in rural areas.\n")
    assert raw.startswith("XTERM0X Pelea")             # Apertium capitalises the first word it knows
    assert engine.translate(["XTERM0X fight XTERM1X in rural areas."])[0].startswith("XTERM0X pelea ")
    assert engine.translate(["XTERM0X Paris office."])[0] == engine.raw("XTERM0X Paris office.\n").strip()


def test_apertium_pivots_measured_best():
    assert find_route("en", "fr", prefer="apertium").name == "apertium via ca"
    assert find_route("fr", "en", prefer="apertium").name == "apertium via es"
    assert find_route("es", "fr", prefer="apertium").name == "apertium"


# -- argos ---------------------------------------------------------------------------------------

def test_auto_choice_prefers_an_installed_argos_package(use_argos):
    assert route_for("en", "es").name == "argos"
    assert route_for("es", "fr").name == "argos via en"
    assert route_for("en", "es", prefer="apertium").name == "apertium"


def test_without_packages_apertium_is_chosen():
    assert argos_package_dir().is_dir() and not any(argos_package_dir().iterdir())
    assert route_for("en", "es").name == "apertium"
    with pytest.raises(LearningLabError, match="no translation engine for en->es \\(argos only\\)"):
        route_for("en", "es", prefer="argos")


def test_argos_engine_batches_every_segment_in_one_call(use_argos):
    engine = ArgosEngine(package_for("en", "es"))
    calls = []

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def translate_batch(self, batch, **kwargs):
            calls.append(len(batch))
            return self.inner.translate_batch(batch, **kwargs)

    engine.translator = Counting(engine.translator)
    texts = [f"Women and girls need school number {n}." for n in range(50)] + [""]
    out = engine.translate(texts)
    assert calls == [50]
    assert out[7] == "Mujeres and niñas need escuela number 7." and out[-1] == ""


def test_packages_are_read_from_argos_folder_and_project_models(use_argos, argos_archives, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("LEARNINGLAB_MODELS", str(tmp_path / "cache"))
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(argos_archives["doubts-en-es"], models / "doubts-en-es.argosmodel")  # a file left as is
    found = {(p.from_code, p.to_code, p.path.name.split("-")[0]) for p in find_packages(models)}
    assert ("en", "es", "translate") in found and ("en", "es", "doubts") in found
    assert (tmp_path / "cache" / "argos").is_dir()


def test_install_from_a_file_and_bad_files(argos_archives, tmp_path):
    package = install_file(argos_archives["translate-fr_en-test"], tmp_path / "pk")
    assert (package.from_code, package.to_code, package.version) == ("fr", "en", "1.0")
    assert read_package(package.path) == package
    again = install_file(argos_archives["translate-fr_en-test"], tmp_path / "pk")      # reinstall replaces
    assert again == package and len(list((tmp_path / "pk").iterdir())) == 1
    (tmp_path / "junk.argosmodel").write_bytes(b"not a zip")
    with pytest.raises(LearningLabError, match="not a zip archive"):
        install_file(tmp_path / "junk.argosmodel", tmp_path / "pk")
    with zipfile.ZipFile(tmp_path / "evil.argosmodel", "w") as zf:
        zf.writestr("../../escape/metadata.json", "{}")
    with pytest.raises(LearningLabError, match="unsafe path"):
        install_file(tmp_path / "evil.argosmodel", tmp_path / "pk")
    with zipfile.ZipFile(tmp_path / "nomodel.argosmodel", "w") as zf:
        zf.writestr("p/metadata.json", json.dumps({"from_code": "en", "to_code": "es"}))
    with pytest.raises(LearningLabError, match=r"no CTranslate2 model \(model/model.bin\)"):
        install_file(tmp_path / "nomodel.argosmodel", tmp_path / "pk")


@pytest.fixture
def index_server(tmp_path, argos_archives):
    """argos's package index format, served over real HTTP on 127.0.0.1."""
    root = tmp_path / "www"
    (root / "packages").mkdir(parents=True)
    with zipfile.ZipFile(argos_archives["translate-en_es-test"]) as src, \
            zipfile.ZipFile(root / "packages" / "en_es-1_1.argosmodel", "w") as dst:
        for item in src.infolist():                  # the same package, as its version 1.1
            data = src.read(item)
            if item.filename.endswith("/metadata.json"):
                data = json.dumps({**json.loads(data), "package_version": "1.1"}).encode()
            dst.writestr(item, data)
    index = [
        {"package_version": "1.0", "from_code": "en", "to_code": "es", "type": "translate",
         "links": ["http://127.0.0.1:1/unreachable.argosmodel"]},
        {"package_version": "1.1", "argos_version": "1.11.0", "from_code": "en", "from_name": "English",
         "to_code": "es", "to_name": "Spanish", "type": "translate",
         "links": ["http://127.0.0.1:1/mirror-down.argosmodel", "packages/en_es-1_1.argosmodel"]},
        {"package_version": "1.0", "type": "sbd", "from_code": "en", "to_code": "en", "links": ["x"]},
    ]
    (root / "index.json").write_text(json.dumps(index))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_install_from_the_package_index(index_server, tmp_path):
    package = install_from_index("en", "es", tmp_path / "pk", index_server + "/index.json")
    assert (package.from_code, package.to_code, package.version) == ("en", "es", "1.1")
    out = ArgosEngine(package).translate(["Women need health rights."])
    assert out == ["Mujeres need salud derechos."]
    with pytest.raises(LearningLabError, match="no package for es->fr in the index"):
        install_from_index("es", "fr", tmp_path / "pk", index_server + "/")
    with pytest.raises(LearningLabError, match="cannot read the package index"):
        install_from_index("en", "es", tmp_path / "pk", "http://127.0.0.1:1/index.json")


def test_install_translation_command(index_server, project_copy, monkeypatch, tmp_path, argos_archives):
    project = project_copy([])
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos"))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", index_server)          # argos's own variable: a base URL
    runner = CliRunner()
    out = runner.invoke(main, ["--project", str(project), "models", "install-translation", "en", "es"])
    assert out.exit_code == 0, out.output
    assert f"Installed en->es (version 1.1) in {tmp_path / 'argos'}" in out.output
    listed = runner.invoke(main, ["--project", str(project), "models", "translation"])
    assert "en->es: argos (argos translate-en_es-test 1.1" in listed.output
    assert "en->fr: apertium via ca" in listed.output
    local = runner.invoke(main, ["--project", str(project), "models", "install-translation",
                                 "--project-models", "--file", str(argos_archives["translate-fr_en-test"])])
    assert local.exit_code == 0 and (project / "models" / "translate-fr_en-test" / "metadata.json").is_file()
    bare = runner.invoke(main, ["--project", str(project), "models", "install-translation"])
    assert bare.exit_code == 2 and "give FROM TO" in bare.output
