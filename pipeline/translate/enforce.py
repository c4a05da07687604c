"""Translate a batch with the glossary enforced, whatever the engine.

mask -> translate the whole batch -> check every placeholder came back -> for the few that did
not, try the engine's other candidates -> if still lost, translate the plain text and flag the
segment, so a wrong term is never published silently. The result says, per text, which terms
were enforced and which texts were flagged; report.py turns that into the compliance report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .base import Engine
from .masking import Masked, intact, mask, unmask
from .matching import TermMatcher


@dataclass(frozen=True)
class Outcome:
    text: str
    masked: Masked
    enforced: bool          # every term with a target form is in the output as the glossary gives it
    retried: bool = False


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[Outcome, ...]
    engine: str

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(o.text for o in self.outcomes)

    @property
    def flagged(self) -> tuple[int, ...]:
        return tuple(i for i, o in enumerate(self.outcomes) if not o.enforced)


def translate_enforced(texts: Sequence[str], target: str, matcher: TermMatcher,
                       engine: Engine) -> BatchResult:
    masked = [mask(t, matcher, target) for t in texts]
    first = engine.translate([m.text for m in masked])
    chosen: list[str | None] = [out if intact(m, out) else None for m, out in zip(masked, first, strict=True)]
    retried = set()

    lost = [i for i, c in enumerate(chosen) if c is None]
    if lost:
        candidates = engine.retry([masked[i].text for i in lost])
        for i, options in zip(lost, candidates, strict=True):
            retried.add(i)
            chosen[i] = next((c for c in options if intact(masked[i], c)), None)

    still = [i for i, c in enumerate(chosen) if c is None]
    plain = dict(zip(still, engine.translate([texts[i] for i in still]), strict=True)) if still else {}
    outcomes = []
    for i, m in enumerate(masked):
        if chosen[i] is None:
            outcomes.append(Outcome(plain[i], m, enforced=False, retried=True))
        else:
            outcomes.append(Outcome(unmask(chosen[i], m, target), m, enforced=True, retried=i in retried))
    return BatchResult(tuple(outcomes), engine.name)
