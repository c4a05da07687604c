"""A whole run: discover episodes, run their stages with failure isolation, then publish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import atomic
from .episode import EpisodeSpec
from .errors import LearningLabError
from .project import Project
from .runner import Context, StageResult, StageState, run_stage, stage_states

if TYPE_CHECKING:
    from .publish.site import PublishReport


@dataclass(frozen=True)
class RunReport:
    results: tuple[StageResult, ...]
    spec_errors: tuple[LearningLabError, ...] = ()
    episodes: tuple[str, ...] = field(default=())
    publish: PublishReport | None = None       # set when the run included every stage
    publish_error: str | None = None           # publishing itself failed (e.g. bad artwork)

    @property
    def failed_slugs(self) -> set[str]:
        return {r.slug for r in self.results if r.status in ("failed", "blocked")}

    @property
    def failed(self) -> int:
        return len(self.failed_slugs) + len(self.spec_errors)

    @property
    def succeeded(self) -> int:
        return len(set(self.episodes) - self.failed_slugs)


def probe_duration(spec: EpisodeSpec) -> float:
    """The recording's length from its header (no decoding), for the progress bar."""
    try:
        import av
        with av.open(str(spec.recording)) as container:
            return (container.duration or 0) / 1_000_000
    except Exception:
        return 0.0


def select(project: Project, slugs: Sequence[str]) -> tuple[list[EpisodeSpec], list[LearningLabError]]:
    found = project.episodes()
    episodes, errors = list(found.episodes), list(found.errors)
    if slugs:
        def folder_of(err: LearningLabError) -> str | None:
            """The episode folder an error is about (episodes/<folder>/...), if any."""
            parts = Path(err.file or "").parts
            base = (project.root / "episodes").parts
            return parts[len(base)] if parts[:len(base)] == base and len(parts) > len(base) else None

        known = {e.slug for e in episodes} | {folder_of(err) for err in errors}
        missing = [LearningLabError(project.root / "episodes" / slug, f"no episode {slug!r}",
                                    fix="`learninglab status` lists the episodes")
                   for slug in slugs if slug not in known]
        episodes = [e for e in episodes if e.slug in slugs]
        errors = [err for err in errors if folder_of(err) in slugs] + missing
    return episodes, errors


def _episode_stages(stages, ctx: Context, force: bool, progress) -> list[StageResult]:
    """All stages of one episode; after a failure the rest are reported as blocked."""
    results: list[StageResult] = []
    atomic.sweep(ctx.project.workdir(ctx.spec))   # leftovers of a run that was killed midway
    for i, stage in enumerate(stages):
        progress.start(stage.name, i)
        results.append(run_stage(stage, ctx, progress, force))
        if results[-1].status in ("failed", "blocked"):
            results += [StageResult(ctx.spec.slug, s.name, "blocked", f"{stage.name} failed")
                        for s in stages[i + 1:]]
            break
    return results


class _SerialProgress:
    """Adapts the one shared bar: each (episode, stage) owns a slice of `duration` seconds."""

    def __init__(self, bar, slug: str, duration: float, offset: float) -> None:
        self.bar, self.slug, self.duration, self.offset = bar, slug, duration, offset

    def start(self, stage: str, index: int) -> None:
        self.bar.start(f"{self.slug}: {stage}", self.offset + index * self.duration)

    def __call__(self, seconds: float) -> None:
        self.bar(min(seconds, self.duration))


class _QueueProgress:
    """In a worker process: progress goes to the parent as (slug, stage, seconds) messages."""

    def __init__(self, queue, slug: str) -> None:
        self.queue, self.slug, self.stage = queue, slug, ""

    def start(self, stage: str, index: int) -> None:
        self.stage = stage
        self.queue.put((self.slug, stage, 0.0))

    def __call__(self, seconds: float) -> None:
        self.queue.put((self.slug, self.stage, seconds))


