"""Progress and result tables for the terminal; the CLI calls these, the stages never print."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from .runner import StageResult

DISPLAY_ROOT: Path | None = None    # paths under the project are shown relative to it

SYMBOL = {"ran": "ran", "skipped": "up to date", "failed": "FAILED", "blocked": "blocked"}


class AudioProgress:
    """One bar in seconds of audio: every stage of every episode advances it."""

    def __init__(self, total: float, enabled: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=round(total, 1), unit="s audio", disable=not enabled, leave=False,
                        dynamic_ncols=True, bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s audio "
                        "[{elapsed}<{remaining}]")
        self.base = 0.0

    def start(self, label: str, base: float) -> None:
        self.base = base
        self.bar.set_description_str(label)
        self._set(base)

    def _set(self, value: float) -> None:
        self.bar.n = round(min(value, self.bar.total or value), 1)
        self.bar.refresh()

    def __call__(self, seconds: float) -> None:
        self._set(self.base + seconds)

    def close(self) -> None:
        self.bar.close()


class EpisodeLines:
    """Parallel runs: one progress line per episode, in seconds of audio of its current stage."""

    def __init__(self, slugs: list[str], durations: dict[str, float], enabled: bool) -> None:
        from tqdm import tqdm

        width = max(len(s) for s in slugs)
        self.enabled = enabled
        self.bars = {slug: tqdm(total=round(durations[slug], 1) or None, position=i, leave=True,
                                disable=not enabled, dynamic_ncols=True,
                                bar_format="{desc}{bar}| {n:.0f}/{total:.0f} s audio",
                                desc=f"{slug:<{width}} waiting    ")
                     for i, slug in enumerate(slugs)}
        self.width = width

    def update(self, slug: str, stage: str, seconds: float) -> None:
        bar = self.bars[slug]
        bar.set_description_str(f"{slug:<{self.width}} {stage:<10} ")
        bar.n = round(min(seconds, bar.total or seconds), 1)
        bar.refresh()

    def finish(self, slug: str, ok: bool) -> None:
        bar = self.bars[slug]
        bar.set_description_str(f"{slug:<{self.width}} {'done' if ok else 'FAILED':<10} ")
        bar.n = bar.total or 0
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def summary_table(results: Sequence[StageResult]) -> Iterable[str]:
    by_slug: dict[str, list[StageResult]] = {}
    for r in results:
        by_slug.setdefault(r.slug, []).append(r)
    width = max((len(s) for s in by_slug), default=4)
    for slug, items in by_slug.items():
        cells = "  ".join(f"{r.stage}: {SYMBOL[r.status]}" for r in items)
        yield f"{slug:<{width}}  {cells}"


def relative(line: str) -> str:
    if DISPLAY_ROOT is not None:
        line = line.replace(f"{DISPLAY_ROOT}/", "")
    return line


def echo_error(line: str) -> None:
    click.secho(f"error: {relative(line)}", fg="red", err=True)
