"""Click conventions: --help on every command, --version, and a start-up with no heavy imports."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from pipeline import __version__
from pipeline.cli import main

HEAVY = ("faster_whisper", "ctranslate2", "torch", "whisper", "feedgen", "av", "numpy", "scipy")


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


def test_every_command_has_help():
    runner = CliRunner()
    commands = list(all_commands(main))
    assert {"run", "master", "transcribe", "status", "new", "models"} <= {c[0] for c in commands}
    for path in [(), *commands]:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_imports_nothing_heavy():
    code = ("import sys; from pipeline.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_outside_a_project_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "status"])
    assert result.exit_code == 1
    assert "learninglab.toml" in result.output and "--project" in result.output