def _worker(project: Project, spec: EpisodeSpec, stage_names: list[str], force: bool, options: dict,
            queue) -> list[StageResult]:
    from .stages import STAGES

    stages = [s for s in STAGES if s.name in stage_names]
    return _episode_stages(stages, Context(project, spec, options), force, _QueueProgress(queue, spec.slug))


def _run_parallel(project: Project, episodes: list[EpisodeSpec], stage_names: list[str], force: bool,
                  options: dict, jobs: int, durations: dict[str, float], show_progress: bool
                  ) -> list[StageResult]:
    """Episodes in separate processes, one progress line each."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from .reporting import EpisodeLines

    context = multiprocessing.get_context("spawn")   # no forked model state between workers
    manager = context.Manager()
    queue = manager.Queue()
    lines = EpisodeLines([e.slug for e in episodes], durations, show_progress)

    def pump() -> None:
        while (item := queue.get()) is not None:
            lines.update(*item)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    results: list[StageResult] = []
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(_worker, project, spec, stage_names, force, options, queue): spec
                       for spec in episodes}
            for future, spec in futures.items():
                try:
                    episode_results = future.result()
                except Exception as exc:   # a worker that died (out of memory, killed)
                    episode_results = [StageResult(spec.slug, stage_names[0], "failed",
                                                   f"worker process died: {type(exc).__name__}: {exc}")]
                lines.finish(spec.slug, all(r.status in ("ran", "skipped") for r in episode_results))
                results += episode_results
    finally:
        queue.put(None)
        reader.join(timeout=5)
        lines.close()
        manager.shutdown()
    return results


def run_pipeline(project: Project, stage_names: Sequence[str] | None = None, slugs: Sequence[str] = (),
                 force: bool = False, options: dict | None = None, show_progress: bool = False,
                 jobs: int = 1) -> RunReport:
    from .reporting import AudioProgress
    from .stages import STAGES

    stages = [s for s in STAGES if stage_names is None or s.name in stage_names]
    episodes, errors = select(project, slugs)
    episodes = [e for e in episodes if e.status != "withdrawn"]   # never processed again (pipeline.consent)
    options = {k: v for k, v in (options or {}).items() if v is not None}
    durations = {e.slug: probe_duration(e) for e in episodes}
    results: list[StageResult] = []
    if jobs > 1 and len(episodes) > 1:
        results = _run_parallel(project, episodes, [s.name for s in stages], force, options,
                                min(jobs, len(episodes)), durations, show_progress)
    else:
        bar = AudioProgress(sum(durations.values()) * len(stages), show_progress)
        offset = 0.0
        try:
            for spec in episodes:
                progress = _SerialProgress(bar, spec.slug, durations[spec.slug], offset)
                results += _episode_stages(stages, Context(project, spec, options), force, progress)
                offset += durations[spec.slug] * len(stages)
        finally:
            bar.close()
    report = RunReport(tuple(results), tuple(errors), tuple(e.slug for e in episodes))
    if stage_names is None:
        return publish_after_run(project, report)
    return report


def publish_after_run(project: Project, report: RunReport) -> RunReport:
    """The project-level publish step: episodes whose stages all succeeded in this run are
    (re)published; a failed one keeps what was published before."""
    from dataclasses import replace

    from .publish.site import publish, ready_slugs

    ready = set(report.episodes) - report.failed_slugs
    untouched = [s for s in project.episodes().episodes if s.slug not in report.episodes]
    try:
        ready |= ready_slugs(project, untouched)      # `run SLUG` publishes the others' finished work too
        return replace(report, publish=publish(project, ready))
    except LearningLabError as exc:
        return replace(report, publish_error=exc.line())
    except OSError as exc:
        from .runner import os_error_line
        return replace(report, publish_error=os_error_line(exc))


def project_status(project: Project) -> tuple[list[tuple[str, list[tuple[str, StageState]]]],
                                              list[LearningLabError]]:
    from .stages import STAGES

    found = project.episodes()
    rows = [(spec.slug, stage_states(STAGES, Context(project, spec))) for spec in found.episodes]
    return rows, list(found.errors)
