"""Publish the project into output/site/: episode files, notes pages, portal pages, feeds.

Order matters for readers of a live site: an episode's files are written before its record,
records before the pages and feeds that link to them, and files are removed only after no
feed or page points at them. Every file goes through pipeline.atomic (temp file + rename).

Who is published: only `public` episodes appear in feeds and indexes; `unlisted` ones get their
notes pages (noindex) and files but are listed nowhere; `draft` and `withdrawn` ones are removed.
Only episodes whose stages are all done are (re)built; any other keeps what was published before.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import LANGUAGES, atomic
from ..episode import EpisodeSpec
from ..errors import LearningLabError
from ..project import Project
from ..runner import file_digest
from . import i18n
from .content import EpisodeContent, episode_content
from .images import image_info
from .notes import machine_notice, notes_markdown, notes_page, transcript_document, transcript_key, view
from .record import (
    FEED_TRANSCRIPTS,
    ORIGINAL,
    RECORD_FILE,
    TRANSCRIPT_TYPES,
    EpisodeRecord,
    LangRecord,
    Media,
    TranscriptLink,
    chapters_path,
    episode_dir,
    load_records,
    page_dir,
    transcript_path,
)
from .render import STATIC, page, render_html

log = logging.getLogger(__name__)

LISTED = ("public",)
PAGES = ("public", "unlisted")
ARTWORK_MIN, ARTWORK_MAX = 1400, 3000


@dataclass(frozen=True)
class PublishReport:
    site: Path
    published: tuple[str, ...] = ()                  # rebuilt from this run's work area
    kept: tuple[str, ...] = ()                       # not ready: the earlier publication stays
    removed: tuple[str, ...] = ()
    not_published: tuple[tuple[str, str], ...] = ()  # (slug, why)
    errors: tuple[LearningLabError, ...] = ()          # episodes that could not be (re)published
    feeds: tuple[Path, ...] = field(default=())
    spec_errors: tuple[LearningLabError, ...] = ()     # episode.toml files that did not load

    def lines(self) -> list[str]:
        out = [f"published: {', '.join(self.published)}"] if self.published else []
        if self.kept:
            out.append(f"kept as published before (stages not done): {', '.join(self.kept)}")
        if self.removed:
            out.append(f"removed: {', '.join(self.removed)}")
        out += [f"not published: {slug} ({why})" for slug, why in self.not_published]
        out.append(f"{len(self.feeds)} feed(s) and the portal in {self.site}")
        return out


# -- inputs ------------------------------------------------------------------------------------

def check_artwork(project: Project) -> Path:
    """Apple's artwork rules, read from the image itself: PNG or JPEG, square, 1400–3000 px."""
    show = project.show
    path = project.root / show.artwork
    fix = "use a square PNG or JPEG of 1400–3000 px (e.g. artwork.png)"
    if not path.is_file():
        raise LearningLabError(show.path, f"artwork {show.artwork!r} not found", field="show.artwork",
                               fix=fix)
    info = image_info(path)
    if info is None:
        raise LearningLabError(path, "artwork is not a PNG or JPEG image", field="show.artwork", fix=fix)
    suffixes = {"png": (".png",), "jpeg": (".jpg", ".jpeg")}[info.kind]
    if path.suffix.lower() not in suffixes:
        raise LearningLabError(path, f"artwork is a {info.kind.upper()} named {path.suffix!r}",
                               field="show.artwork", fix=f"rename it to end in {suffixes[0]}")
    if info.width != info.height or not ARTWORK_MIN <= info.width <= ARTWORK_MAX:
        raise LearningLabError(path, f"artwork is {info.width}x{info.height} px", field="show.artwork",
                               fix=fix)
    return path


def ready_slugs(project: Project, specs: Iterable[EpisodeSpec]) -> set[str]:
    """Episodes whose every stage is done and current (what `learninglab status` shows as done)."""
    from ..runner import Context, stage_states
    from ..stages import STAGES

    return {spec.slug for spec in specs
            if all(state.status == "done" for _, state in stage_states(STAGES, Context(project, spec)))}


# -- writing -----------------------------------------------------------------------------------

def _same_file(a: Path, b: Path) -> bool:
    return b.is_file() and a.stat().st_size == b.stat().st_size and file_digest(a) == file_digest(b)


def _copy(source: Path, site: Path, rel: str, written: set[str]) -> Path:
    target = site / rel
    if not _same_file(source, target):
        atomic.copy_file(source, target)
    written.add(rel)
    return target


def _write(site: Path, rel: str, text: str, written: set[str]) -> None:
    target = site / rel
    data = text.encode("utf-8")
    if not (target.is_file() and target.read_bytes() == data):
        atomic.write_bytes(target, data)
    written.add(rel)


