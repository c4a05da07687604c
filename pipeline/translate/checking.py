"""`learninglab glossary check`: the compliance reports the translate stage wrote, per episode and
language, and whether they are still current (a glossary edit makes them stale)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import LearningLabError
from ..project import Project
from .report import REPORT_NAME, describe


@dataclass(frozen=True)
class EpisodeCheck:
    slug: str
    state: str                      # current, stale, missing
    reports: tuple[dict, ...]

    @property
    def problems(self) -> int:
        """Flagged segments plus avoid wording the translation introduced."""
        return sum(r["summary"]["flagged"] + r["summary"]["avoid_in_output"] for r in self.reports)

    def lines(self) -> list[str]:
        head = {"current": "",
                "stale": " (stale: the glossary, transcript or engines changed; "
                         "rerun `learninglab translate`)",
                "missing": " (not translated yet: run `learninglab translate`)"}
        out = [f"{self.slug}{head[self.state]}"]
        for report in self.reports:
            out += ["  " + line for line in describe(report)]
        return out


def _state(project: Project, spec) -> str:
    from ..runner import Context, is_current, stage_key
    from .stage import TRANSLATE

    ctx = Context(project, spec)
    try:
        return "current" if is_current(TRANSLATE, ctx, stage_key(TRANSLATE, ctx)) else "stale"
    except LearningLabError:
        return "stale"


def check_episodes(project: Project, slugs: Sequence[str] = ()) -> tuple[list[EpisodeCheck], list]:
    from ..workflow import select

    specs, errors = select(project, slugs)
    checks = []
    for spec in specs:
        folder = project.stage_dir(spec, "translate")
        reports = []
        for lang in project.show.languages:
            path = folder / lang / REPORT_NAME
            if path.is_file():
                try:
                    reports.append(json.loads(path.read_text(encoding="utf-8")))
                except ValueError as exc:
                    raise LearningLabError(path, f"unreadable report ({exc})",
                                           fix="rerun `learninglab translate --force`") from exc
        state = _state(project, spec) if reports else "missing"
        checks.append(EpisodeCheck(spec.slug, state, tuple(reports)))
    return checks, errors
