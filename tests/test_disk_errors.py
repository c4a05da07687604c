"""A full disk and a read-only output folder: one clear line, no traceback, nothing half-written.

The output folder is a real tiny or read-only tmpfs, mounted in a private mount namespace
(`unshare`, from util-linux), so the errors come from the kernel, not from a fake.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import SPEECH, copy_project
from tests.test_run_and_bad_input import GOOD, add_episode


def run_in_mounted_output(project: Path, mount: str) -> subprocess.CompletedProcess:
    script = f'mount -t tmpfs -o {mount} tmpfs "$1/output" && exec "$2" -m pipeline --project "$1" run'

    return subprocess.run(["unshare", "-Urm", "sh", "-c", script, "sh", str(project), sys.executable],
                          capture_output=True, text=True, timeout=300)


def project_with_one_episode(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "project", episodes=[])
    add_episode(project, "ask-not", GOOD, {"jfk.wav": SPEECH / "en_jfk_ask_not.wav"})
    (project / "output").mkdir()
    return project


def test_full_disk_gives_a_clear_error(tmp_path):
    project = project_with_one_episode(tmp_path)
    out = run_in_mounted_output(project, "size=48k")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "disk full — free some space and rerun" in out.stderr


def test_read_only_output_gives_a_clear_error(tmp_path):
    project = project_with_one_episode(tmp_path)
    out = run_in_mounted_output(project, "ro")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "Read-only file system" in out.stderr and "make the output folder writable" in out.stderr
