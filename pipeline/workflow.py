"""A whole run: discover episodes, run their stages with failure isolation, then publish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .episode import EpisodeSpec
from .errors import LearningLabError
from .project import Project
from .runner import Context, StageResult, StageState, run_episode, stage_states


@dataclass(frozen=True)
class RunReport:
    results: tuple[StageResult, ...]
    spec_errors: tuple[LearningLabError, ...] = ()
    episodes: tuple[str, ...] = field(default=())

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
        known = {e.slug for e in episodes}
        for slug in slugs:
            if slug not in known and not any(slug in (err.file or "") for err in errors):
                errors.append(LearningLabError(project.root / "episodes" / slug, f"no episode {slug!r}",
                                               fix="`learninglab status` lists the episodes"))
        episodes = [e for e in episodes if e.slug in slugs]
        errors = [err for err in errors if any(s in (err.file or "") for s in slugs)
                  or "no episode" in err.message]
    return episodes, errors


def run_pipeline(project: Project, stage_names: Sequence[str] | None = None, slugs: Sequence[str] = (),
                 force: bool = False, options: dict | None = None, show_progress: bool = False) -> RunReport:
    from .reporting import AudioProgress
    from .stages import STAGES

    stages = [s for s in STAGES if stage_names is None or s.name in stage_names]
    episodes, errors = select(project, slugs)
    durations = {e.slug: probe_duration(e) for e in episodes}
    bar = AudioProgress(sum(durations.values()) * len(stages), show_progress)
    results: list[StageResult] = []
    done = 0.0
    try:
        for spec in episodes:
            ctx = Context(project, spec, {k: v for k, v in (options or {}).items() if v is not None})
            for stage in stages:
                bar.start(f"{spec.slug}: {stage.name}", done)
                results += run_episode([stage], ctx, bar, force)
                done += durations[spec.slug]
                if results[-1].status in ("failed", "blocked"):
                    done += durations[spec.slug] * (len(stages) - stages.index(stage) - 1)
                    break
    finally:
        bar.close()
    return RunReport(tuple(results), tuple(errors), tuple(e.slug for e in episodes))


def project_status(project: Project) -> tuple[list[tuple[str, list[tuple[str, StageState]]]],
                                              list[LearningLabError]]:
    from .stages import STAGES

    found = project.episodes()
    rows = [(spec.slug, stage_states(STAGES, Context(project, spec))) for spec in found.episodes]
    return rows, list(found.errors)
