"""Consent first: withdrawals and redactions are obeyed before anything else can fail.

`enforce(root)` is the first step of every run and every publish. It needs nothing but the project
folder: not learninglab.toml, not the artwork, not a valid episode.toml. Each episode file is read
with the most forgiving reader that can find its `status`, so a typo elsewhere in a withdrawn
episode's file, a broken show file or a full disk cannot keep a withdrawn session online.

For each withdrawn episode, in this order (a podcast app must never see an item whose audio is gone,
and a feed must never name a withdrawn episode once its files are gone):
1. its items leave every feed (rewritten atomically; if the disk is too full even for that, the
   episode's files are removed first to make room, and as a last resort the feed file is deleted);
2. its cards leave the portal pages and its pages leave sitemap.xml;
3. its published folders (audio, transcripts, pages, share packs) and its work area are deleted;
4. its guid is retired in episodes/.retired-guids, which outlives output/: an episode that comes back
   under a retired guid is refused (see pipeline/episode.py).

An episode whose `[redact]` list names a form its published files still show (a name added after it
was published) leaves the site the same way, work area and guid kept: publish puts it back, redacted,
once its stages are redone.
"""

from __future__ import annotations

import datetime as dt
import errno
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EPISODES_DIR = "episodes"
EPISODE_FILE = "episode.toml"
RETIRED_FILE = ".retired-guids"
WITHDRAWN = "withdrawn"

_TABLE = re.compile(r"^\s*\[")
_STATUS = re.compile(r"""^\s*status\s*=\s*["']\s*withdrawn\s*["']""", re.IGNORECASE | re.MULTILINE)


def _value(text: str, key: str) -> str | None:
    """A top-level `key = "value"` from text that may not parse as TOML."""
    for line in text.splitlines():
        if _TABLE.match(line):
            break
        found = re.match(rf"""^\s*{key}\s*=\s*["']([^"'\n]*)["']""", line)
        if found:
            return found.group(1).strip()
    return None


@dataclass(frozen=True)
class Consent:
    """What the forgiving reader could find in one episode folder."""
    folder: Path
    slug: str
    guid: str | None
    withdrawn: bool
    forms: tuple[str, ...] = ()        # [redact] words, words_en, words_es, words_fr


_WORDS = re.compile(r"""^\s*words(?:_[a-z]{2})?\s*=\s*\[(.*?)\]""", re.MULTILINE | re.DOTALL)
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"' + r"|'([^'\n]*)'")


def _forms(data: dict | None, text: str) -> tuple[str, ...]:
    """The forms to redact: from the parsed [redact] table, or read out of a broken file's lines."""
    if data is not None:
        table = data.get("redact") if isinstance(data.get("redact"), dict) else {}
        values = [v for key, value in table.items() if key == "words" or key.startswith("words_")
                  if isinstance(value, list) for v in value if isinstance(v, str)]
    else:
        values = [a or b for found in _WORDS.finditer(text) for a, b in _QUOTED.findall(found.group(1))]
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def read_consent(folder: Path) -> Consent:
    """Status, slug and guid of an episode, from a file that may be broken anywhere else.

    When the file parses, its values are used; when it does not, a `status = "withdrawn"` line anywhere
    counts (being wrong in that direction only hides an episode until its file is fixed)."""
    path = Path(folder) / EPISODE_FILE
    try:
        text = path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff")
    except OSError:
        return Consent(Path(folder), Path(folder).name, None, False)
    try:
        data = tomllib.loads(text)
        status, slug, guid = data.get("status"), data.get("slug"), data.get("guid")
        withdrawn = isinstance(status, str) and status.strip().lower() == WITHDRAWN
    except tomllib.TOMLDecodeError:
        data = None
        withdrawn = bool(_STATUS.search(text))
        slug, guid = _value(text, "slug"), _value(text, "guid")
    slug = slug if isinstance(slug, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) else Path(folder).name
    guid = guid.strip().lower() if isinstance(guid, str) and guid.strip() else None
    return Consent(Path(folder), slug, guid, withdrawn, _forms(data, text))


def episode_folders(root: Path) -> list[Path]:
    base = Path(root) / EPISODES_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))


def all_consents(root: Path) -> list[Consent]:
    return [read_consent(folder) for folder in episode_folders(root)]


# -- the retired guids --------------------------------------------------------------------------

def retired_path(root: Path) -> Path:
    return Path(root) / EPISODES_DIR / RETIRED_FILE


def retired_guids(root: Path) -> dict[str, str]:
    """guid -> the day its episode was withdrawn."""
    try:
        text = retired_path(root).read_text(encoding="utf-8")
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if parts and not line.startswith("#"):
            out[parts[0].lower()] = parts[1] if len(parts) > 1 else ""
    return out


