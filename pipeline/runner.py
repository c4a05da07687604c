"""Decide which stages must run, run them with failure isolation, and remember what was done.

A stage's key is a hash of its input files' bytes, its parameters and its own version.
When the key matches the one recorded after its last success and its output folder is
there, the stage is skipped. A stage builds its outputs in a temporary folder that is
swapped in only when it succeeds, so a crash never leaves half an output behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic
from .episode import EpisodeSpec
from .errors import LearningLabError
from .project import Project

log = logging.getLogger(__name__)

Progress = Callable[[float], None]   # called with seconds of audio processed so far in this stage


@dataclass(frozen=True)
class Context:
    """What a stage gets: the project, the episode, and where to read its upstream outputs."""
    project: Project
    spec: EpisodeSpec
    options: dict = field(default_factory=dict)   # command-line overrides (engine, sentences...)

    def stage_dir(self, stage: str) -> Path:
        return self.project.stage_dir(self.spec, stage)


@dataclass(frozen=True)
class Stage:
    name: str
    version: int
    description: str
    inputs: Callable[[Context], Sequence[Path]]          # files whose bytes decide the key
    params: Callable[[Context], dict]                    # settings that decide the key
    run: Callable[[Context, Path, Progress], list[str] | None]   # writes outputs into the given folder;
    # returns notes to show the user (e.g. speech left untranscribed), kept with the stage's state


@dataclass(frozen=True)
class StageResult:
    slug: str
    stage: str
    status: str          # ran, skipped, failed, blocked
    error: str | None = None
    seconds: float = 0.0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageState:
    status: str          # done, stale, failed, pending, blocked
    detail: str = ""
    notes: tuple[str, ...] = ()


_hash_cache: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    stat = path.stat()
    cache_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if cache_key not in _hash_cache:
        h = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                h.update(block)
        _hash_cache[cache_key] = h.hexdigest()
    return _hash_cache[cache_key]


def stage_key(stage: Stage, ctx: Context) -> str:
    h = hashlib.sha256()
    h.update(f"{stage.name}:{stage.version}\n".encode())
    h.update(json.dumps(stage.params(ctx), sort_keys=True, default=str).encode())
    for path in stage.inputs(ctx):
        path = Path(path)
        if not path.is_file():
            raise LearningLabError(path, f"input of stage {stage.name} is missing",
                                   fix="run the earlier stages first (`learninglab run`)")
        h.update(f"\n{path.name}:{file_digest(path)}".encode())
    return h.hexdigest()


def state_path(ctx: Context, stage: Stage) -> Path:
    return ctx.project.workdir(ctx.spec) / ".state" / f"{stage.name}.json"


def read_state(ctx: Context, stage: Stage) -> dict:
    try:
        return json.loads(state_path(ctx, stage).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(ctx: Context, stage: Stage, **data) -> None:
    data["at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    atomic.write_text(state_path(ctx, stage), json.dumps(data, indent=1) + "\n")


def is_current(stage: Stage, ctx: Context, key: str) -> bool:
    state = read_state(ctx, stage)
    return state.get("status") == "done" and state.get("key") == key and ctx.stage_dir(stage.name).is_dir()


def run_stage(stage: Stage, ctx: Context, progress: Progress, force: bool = False) -> StageResult:
    slug = ctx.spec.slug
    try:
        key = stage_key(stage, ctx)
    except LearningLabError as exc:      # an input is missing or unreadable (e.g. a broken glossary)
        return StageResult(slug, stage.name, "failed", exc.line())
    if not force and is_current(stage, ctx, key):
        log.debug("%s: %s is up to date", slug, stage.name)
        return StageResult(slug, stage.name, "skipped")
    log.info("%s: %s", slug, stage.description)
    started = dt.datetime.now()
    try:
        with atomic.atomic_dir(ctx.stage_dir(stage.name)) as tmp:
            notes = tuple(stage.run(ctx, tmp, progress) or ())
        seconds = (dt.datetime.now() - started).total_seconds()
        _write_state(ctx, stage, status="done", key=key, seconds=round(seconds, 2), notes=list(notes))
        return StageResult(slug, stage.name, "ran", seconds=seconds, notes=notes)
    except LearningLabError as exc:
        line = exc.line()
    except OSError as exc:         # disk full, read-only output: say so, never a traceback
        line = os_error_line(exc, ctx.stage_dir(stage.name))
    except Exception as exc:  # an engine bug must not stop the other episodes
        log.debug("%s", traceback.format_exc())
        line = f"{stage.name} failed unexpectedly: {type(exc).__name__}: {exc} (rerun with -v for details)"
    try:
        _write_state(ctx, stage, status="failed", key=key, error=line)
    except OSError:
        pass                       # the same full or read-only disk; the error line says it all
    return StageResult(slug, stage.name, "failed", line)


def os_error_line(exc: OSError, where: Path | str | None = None) -> str:
    import errno
    where = exc.filename or where or ""
    if exc.errno == errno.ENOSPC:
        return f"{where}: disk full — free some space and rerun; finished work is kept"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{where}: cannot write ({exc.strerror}) — make the output folder writable and rerun"
    return f"{where}: {exc.strerror or exc}"


def stage_states(stages: Sequence[Stage], ctx: Context) -> list[tuple[str, StageState]]:
    """What `learninglab status` shows: done, stale, failed or pending, without running anything."""
    out = []
    upstream_ok = True
    for stage in stages:
        state = read_state(ctx, stage)
        if not upstream_ok:
            status = "stale" if state else "blocked"
            out.append((stage.name, StageState(status, "earlier stage not done")))
            continue
        try:
            key = stage_key(stage, ctx)
        except LearningLabError as exc:
            out.append((stage.name, StageState("pending", exc.message)))
            upstream_ok = False
            continue
        if state.get("status") == "failed" and state.get("key") == key:
            out.append((stage.name, StageState("failed", state.get("error", ""))))
            upstream_ok = False
        elif is_current(stage, ctx, key):
            out.append((stage.name, StageState("done", state.get("at", ""), tuple(state.get("notes", ())))))
        elif state:
            out.append((stage.name, StageState("stale", "inputs or settings changed")))
            upstream_ok = False
        else:
            out.append((stage.name, StageState("pending", "never run")))
            upstream_ok = False
    return out