def media_type(path: Path) -> str:
    """The MIME type from the file's bytes, so the enclosure says what the file is."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    raise LearningLabError(path, "is not an MP3 file", fix="rerun `learninglab master --force`")


def _chapters_json(content_chapters) -> str:
    from ..summarize.model import chapters_json

    return json.dumps(chapters_json(content_chapters), ensure_ascii=False, indent=1) + "\n"


def media_path(slug: str, stem: str, source: Path) -> str:
    """Audio is published under a name that changes with its bytes: a feed never names a file
    whose length has changed under it, even for the moment between two renames."""
    return f"{episode_dir(slug)}/{stem}.{file_digest(source)[:10]}.mp3"


def publish_episode(project: Project, spec: EpisodeSpec, artwork: str) -> tuple[EpisodeRecord, set[str]]:
    """Write one episode's files and pages from its work area, then its record.

    Returns the record and the files written; older files are removed only after the feeds stop
    naming them."""
    if not spec.guid:
        import uuid
        raise LearningLabError(spec.spec_path, "no guid: the feeds need one that never changes", field="guid",
                               fix=f'add guid = "{uuid.uuid4()}" (once; never edit it afterwards)')
    episode: EpisodeContent = episode_content(project, spec)
    site, slug, show = project.site, spec.slug, project.show
    written: set[str] = set()
    audio_rel = media_path(slug, "podcast", episode.audio.podcast)
    low_rel = media_path(slug, "podcast-low", episode.audio.low)
    audio = _copy(episode.audio.podcast, site, audio_rel, written)
    low = _copy(episode.audio.low, site, low_rel, written)
    from . import inputs

    sources = {ORIGINAL: (inputs.source_transcript_dir(project, spec), episode.source)}
    for lang, content in episode.langs.items():
        if content.translated:
            sources[lang] = (inputs.translation_dir(project, spec, lang), content.transcript)
    for key, (folder, transcript) in sources.items():
        for ext, path in inputs.transcript_files(folder).items():
            _copy(path, site, transcript_path(slug, key, ext), written)
        title = next((c.title for c in episode.langs.values() if transcript_key(c) == key), spec.title)
        _write(site, transcript_path(slug, key, "html"),
               transcript_document(transcript, title, transcript.language), written)
    langs = {}
    for lang, content in episode.langs.items():
        key = transcript_key(content)
        chapters = None
        if content.chapters:
            chapters = chapters_path(slug, lang)
            _write(site, chapters, _chapters_json(content.chapters), written)
        langs[lang] = LangRecord(
            title=content.title, description=content.description, page=page_dir(lang, slug),
            transcripts=tuple(TranscriptLink(transcript_path(slug, key, ext), TRANSCRIPT_TYPES[ext],
                                             content.transcript_lang, "captions" if ext == "vtt" else None)
                              for ext in FEED_TRANSCRIPTS),
            chapters=chapters, translated=content.translated, engines=content.engines,
            title_lang=content.title_lang, description_lang=content.description_lang,
            summary=content.summary or "", machine=content.machine,
            notice=machine_notice(content, episode.source.language) if content.engines else "")
    record = EpisodeRecord(
        slug=slug, guid=spec.guid, date=spec.date, status=spec.status, explicit=spec.explicit,
        season=spec.season, episode=spec.episode, duration=episode.audio.info.duration,
        source_language=episode.source.language, speakers=spec.speakers,
        audio=Media(audio_rel, audio.stat().st_size, media_type(audio)),
        low=Media(low_rel, low.stat().st_size, media_type(low)), langs=langs, folder=spec.folder.name)
    for lang in episode.langs:
        v = view(episode, lang, record)
        _write(site, f"{page_dir(lang, slug)}/index.html",
               notes_page(v, show.languages, show.text[lang].title, artwork, noindex=spec.status != "public"),
               written)
        _write(site, f"{page_dir(lang, slug)}/notes.md", notes_markdown(v), written)
    _write(site, f"{episode_dir(slug)}/{RECORD_FILE}", record.to_json(), written)
    return record, written


def _remove_leftovers(site: Path, slug: str, written: set[str]) -> None:
    """Files of an earlier publication of this episode that this one no longer has."""
    for folder in [site / episode_dir(slug), *(site / page_dir(lang, slug) for lang in LANGUAGES)]:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and path.relative_to(site).as_posix() not in written:
                path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def remove_episode(site: Path, slug: str) -> None:
    for folder in [site / episode_dir(slug), *(site / page_dir(lang, slug) for lang in LANGUAGES)]:
        if folder.is_dir():
            shutil.rmtree(folder)


# -- the portal and the feeds ------------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    title: str
    title_lang: str
    description: str
    description_lang: str
    date: object
    date_text: str
    minutes: int
    href: str
    machine: tuple[str, ...] = ()        # title / description machine-translated: marked as such


def newest_first(records: Iterable[EpisodeRecord]) -> list[EpisodeRecord]:
    return sorted(records, key=lambda r: (r.date, r.season or 0, r.episode or 0, r.slug), reverse=True)


def index_page(project: Project, lang: str, records: list[EpisodeRecord], artwork: str, root: str) -> str:
    show = project.show
    cards = [Card(r.langs[lang].title, r.langs[lang].title_lang or lang, r.langs[lang].description,
                  r.langs[lang].description_lang or lang, r.date, i18n.long_date(r.date, lang),
                  i18n.minutes(r.duration), f"{root}{r.langs[lang].page}/index.html", r.langs[lang].machine)
             for r in records if lang in r.langs]
    frame = page(lang, show.text[lang].title, root, show.languages, lambda other: f"{other}/index.html")
    from .feeds import feed_path, url
    return render_html("index.html", page=frame, L=i18n.labels(lang), show_title=show.text[lang].title,
                       show_description=show.text[lang].description, episodes=cards, artwork=artwork,
                       feed_url=url(show, feed_path(lang)))


def write_portal(project: Project, records: list[EpisodeRecord], artwork: str) -> list[Path]:
    """Feeds first (they point only at files already in place), then the index pages."""
    from .feeds import build_feed, feed_path

    site, show = project.site, project.show
    feeds = []
    for lang in show.languages:
        listed = [r for r in records if lang in r.langs]
        target = site / feed_path(lang)
        data = build_feed(show, lang, listed, artwork)
        if not (target.is_file() and target.read_bytes() == data):
            atomic.write_bytes(target, data)
        feeds.append(target)
    for lang in show.languages:
        _write(site, f"{lang}/index.html", index_page(project, lang, records, artwork, "../"), set())
    _write(site, "index.html", index_page(project, show.languages[0], records, artwork, ""), set())
    _write(site, "sitemap.xml", sitemap(project, records), set())
    _write(site, "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {show.base_url}sitemap.xml\n", set())
    return feeds


def sitemap(project: Project, records: list[EpisodeRecord]) -> str:
    """The portal and the listed (public) episodes' notes pages; unlisted pages stay out of it."""
    from xml.sax.saxutils import escape

    show = project.show
    pages = ["index.html"] + [f"{lang}/index.html" for lang in show.languages]
    pages += [f"{r.langs[lang].page}/index.html"
              for r in records for lang in show.languages if lang in r.langs]
    rows = "".join(f"  <url><loc>{escape(show.base_url + page)}</loc></url>\n" for page in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "</urlset>\n")


