"""Progress and result tables for the terminal; the CLI calls these, the stages never print."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click

from .runner import StageResult

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


def summary_table(results: Sequence[StageResult]) -> Iterable[str]:
    by_slug: dict[str, list[StageResult]] = {}
    for r in results:
        by_slug.setdefault(r.slug, []).append(r)
    width = max((len(s) for s in by_slug), default=4)
    for slug, items in by_slug.items():
        cells = "  ".join(f"{r.stage}: {SYMBOL[r.status]}" for r in items)
        yield f"{slug:<{width}}  {cells}"


def echo_error(line: str) -> None:
    click.secho(f"error: {line}", fg="red", err=True)
