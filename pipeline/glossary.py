"""The gender-equity glossary: glossary/*.csv (en, es, fr, kind, note, source)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .errors import LearningLabError

COLUMNS = ("en", "es", "fr", "kind", "note", "source")
KINDS = ("term", "keep", "avoid")


@dataclass(frozen=True)
class Entry:
    en: str
    es: str
    fr: str
    kind: str
    note: str = ""
    source: str = ""

    def term(self, lang: str) -> str:
        return getattr(self, lang)


def load_csv(path: Path) -> list[Entry]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LearningLabError(path, f"cannot read glossary ({exc})", fix="save it as UTF-8 CSV") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        raise LearningLabError(path, f"missing column {missing[0]!r}", field=missing[0],
                               fix=f"the header must be {','.join(COLUMNS)}")
    entries = []
    for n, row in enumerate(reader, start=2):
        kind = (row.get("kind") or "").strip()
        if kind not in KINDS:
            raise LearningLabError(f"{path}:{n}", f"unknown kind {kind!r}", field="kind",
                                   fix=f"use one of {', '.join(KINDS)}")
        entries.append(Entry(*((row.get(c) or "").strip() for c in COLUMNS)))
    return entries


def load_glossary(folder: Path) -> list[Entry]:
    entries: list[Entry] = []
    for path in sorted(Path(folder).glob("*.csv")):
        entries += load_csv(path)
    return entries


def glossary_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob("*.csv"))


def keep_names(entries: list[Entry]) -> list[str]:
    """Names never translated; Whisper gets them as hotwords so they are spelled right."""
    return sorted({e.en for e in entries if e.kind == "keep" and e.en})