def retire(root: Path, guids: Iterable[str]) -> None:
    known = retired_guids(root)
    new = [g for g in dict.fromkeys(guids) if g and g not in known]
    if not new:
        return
    today = dt.date.today().isoformat()
    known.update({g: today for g in new})
    lines = ["# Guids of withdrawn episodes: never published again (written by learninglab; keep this file)."]
    lines += [f"{g} {day}" for g, day in sorted(known.items())]
    atomic.write_text(retired_path(root), "\n".join(lines) + "\n")


# -- removing a withdrawn episode from the site ---------------------------------------------------

@dataclass(frozen=True)
class ConsentReport:
    withdrawn: tuple[str, ...] = ()        # episodes removed from the site or the work area this time
    errors: tuple[str, ...] = ()           # what could not be done: the run must say so and fail
    redacted: tuple[tuple[str, str, str], ...] = field(default=())   # (slug, form, file) taken offline

    def lines(self) -> list[str]:
        out = [f"withdrawn: {slug} removed from every feed, page and work file" for slug in self.withdrawn]
        out += [f"redaction: {slug} taken off the site until it is republished redacted ({form!r} was "
                f"published in {rel})" for slug, form, rel in self.redacted]
        return out


class _Site:
    """The published site as plain files: enough to take an episode out without the show's settings."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.site = self.root / "output" / "site"
        self.work = self.root / "output" / "episodes"

    def lang_dirs(self) -> list[Path]:
        if not self.site.is_dir():
            return []
        return [p for p in self.site.iterdir() if p.is_dir() and not p.is_symlink()
                and re.fullmatch(r"[a-z]{2}", p.name)]

    def feeds(self) -> list[Path]:
        return [d / "feed.xml" for d in self.lang_dirs() if (d / "feed.xml").is_file()]

    def listings(self) -> list[Path]:
        pages = [self.site / "index.html"] + [d / "index.html" for d in self.lang_dirs()]
        return [p for p in pages if p.is_file() and not p.is_symlink()]

    def folders(self, slug: str) -> list[Path]:
        found = [self.site / "episodes" / slug, self.work / slug]
        found += [d / slug for d in self.lang_dirs()]
        share = self.site / "share"
        if share.is_dir():
            found += [d / slug for d in share.iterdir() if d.is_dir()]
        return [p for p in found if p.exists() or p.is_symlink()]

    def records_of(self, consent: Consent) -> tuple[set[str], set[str]]:
        """Slugs and guids of the published records that belong to this episode (by slug, guid or
        folder): a file too broken to name its guid still has its guid retired."""
        import json

        slugs, guids = {consent.slug}, {consent.guid} - {None}
        base = self.site / "episodes"
        if not base.is_dir():
            return slugs, guids
        for record in base.glob("*/episode.json"):
            try:
                data = json.loads(record.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(data, dict):
                continue
            guid = str(data.get("guid", "")).lower()
            if (consent.guid and guid == consent.guid) or data.get("folder") == consent.folder.name or \
                    record.parent.name == consent.slug:
                slugs.add(record.parent.name)
                guids |= {guid} - {""}
        return slugs, guids


def _names(text: str, slugs: set[str], guids: set[str]) -> bool:
    lowered = text.lower()
    if any(guid in lowered for guid in guids):
        return True
    return any(f"/{slug}/" in text or f"episodes/{slug}/" in text for slug in slugs)


def _drop_feed_items(feed: Path, slugs: set[str], guids: set[str]) -> bytes | None:
    """The feed without the episode's items, or None when it has none of them."""
    from lxml import etree

    data = feed.read_bytes()
    if not _names(data.decode("utf-8", "replace"), slugs, guids):
        return None
    try:
        tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return b""                  # unreadable and names the episode: the feed goes
    channel = tree.find("channel")
    for item in list(channel if channel is not None else []):
        if item.tag == "item" and _names(etree.tostring(item, encoding="unicode"), slugs, guids):
            channel.remove(item)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _drop_cards(page: Path, slugs: set[str], guids: set[str]) -> str | None:
    """A portal page without the episode's cards, or None when it has none."""
    import lxml.html

    text = page.read_text(encoding="utf-8", errors="replace")
    if not _names(text, slugs, guids):
        return None
    tree = lxml.html.document_fromstring(text)
    for card in tree.xpath("//li[@data-episode]"):
        if card.get("data-episode") in slugs:
            card.drop_tree()
    for link in tree.xpath("//a[@href]"):          # an older page without data-episode marks
        if _names(link.get("href", ""), slugs, set()):
            holder = next((a for a in link.iterancestors("li", "article")), link)
            holder.drop_tree()
    return "<!doctype html>\n" + lxml.html.tostring(tree, encoding="unicode")


