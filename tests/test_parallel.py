"""`learninglab run -j N`: episodes in parallel processes, failures isolated, a final table."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import SPEECH, copy_project
from tests.test_run_and_bad_input import GOOD, add_episode


def test_parallel_run_isolates_failures_and_reports_a_table(tmp_path):
    project = copy_project(tmp_path / "project", episodes=[])
    add_episode(project, "ask-not", GOOD, {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"})
    add_episode(project, "quilter", GOOD.replace("jfk.wav", "q.wav"),
                {"q.wav": SPEECH / "en_picovoice_quilter.wav"})
    add_episode(project, "broken", GOOD.replace("jfk.wav", "b.mp3"), {"b.mp3": b"not audio" * 100})
    out = subprocess.run([sys.executable, "-m", "pipeline", "--project", str(project), "run", "-j", "2"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    table = out.stdout.splitlines()
    assert any(line.startswith("ask-not") and "transcribe: ran" in line for line in table)
    assert any(line.startswith("quilter") and "transcribe: ran" in line for line in table)
    assert any(line.startswith("broken") and "master: FAILED" in line for line in table)
    assert "b.mp3" in out.stderr and "1 episode(s) failed" in out.stderr
    for slug in ("ask-not", "quilter"):
        assert (project / "output" / "episodes" / slug / "transcribe" / "transcript.vtt").stat().st_size > 0
