"""Mastering and transcription never leave audio in $TMPDIR: not after a clean run, not after a kill.

Their scratch files live inside the stage's own temporary folder under output/, which the next
run sweeps away; a session's worth of WAV in /tmp after every crash would fill a laptop's disk.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_project

SLUG = "demo-sonnet-reading"


def start(project: Path, tmpdir: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--project", str(project), "-q", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when(process: subprocess.Popen, appears, timeout: float = 120.0) -> Path:
    """SIGKILL the process as soon as `appears()` finds a path (its scratch work is under way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = appears()
        if found:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return found
        if process.poll() is not None:
            pytest.fail(f"finished before it could be killed: {process.stderr.read().decode()}")
        time.sleep(0.01)
    process.kill()
    pytest.fail("the scratch file never appeared")


def test_tmpdir_stays_empty_across_master_and_transcribe_even_when_killed(tmp_path):
    project = copy_project(tmp_path / "project", [SLUG])
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    work = project / "output" / "episodes" / SLUG

    def scratch(pattern: str):
        return lambda: next(iter(work.glob(pattern)), None) if work.is_dir() else None

    # killed while encoding the MP3s, then while the recording sits decoded for Whisper
    kill_when(start(project, tmpdir, "master"), scratch(".master.*.tmp/.podcast*.mp3.*.tmp"))
    assert list(tmpdir.iterdir()) == []
    kill_when(start(project, tmpdir, "transcribe"), scratch(".transcribe.*.tmp/.speech-16k.pcm.tmp"))
    assert list(tmpdir.iterdir()) == []
    assert list(work.glob(".*.tmp")), "the killed stages' folders are left for the sweep"

    for stage in ("master", "transcribe"):         # the next runs finish the job and sweep up
        done = start(project, tmpdir, stage)
        out, err = done.communicate(timeout=300)
        assert done.returncode == 0, err.decode()
    assert list(tmpdir.iterdir()) == []
    assert [p for p in work.rglob("*") if p.name.endswith(".tmp")] == []
    assert (work / "master" / "podcast.mp3").stat().st_size > 100_000
    assert (work / "transcribe" / "transcript.json").exists()
    assert sorted(p.name for p in (work / "transcribe").iterdir()) == [
        "transcript.json", "transcript.srt", "transcript.txt", "transcript.vtt"]
