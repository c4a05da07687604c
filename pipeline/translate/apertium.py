"""Apertium (Debian packages): the offline rule-based fallback.

One Apertium pipeline per batch of segments, its generator run as a second phase (`phases`).
The segments are joined with blank lines, which Apertium's text deformatter treats as sentence
ends (it inserts a hidden period), so no rule reorders words across two segments; the output is
split back on the same blank lines. If the count ever differs, the batch is redone one segment
per call rather than misaligned.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import LearningLabError

log = logging.getLogger(__name__)

# Debian's pairs name their modes with 2- or 3-letter codes
MODES = {("en", "es"): "eng-spa", ("es", "en"): "spa-eng", ("es", "fr"): "es-fr", ("fr", "es"): "fr-es",
         ("en", "ca"): "eng-cat", ("ca", "en"): "cat-eng", ("fr", "ca"): "fra-cat", ("ca", "fr"): "cat-fra"}
# Measured with bench/apertium_pivot.py (chrF against human references): en->fr reads better
# through Catalan (63.0 vs 57.4), fr->en through Spanish (62.0 vs 54.0).
PIVOTS = {("en", "fr"): ("ca", "es"), ("fr", "en"): ("es", "ca")}
MODES_DIR = Path("/usr/share/apertium/modes")
INSTALL_FIX = ("install Apertium and its pairs: `apt-get install apertium apertium-eng-spa apertium-fr-es "
               "apertium-eng-cat apertium-fra-cat` (scripts/setup.sh does it)")
_PLACEHOLDER_GLUED_AFTER = re.compile(r"(XTERM\d+X)(?=[\w'’‐-])")
_PLACEHOLDER_GLUED_BEFORE = re.compile(r"(?<=[\w'’‐-])(XTERM\d+X)")
_LEADING_PLACEHOLDER = re.compile(r"^(XTERM\d+X[^\w\s]*\s+)(\w)(?=[^\W\d_]*[a-zß-ÿ])")


@cache
def available_modes() -> frozenset[str]:
    """The translation directions installed (empty when Apertium is not)."""
    if not shutil.which("apertium"):
        return frozenset()
    try:
        listing = subprocess.run(["apertium", "-l"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in listing.splitlines() if line.strip())


def mode_for(source: str, target: str) -> str | None:
    mode = MODES.get((source, target))
    return mode if mode and mode in available_modes() else None


def _normalise(text: str) -> str:
    """One line per segment: a blank line inside a segment would split it."""
    return " ".join(text.split())


def spaced(text: str) -> str:
    """The retry masking: a placeholder never touches a word, so no clitic can fuse with it."""
    return _PLACEHOLDER_GLUED_BEFORE.sub(r" \1", _PLACEHOLDER_GLUED_AFTER.sub(r"\1 ", text))


def mode_identity(mode: str) -> str:
    """The mode and a digest of the data files its mode file names: an upgraded pair reruns translate."""
    mode_file = MODES_DIR / f"{mode}.mode"
    if not mode_file.is_file():
        return f"apertium {mode}"
    h = hashlib.sha256(mode_file.read_bytes())
    for name in re.findall(r"'(/[^']+)'", mode_file.read_text(errors="replace")):
        data = Path(name)
        if data.is_file():
            stat = data.stat()
            h.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return f"apertium {mode} {h.hexdigest()[:12]}"


def _keep_case(source: str, output: str) -> str:
    """Apertium capitalises the first word it knows: after a leading placeholder ("XTERM0X fight"
    -> "XTERM0X Pelea") that is a new capital the source did not have; undo it."""
    before = _LEADING_PLACEHOLDER.match(source)
    if before and before.group(2).islower():
        return _LEADING_PLACEHOLDER.sub(lambda m: m.group(1) + m.group(2).lower(), output, count=1)
    return output


BATCH = 200                 # paragraphs per Apertium call
GENERATOR = "lt-proc $1 "   # the mode's step that writes the target's words: its largest by far


def phases(mode: str) -> list[str] | None:
    """The mode's pipeline cut before its generator, or None where it has none (run it whole).

    In one pipeline how many of the analysis steps were still alive while the generator loaded
    depended on how long the batch was: cat-fra's analysis steps hold 250 MB and its generator
    440 MB, so a 3-hour transcript peaked at 530-700 MB where a 20-minute one read 510
    (bench/bench_memory.py). One phase after the other, the peak is the larger phase, whatever the
    batch."""
    try:
        steps = (MODES_DIR / f"{mode}.mode").read_text(encoding="utf-8").strip().split(" | ")
    except OSError:
        return None
    cut = next((i for i, step in enumerate(steps) if i and step.startswith(GENERATOR)), None)
    return None if cut is None else [" | ".join(steps[:cut]), " | ".join(steps[cut:])]


def phase_commands(parts: list[str], folder: Path) -> list[list[str]]:
    """What `apertium -u MODE` runs, cut into phases: its text deformatter, each part written as a
    mode of `folder` and run through Apertium's own wrapper with no formatter (`-f none`), its
    reformatter."""
    (folder / "modes").mkdir(exist_ok=True)
    commands = [["apertium-destxt"]]
    for n, part in enumerate(parts):
        (folder / "modes" / f"phase{n}.mode").write_text(part + "\n", encoding="utf-8")
        commands.append(["apertium", "-f", "none", "-u", "-d", str(folder), f"phase{n}"])
    return [*commands, ["apertium-retxt"]]


@dataclass(frozen=True)
class _Pipeline:
    """The commands a text goes through, one after the other."""
    mode: str
    commands: list[list[str]]

    def run(self, text: str) -> str:
        for command in self.commands:
            text = self._step(command, text)
        return text

    def _step(self, command: list[str], text: str) -> str:
        try:
            done = subprocess.run(command, input=text, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise LearningLabError(None, f"Apertium {self.mode} could not run ({exc})",
                                   fix=INSTALL_FIX) from exc
        if done.returncode != 0:
            raise LearningLabError(None, f"Apertium {self.mode} failed: {done.stderr.strip()[:200]}",
                                   fix=INSTALL_FIX)
        return done.stdout


class ApertiumEngine:
    name = "apertium"

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.identity = mode_identity(mode)
        self.phases = phases(mode)

    @contextmanager
    def _pipeline(self) -> Iterator[_Pipeline]:
        """The pipeline for one call of the engine; a split mode's parts live in a temporary folder
        for as long as the call."""
        if self.phases is None:
            yield _Pipeline(self.mode, [["apertium", "-u", self.mode]])
            return
        with tempfile.TemporaryDirectory(prefix="learninglab-apertium-") as folder:
            yield _Pipeline(self.mode, phase_commands(self.phases, Path(folder)))

    def raw(self, text: str) -> str:
        """Apertium's own output for one text, untouched."""
        with self._pipeline() as pipeline:
            return pipeline.run(text)

    def translate(self, texts: list[str]) -> list[str]:
        """Paragraphs through Apertium BATCH at a time: a 3-hour session's sentences in a single call
        made its processes' memory grow with the session (bench/bench_memory.py)."""
        lines = [_normalise(t) for t in texts]
        todo = [i for i, line in enumerate(lines) if line]
        out = [""] * len(lines)
        if not todo:
            return out
        with self._pipeline() as pipeline:
            for k in range(0, len(todo), BATCH):
                batch = todo[k:k + BATCH]
                for i, part in zip(batch, self._batch(pipeline, [lines[i] for i in batch]), strict=True):
                    out[i] = _keep_case(lines[i], " ".join(part.split()))
        return out

    def _batch(self, pipeline: _Pipeline, lines: list[str]) -> list[str]:
        parts = [p.strip() for p in pipeline.run("\n\n".join(lines) + "\n").split("\n\n")]
        parts = [p for p in parts if p] if len(parts) != len(lines) else parts
        if len(parts) != len(lines):
            log.info("apertium %s: batch came back with %d parts for %d; translating one by one",
                     self.mode, len(parts), len(lines))
            parts = [pipeline.run(line + "\n").strip() for line in lines]
        return parts

    def retry(self, texts: list[str]) -> list[list[str]]:
        return [[t] for t in self.translate([spaced(t) for t in texts])]