def _write_shared(project: Project, artwork_source: Path) -> str:
    site = project.site
    artwork = "artwork" + artwork_source.suffix.lower()
    _copy(artwork_source, site, artwork, set())
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            _copy(path, site, f"static/{path.name}", set())
    return artwork


# -- the whole publication ---------------------------------------------------------------------

def publish(project: Project, ready: Iterable[str] | None = None) -> PublishReport:
    """(Re)publish every `ready` episode (default: those whose stages are all done), keep the others'
    earlier publication, drop what is withdrawn, draft or deleted, then rewrite feeds and portal."""
    site = project.site
    atomic.sweep(site)                 # leftovers of a publish that was killed midway
    artwork_source = check_artwork(project)
    found = project.episodes()
    specs = {spec.slug: spec for spec in found.episodes}
    ready_set = set(ready_slugs(project, found.episodes) if ready is None else ready)
    artwork = _write_shared(project, artwork_source)
    records = load_records(site)
    published, kept, removed, skipped, errors = [], [], [], [], []
    written: dict[str, set[str]] = {}

    for slug, spec in specs.items():
        if spec.status not in PAGES:
            if slug in records:
                removed.append(slug)
            skipped.append((slug, spec.status))
            continue
        if slug not in ready_set:
            if slug in records:
                kept.append(slug)
            else:
                skipped.append((slug, "stages not done: run `learninglab run`"))
            continue
        try:
            records[slug], written[slug] = publish_episode(project, spec, artwork)
            published.append(slug)
        except LearningLabError as exc:
            errors.append(exc)
            if slug in records:
                kept.append(slug)
            else:
                skipped.append((slug, exc.message))
    episodes_dir = project.root / "episodes"
    for slug, record in list(records.items()):
        if slug in specs:
            continue
        if record.folder and (episodes_dir / record.folder).is_dir():   # spec broken: keep
            kept.append(slug)
        else:
            removed.append(slug)
    listed = newest_first(r for slug, r in records.items() if slug not in removed
                          and (specs[slug].status if slug in specs else r.status) in LISTED)
    feeds = write_portal(project, listed, artwork)
    for slug, files in written.items():      # now that no feed or page names them
        _remove_leftovers(site, slug, files)
    for slug in removed:
        remove_episode(site, slug)
    for spec in specs.values():          # consent withdrawn: its audio and transcripts go from output/ too
        if spec.status == "withdrawn" and project.workdir(spec).exists():
            shutil.rmtree(project.workdir(spec))
    for lang in LANGUAGES:
        if lang not in project.show.languages and (site / lang).is_dir():
            shutil.rmtree(site / lang)
    return PublishReport(site, tuple(published), tuple(kept), tuple(removed), tuple(skipped),
                         tuple(errors), tuple(feeds), tuple(found.errors))
