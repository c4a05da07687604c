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
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LearningLabError(path, "not UTF-8 text", fix="save the file as UTF-8") from exc
    text = text.removeprefix("\ufeff")     # a byte-order mark, as some Windows editors write
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise explain(path, text, exc) from exc


_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$")
_DATE_LIKE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def _iso(year: int, month: int, day: int) -> str | None:
    import datetime as dt
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def as_iso_date(text: str) -> str | None:
    """A date written as 2026-04-14 or 14/04/2026 (day first unless that cannot be), as 2026-04-14."""
    if found := _DATE_LIKE.match(text):
        return _iso(*(int(g) for g in found.groups()))
    if found := _DAY_FIRST.match(text):
        first, second, year = (int(g) for g in found.groups())
        day, month = (second, first) if second > 12 >= first else (first, second)
        return _iso(year, month, day)
    return None


def explain(path: Path, text: str, exc: Exception) -> LearningLabError:
    """A TOML syntax error as a line a person can act on: the field, what is wrong, the fix."""
    where = _AT.search(str(exc))
    lines = text.splitlines()
    line_no = int(where.group(1)) if where else 0
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    assign = _ASSIGN.match(line)
    if assign:
        key, value = assign.group(1), assign.group(2)
        if value[:1] in "\"'" and value.count(value[0]) == 1:
            return LearningLabError(path, f"line {line_no}: the text {value} has no closing quote", field=key,
                                    fix=f"end it with {value[0]} on the same line (or use triple quotes for "
                                        "several lines)")
        date = _DATE_LIKE.match(value)
        if date:
            return LearningLabError(path, f"{value} is not a calendar date", field=key,
                                    fix="write year-month-day, e.g. date = 2026-04-14 (no quotes)")
        if _DAY_FIRST.match(value):
            iso = as_iso_date(value)
            fix = f"write it as year-month-day: {key} = {iso} (no quotes)" if iso else \
                "write it as year-month-day, e.g. date = 2026-04-14 (no quotes)"
            return LearningLabError(path, f"{value} is not a date TOML can read", field=key, fix=fix)
        if value and value[0] not in "\"'[{" and not re.match(r"^[-+]?[0-9]|^(true|false)$", value):
            return LearningLabError(path, f"line {line_no}: {value} is not a value", field=key,
                                    fix=f'text needs quotes: {key} = "{value}"')
    message = _AT.sub("", str(exc)).strip()
    return LearningLabError(path, f"line {line_no}: malformed TOML ({message})" if line_no else
                            f"malformed TOML ({message})",
                            fix="fix the syntax (text needs quotes, tables are written [name])")


# Control characters and the code points XML 1.0 forbids (U+FFFE, U+FFFF, lone surrogates): valid TOML,
# but no feed or page can carry them (lxml refuses them outright).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters a feed or a page cannot carry (for text from transcripts or engines)."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


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
            raise self.error(key, f"contains the character U+{ord(bad.group()):04X}, which feeds and pages "
                             "cannot carry", "remove it (often pasted from a word processor)")

    def table(self, key: str) -> Fields:
        value = self.get(key, dict, {})
        return Fields(self.path, value, f"{self.name(key)}.")

    def unknown(self, known: set[str]) -> None:
        extra = sorted(set(self.data) - known)
        if extra:
            raise self.error(extra[0], "is not a known field",
                             f"known fields: {', '.join(sorted(known))}")