def _drop_sitemap_urls(sitemap: Path, slugs: set[str]) -> str | None:
    text = sitemap.read_text(encoding="utf-8", errors="replace")
    kept = [line for line in text.splitlines(keepends=True) if not _names(line, slugs, set())]
    return "".join(kept) if len(kept) != len(text.splitlines()) else None


def _write_or_remove(path: Path, data: bytes, errors: list[str], make_room) -> None:
    """Rewrite `path`; on a full disk, free the withdrawn episode's space and retry; else delete it."""
    for attempt in range(2):
        try:
            if data:
                atomic.write_bytes(path, data)
            else:
                path.unlink(missing_ok=True)
            return
        except OSError as exc:
            if exc.errno != errno.ENOSPC or attempt:
                break
            make_room()
    try:
        path.unlink(missing_ok=True)          # needs no space: the feed goes rather than the item staying
        errors.append(f"{path}: the disk is full, so this file was deleted instead of rewritten "
                      "without the withdrawn episode — free some space and run `learninglab publish`")
    except OSError as exc:
        errors.append(f"{path}: the withdrawn episode could not be removed from it ({exc.strerror}) — "
                      "make output/site writable and run `learninglab publish` at once")


def _published_forms(site: _Site, consent: Consent) -> tuple[str, str] | None:
    """(form, file) when the episode's published files still show one of its redacted forms."""
    from .publish.readback import leaks

    slugs, _ = site.records_of(consent)
    folders = [f for slug in slugs for f in site.folders(slug) if not f.is_relative_to(site.work)]
    rels = [p.relative_to(site.site).as_posix() for folder in folders
            if folder.is_dir() and not folder.is_symlink()
            for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    found = leaks(site.site, rels, consent.forms)
    return (found[0][1], found[0][0]) if found else None


def _withdraw(site: _Site, consent: Consent, errors: list[str], work: bool = True) -> tuple[bool, set[str]]:
    """Take one episode out of the site (and, unless `work` is False, the work area); (whether anything
    was there, its guids)."""
    slugs, guids = site.records_of(consent)
    touched = False

    def make_room() -> None:
        for slug in slugs:
            for folder in site.folders(slug):
                atomic.remove_tree(folder)

    for feed in site.feeds():
        try:
            data = _drop_feed_items(feed, slugs, guids)
        except OSError as exc:
            errors.append(f"{feed}: cannot read ({exc.strerror}) — the withdrawn episode may still be listed")
            continue
        if data is not None:
            _write_or_remove(feed, data, errors, make_room)
            touched = True
    for page in site.listings():
        text = _drop_cards(page, slugs, guids)
        if text is not None:
            _write_or_remove(page, text.encode("utf-8"), errors, make_room)
            touched = True
    sitemap = site.site / "sitemap.xml"
    if sitemap.is_file() and not sitemap.is_symlink():
        text = _drop_sitemap_urls(sitemap, slugs)
        if text is not None:
            _write_or_remove(sitemap, text.encode("utf-8"), errors, make_room)
            touched = True
    for slug in slugs:
        for folder in site.folders(slug):
            if not work and folder.is_relative_to(site.work):
                continue
            try:
                atomic.remove_tree(folder)
                touched = True
            except OSError as exc:
                errors.append(f"{folder}: could not be deleted ({exc.strerror}) — delete it by hand")
    for listing in [*site.feeds(), *site.listings()]:
        try:
            if _names(listing.read_text(encoding="utf-8", errors="replace"), slugs, guids):
                errors.append(f"{listing}: still names withdrawn episode {consent.slug} — "
                              "delete output/site and run `learninglab publish`")
        except OSError:
            pass
    return touched, guids


def enforce(root: Path) -> ConsentReport:
    """Carry out every withdrawal in the project; safe to call any number of times."""
    from .errors import LearningLabError
    from .paths import check_output

    root = Path(root).resolve()
    site = _Site(root)
    withdrawn, errors, guids, redacted = [], [], [], []
    consents = all_consents(root)
    try:
        check_output(root)
    except LearningLabError as exc:
        return ConsentReport((), (exc.line(),) if any(c.withdrawn or c.forms for c in consents) else ())
    for consent in consents:
        if consent.withdrawn:
            touched, found = _withdraw(site, consent, errors)
            guids += sorted(found)
            if touched:
                withdrawn.append(consent.slug)
        elif consent.forms and (leak := _published_forms(site, consent)):
            _withdraw(site, consent, errors, work=False)
            redacted.append((consent.slug, *leak))
    try:
        retire(root, guids)
    except OSError as exc:
        errors.append(f"{retired_path(root)}: cannot record the withdrawn guids ({exc.strerror}) — "
                      "make the episodes folder writable")
    return ConsentReport(tuple(withdrawn), tuple(errors), tuple(redacted))
