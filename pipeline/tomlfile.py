"""Reading TOML files with errors that name the file and the line."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .errors import LearningLabError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_toml(path: Path) -> dict:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise LearningLabError(path, "file not found", fix="create it or check --project") from exc
    except OSError as exc:
        raise LearningLabError(path, f"cannot read ({exc.strerror})") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LearningLabError(path, "not UTF-8 text", fix="save the file as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LearningLabError(path, f"malformed TOML: {exc}",
                               fix="fix the syntax (strings need quotes, tables [name])") from exc


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Fields:
    """Typed access to a TOML table; every problem names file and field."""

    def __init__(self, path: Path, data: dict, prefix: str = "") -> None:
        self.path = path
        self.data = data
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def error(self, key: str, message: str, fix: str | None = None) -> LearningLabError:
        return LearningLabError(self.path, message, field=self.name(key), fix=fix)

    def get(self, key: str, kind: type | tuple[type, ...], default=None, *, required: bool = False,
            fix: str | None = None):
        if key not in self.data:
            if required:
                raise self.error(key, "is missing", fix)
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and kind in (int, float):
            raise self.error(key, f"must be a {kind.__name__}, not a boolean", fix)
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(key, f"must be {names}, got {type(value).__name__} {value!r}", fix)
        return value

    def text(self, key: str, default: str | None = None, *, required: bool = False,
             fix: str | None = None) -> str | None:
        value = self.get(key, str, default, required=required, fix=fix)
        if required and isinstance(value, str) and not value.strip():
            raise self.error(key, "is empty", fix)
        if isinstance(value, str):
            self.printable(key, value)
        return value

    def strings(self, key: str) -> list[str]:
        """A list of text values (topics, key points, names to redact)."""
        values = self.get(key, list, [])
        if not all(isinstance(v, str) for v in values):
            raise self.error(key, "must be a list of strings", f'e.g. {key} = ["...", "..."]')
        for value in values:
            self.printable(key, value)
        return values

    def printable(self, key: str, value: str) -> None:
        """Control characters are valid TOML but not valid in a feed or a page."""
        bad = CONTROL.search(value)
        if bad:
            raise self.error(key, f"contains the control character U+{ord(bad.group()):04X}",
                             "remove it (often pasted from a word processor)")

    def table(self, key: str) -> Fields:
        value = self.get(key, dict, {})
        return Fields(self.path, value, f"{self.name(key)}.")

    def unknown(self, known: set[str]) -> None:
        extra = sorted(set(self.data) - known)
        if extra:
            raise self.error(extra[0], "is not a known field",
                             f"known fields: {', '.join(sorted(known))}")
