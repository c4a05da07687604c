"""One error type that always says which file, which field, and how to fix it."""

from __future__ import annotations

from pathlib import Path


class LearningLabError(Exception):
    """A user-facing problem: rendered as one line, never as a traceback."""

    def __init__(self, file: Path | str | None, message: str, *, field: str | None = None,
                 fix: str | None = None) -> None:
        self.file = str(file) if file is not None else None
        self.field = field
        self.message = message
        self.fix = fix
        super().__init__(self.line())

    def line(self) -> str:
        where = self.file or ""
        if self.field:
            where = f"{where}: field '{self.field}'" if where else f"field '{self.field}'"
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text += f" — {self.fix}"
        return text
