"""The gender-equity glossary: its entries and its two file formats, CSV and TBX (ISO 30042).

CSV columns: en, es, fr, kind, note, source. `kind` is `term` (enforced in translations),
`keep` (a name never translated) or `avoid` (wording to flag). A cell counts as verified only
when `source` cites where that form was seen; cells without a citation are listed at the start
of the note as ``unverified: es, fr`` (see glossary/SOURCES.md), so reviewers know which forms
still need a second look. Matching and enforcement live in pipeline/translate/.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from . import LANGUAGES
from .errors import LearningLabError

COLUMNS = ("en", "es", "fr", "kind", "note", "source")
KINDS = ("term", "keep", "avoid")
_UNVERIFIED = re.compile(r"^\s*unverified:\s*([a-z]{2}(?:\s*,\s*[a-z]{2})*)\s*(?:;\s*|$)")


@dataclass(frozen=True)
class Entry:
    en: str
    es: str
    fr: str
    kind: str
    note: str = ""
    source: str = ""

    def term(self, lang: str) -> str:
        """The form in `lang`; a name (kind keep) with an empty cell stays as in English."""
        form = getattr(self, lang)
        return form or (self.en if self.kind == "keep" else "")

    @property
    def unverified(self) -> tuple[str, ...]:
        """Languages whose cell has no cited source (from the note's ``unverified:`` clause)."""
        found = _UNVERIFIED.match(self.note)
        return tuple(code.strip() for code in found.group(1).split(",")) if found else ()

    @property
    def remark(self) -> str:
        """The note without its ``unverified:`` clause."""
        return _UNVERIFIED.sub("", self.note, count=1).strip()


def with_unverified(note: str, languages: tuple[str, ...]) -> str:
    """A note carrying the ``unverified:`` clause for `languages` (none: the plain remark)."""
    remark = _UNVERIFIED.sub("", note, count=1).strip()
    if not languages:
        return remark
    clause = "unverified: " + ", ".join(lang for lang in LANGUAGES if lang in languages)
    return f"{clause}; {remark}" if remark else clause


def _check_entry(entry: Entry, where: str) -> None:
    if entry.kind not in KINDS:
        raise LearningLabError(where, f"unknown kind {entry.kind!r}", field="kind",
                               fix=f"use one of {', '.join(KINDS)}")
    if not any(getattr(entry, lang) for lang in LANGUAGES):
        raise LearningLabError(where, "the entry has no form in any language", field="en",
                               fix="fill in at least one of en, es, fr (or delete the line)")
    for code in entry.unverified:
        if code not in LANGUAGES:
            raise LearningLabError(where, f"unknown language {code!r} in the unverified list", field="note",
                                   fix="write e.g. 'unverified: es, fr' at the start of the note")


def parse_csv(text: str, path: Path | str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        raise LearningLabError(path, f"missing column {missing[0]!r}", field=missing[0],
                               fix=f"the header must be {','.join(COLUMNS)}")
    entries = []
    for row in reader:
        entry = Entry(*((row.get(c) or "").strip() for c in COLUMNS))
        _check_entry(entry, f"{path}:{reader.line_num}")
        entries.append(entry)
    return entries


def load_csv(path: Path) -> list[Entry]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LearningLabError(path, f"cannot read glossary ({exc})", fix="save it as UTF-8 CSV") from exc
    return parse_csv(text, path)


def to_csv(entries: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow([e.en, e.es, e.fr, e.kind, e.note, e.source])
    return out.getvalue()


def load_glossary(folder: Path) -> list[Entry]:
    from .paths import inside

    entries: list[Entry] = []
    for path in glossary_files(folder):
        if not inside(path, Path(folder).parent):
            raise LearningLabError(path, "is a link to a file outside the project",
                                   fix="copy the glossary file itself into glossary/")
        entries += load_csv(path)
    return entries


def glossary_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob("*.csv"))


def keep_names(entries: list[Entry]) -> list[str]:
    """Names never translated; Whisper gets them as hotwords so they are spelled right."""
    return sorted({e.en for e in entries if e.kind == "keep" and e.en})


# -- TBX (ISO 30042:2019, TBX-Basic dialect) -------------------------------------------------------

TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# kind <-> standard data categories, so other terminology tools read the file the same way
_STATUS = {"term": "preferredTerm-admn-sts", "keep": "preferredTerm-admn-sts",
           "avoid": "deprecatedTerm-admn-sts"}
UNVERIFIED_NOTE = "unverified: no cited source for this form"


def to_tbx(entries: list[Entry], title: str = "learninglab gender-equity glossary") -> str:
    """TBX-Basic: one conceptEntry per entry, one langSec per filled language."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", TBX_NS)

    def sub(parent, tag: str, text: str | None = None, **attrs):
        node = ET.SubElement(parent, f"{{{TBX_NS}}}{tag}", attrs)
        node.text = text
        return node

    root = ET.Element(f"{{{TBX_NS}}}tbx", {"type": "TBX-Basic", "style": "dca", XML_LANG: "en"})
    source_desc = sub(sub(sub(root, "tbxHeader"), "fileDesc"), "sourceDesc")
    sub(source_desc, "p", title)
    body = sub(sub(root, "text"), "body")
    for n, e in enumerate(entries, start=1):
        concept = sub(body, "conceptEntry", id=f"c{n}")
        if e.remark:
            sub(concept, "note", e.remark)
        if e.source:
            sub(concept, "admin", e.source, type="source")
        for lang in LANGUAGES:
            form = getattr(e, lang)
            if not form:
                continue
            term_sec = sub(sub(concept, "langSec", **{XML_LANG: lang}), "termSec")
            sub(term_sec, "term", form)
            if e.kind == "keep":
                sub(term_sec, "termNote", "properNoun", type="partOfSpeech")
            sub(term_sec, "termNote", _STATUS[e.kind], type="administrativeStatus")
            if lang in e.unverified:
                sub(term_sec, "note", UNVERIFIED_NOTE)
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def parse_tbx(text: str, path: Path | str) -> list[Entry]:
    """Read TBX (v3 namespace, or the older martif/termEntry/langSet/tig form)."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise LearningLabError(path, f"not well-formed XML ({exc})", fix="export the TBX file again") from exc

    def local(node) -> str:
        return node.tag.rsplit("}", 1)[-1]

    def children(node, *names):
        return [c for c in node if local(c) in names]

    concepts = [n for n in root.iter() if local(n) in ("conceptEntry", "termEntry")]
    if not concepts:
        raise LearningLabError(path, "no conceptEntry (or termEntry) elements", field="conceptEntry",
                               fix="export a TBX file with at least one concept")
    entries = []
    for concept in concepts:
        cells: dict[str, str] = {}
        statuses, unverified = set(), []
        proper = True
        note = " ".join((c.text or "").strip() for c in children(concept, "note", "descrip")
                        if local(c) == "note" or c.get("type") == "definition").strip()
        source = " ".join((c.text or "").strip() for c in children(concept, "admin", "descrip")
                          if c.get("type") == "source").strip()
        for lang_sec in children(concept, "langSec", "langSet"):
            lang = (lang_sec.get(XML_LANG) or lang_sec.get("lang") or "").split("-")[0].lower()
            for term_sec in children(lang_sec, "termSec", "tig", "ntig")[:1]:
                term = next((t for t in term_sec.iter() if local(t) == "term"), None)
                if lang not in LANGUAGES or term is None or not (term.text or "").strip():
                    continue
                cells[lang] = term.text.strip()
                notes = {c.get("type"): (c.text or "").strip() for c in term_sec.iter()
                         if local(c) == "termNote"}
                statuses.add(notes.get("administrativeStatus", ""))
                proper = proper and notes.get("partOfSpeech") == "properNoun"
                if any(local(c) == "note" and (c.text or "").strip().startswith("unverified")
                       for c in term_sec.iter()):
                    unverified.append(lang)
        if not cells:
            continue
        kind = "avoid" if any(s.startswith("deprecated") for s in statuses) else "keep" if proper else "term"
        entry = Entry(cells.get("en", ""), cells.get("es", ""), cells.get("fr", ""), kind,
                      with_unverified(note, tuple(unverified)), source)
        _check_entry(entry, f"{path}: conceptEntry {concept.get('id', '?')}")
        entries.append(entry)
    return entries


def read_any(path: Path) -> list[Entry]:
    """A glossary file in either format, chosen by its extension (.tbx/.xml or .csv)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".tbx", ".xml"):
        raise LearningLabError(path, f"unknown glossary format {path.suffix!r}",
                               fix="give a .csv or .tbx file")
    if path.suffix.lower() == ".csv":
        return load_csv(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LearningLabError(path, f"cannot read glossary ({exc})", fix="save it as UTF-8 TBX") from exc
    return parse_tbx(text, path)


def import_file(source: Path, folder: Path, name: str | None = None,
                replace: bool = False) -> tuple[Path, int]:
    """Check a CSV or TBX glossary and save it as glossary/<name>.csv (the form the pipeline reads)."""
    from . import atomic

    entries = read_any(source)
    stem = re.sub(r"[^\w.-]+", "-", name or Path(source).stem).strip("-.") or "imported"
    target = Path(folder) / f"{stem}.csv"
    if target.exists() and not replace:
        raise LearningLabError(target, "a glossary file with this name exists",
                               fix="give --name NEW or --replace to overwrite it")
    atomic.write_text(target, to_csv(entries))
    return target, len(entries)
