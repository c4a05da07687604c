"""What every translation engine offers, and the pivot that chains two of them.

An engine translates a whole batch in one go (one CTranslate2 call, one Apertium process) and,
for the few texts whose glossary placeholders did not survive, offers other candidates: argos its
n-best hypotheses, Apertium a differently spaced masking. Glossary enforcement (enforce.py) wraps
any engine; no engine knows about the glossary.
"""

from __future__ import annotations

from typing import Protocol


class Engine(Protocol):
    name: str           # recorded in outputs: "argos", "apertium", "apertium via ca"
    identity: str       # what decides the translate stage's key: package versions, pair data

    def translate(self, texts: list[str]) -> list[str]: ...

    def retry(self, texts: list[str]) -> list[list[str]]:
        """Other candidate translations per text, best first."""
        ...


class PivotEngine:
    """source -> via -> target, for pairs no single package or Apertium pair covers."""

    def __init__(self, first: Engine, second: Engine, name: str) -> None:
        self.first, self.second, self.name = first, second, name
        self.identity = f"{first.identity} | {second.identity}"
        self._middle: dict[str, str] = {}       # last batch's text in the pivot language, for retry

    def translate(self, texts: list[str]) -> list[str]:
        middle = self.first.translate(texts)
        self._middle = dict(zip(texts, middle, strict=True))
        return self.second.translate(middle)

    def retry(self, texts: list[str]) -> list[list[str]]:
        """The first leg's candidates and its first answer, each retried by the second leg: two calls."""
        options = [[*alternatives, self._middle.get(text, alternatives[0] if alternatives else text)]
                   for text, alternatives in zip(texts, self.first.retry(texts), strict=True)]
        finished = iter(self.second.retry([o for opts in options for o in opts]))
        return [[c for _ in opts for c in next(finished)] for opts in options]
