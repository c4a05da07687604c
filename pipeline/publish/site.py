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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import LANGUAGES, atomic
from ..consent import ConsentReport
from ..episode import EpisodeSpec
from ..errors import LearningLabError
from ..project import Project
from ..runner import file_digest
from ..tomlfile import xml_safe
from ..workarea import transcript_texts
from . import i18n
from .content import EpisodeContent, episode_content
from .images import image_info
from .inputs import voices as read_voices
from .notes import machine_notice, notes_markdown, notes_page, notes_view, transcript_document, transcript_key
from .readback import leaks
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
from .redaction import redact_content
from .render import STATIC, page, render_html
from .share import SHARE_DIR, episode_message, message_path, share_dir, voice_note_path
from .speakers import name_voices, talk_times

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
    consent: ConsentReport = field(default_factory=ConsentReport)
    notes: tuple[str, ...] = ()                        # housekeeping done on the way (links, orphans)
    kept_broken: tuple[str, ...] = ()                  # kept because their episode.toml has an error

    def lines(self) -> list[str]:
        out = [f"published: {', '.join(self.published)}"] if self.published else []
        if self.kept:
            out.append(f"kept as published before (stages not done): {', '.join(self.kept)}")
        if self.kept_broken:
            out.append(f"kept as published before (episode.toml has an error): {', '.join(self.kept_broken)}")
        if self.removed:
            out.append(f"removed: {', '.join(self.removed)}")
        out += [f"not published: {slug} ({why})" for slug, why in self.not_published]
        out += list(self.notes)
        out.append(f"{len(self.feeds)} feed(s) and the portal in {self.site}")
        return out


# -- inputs ------------------------------------------------------------------------------------

def check_artwork(project: Project) -> Path:
    """Apple's artwork rules, read from the image itself: PNG or JPEG, square, 1400–3000 px."""
    show = project.show
    path = project.root / show.artwork
    fix = "use a square PNG or JPEG of 1400–3000 px (e.g. artwork.png)"
    from ..paths import inside

    if path.exists() and not inside(path, project.root):
        raise LearningLabError(show.path, f"artwork {show.artwork!r} is a link to a file outside the project",
                               field="show.artwork", fix="copy the image itself into the project folder")
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


def _write(site: Path, rel: str, text: str | Iterable[str], written: set[str]) -> None:
    """Write a text (or a text in pieces, never held whole); a file whose bytes would not change is
    left as it is."""
    pieces = (text,) if isinstance(text, str) else text
    atomic.write_pieces(site / rel, (xml_safe(piece) for piece in pieces), only_if_changed=True)
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
    from . import inputs

    voices = read_voices(project, spec)
    episode: EpisodeContent = name_voices(redact_content(episode_content(project, spec)), voices)
    voice_note = inputs.voice_note(project, spec)
    site, slug, show = project.site, spec.slug, project.show
    written: set[str] = set()
    audio_rel = media_path(slug, "podcast", episode.audio.podcast)
    low_rel = media_path(slug, "podcast-low", episode.audio.low)
    audio = _copy(episode.audio.podcast, site, audio_rel, written)
    low = _copy(episode.audio.low, site, low_rel, written)
    for lang, content in episode.langs.items():      # the WhatsApp share pack, before the pages
        _copy(voice_note, site, voice_note_path(lang, slug), written)
        _write(site, message_path(lang, slug),
               episode_message(show, content, spec.date, episode.audio.info.duration, slug), written)

    sources = {ORIGINAL: episode.source}
    for content in episode.langs.values():
        if content.translated:
            sources[content.lang] = content.transcript
    noindex = spec.status != "public"
    for key, transcript in sources.items():
        timing = episode.source if key != ORIGINAL else None
        for ext, pieces in transcript_texts(transcript, timing, voices_shown=True):   # rendered, not copied
            _write(site, transcript_path(slug, key, ext), pieces, written)
        title = next((c.title for c in episode.langs.values() if transcript_key(c) == key), spec.title)
        _write(site, transcript_path(slug, key, "html"),
               transcript_document(transcript, title, transcript.language, noindex), written)
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
        audio=Media(audio_rel, audio.stat().st_size, media_type(audio), episode.audio.info.podcast_bitrate),
        low=Media(low_rel, low.stat().st_size, media_type(low), episode.audio.info.low_bitrate),
        langs=langs, folder=spec.folder.name,
        voices=talk_times(episode, voices))
    for lang in episode.langs:
        markdown = site / page_dir(lang, slug) / "notes.md"
        v = notes_view(episode, lang, record, lambda rel: (site / rel).stat().st_size,
                       guess=markdown.stat().st_size if markdown.is_file() else 0)
        _write(site, f"{page_dir(lang, slug)}/index.html",
               notes_page(v, show.languages, show.text[lang].title, artwork, noindex=noindex),
               written)
        _write(site, f"{page_dir(lang, slug)}/notes.md", notes_markdown(v), written)
    _write(site, f"{episode_dir(slug)}/{RECORD_FILE}", record.to_json(), written)
    return record, written


def episode_folders(site: Path, slug: str) -> list[Path]:
    """Every folder that holds only this episode's files: media, notes pages, share packs."""
    return [site / episode_dir(slug), *(site / page_dir(lang, slug) for lang in LANGUAGES),
            *(site / share_dir(lang, slug) for lang in LANGUAGES)]


def episode_files(site: Path, slug: str) -> set[str]:
    """Every published file of one episode, relative to the site."""
    return {p.relative_to(site).as_posix() for folder in episode_folders(site, slug) if folder.is_dir()
            for p in folder.rglob("*") if p.is_file() and not p.is_symlink()}


def _remove_leftovers(site: Path, slug: str, written: set[str]) -> None:
    """Files of an earlier publication of this episode that this one no longer has."""
    for folder in episode_folders(site, slug):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in folder.iterdir():
            if (path.is_file() or path.is_symlink()) and path.relative_to(site).as_posix() not in written:
                path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def remove_episode(site: Path, slug: str) -> None:
    for folder in episode_folders(site, slug):
        atomic.remove_tree(folder)


# -- the portal and the feeds ------------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    slug: str
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


def index_page(project: Project, lang: str, records: list[EpisodeRecord], artwork: str,
               root: str) -> Iterable[str]:
    show = project.show
    cards = [Card(r.slug, r.langs[lang].title, r.langs[lang].title_lang or lang, r.langs[lang].description,
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

def _leak_error(spec: EpisodeSpec, found: list[tuple[str, str]]) -> LearningLabError:
    rel, form = found[0]
    if form in rel:
        return LearningLabError(spec.spec_path, f"the slug {spec.slug!r} holds the redacted form {form!r}: "
                                "the episode is not published", field="slug",
                                fix="give the episode a slug without it (rename its folder, or set slug)")
    return LearningLabError(spec.spec_path, f"the redacted form {form!r} survives in {rel}: the episode is "
                            "not published", field="redact",
                            fix="add the form as it is written there to [redact] words (or words_<lang>), "
                                f"then `learninglab run {spec.slug}`")


def _noindex_kept(site: Path, slug: str) -> None:
    """An episode kept as published before that is now unlisted: its pages stop being indexed at once."""
    meta = '<meta name="robots" content="noindex">'
    for rel in episode_files(site, slug):
        if rel.endswith(".html"):
            path = site / rel
            text = path.read_text(encoding="utf-8")
            if meta not in text and "<head>" in text:
                atomic.write_text(path, text.replace("<head>", f"<head>\n{meta}", 1))


def prepare_site(project: Project) -> tuple[str, ...]:
    """No file outside the project is ever written: output/ must be a folder of the project, and no
    link inside output/ survives (a link would lead a later write or delete elsewhere)."""
    from ..paths import check_output

    links = atomic.remove_symlinks(check_output(project.root))
    atomic.sweep(project.site)          # leftovers of a publish that was killed midway
    return tuple(f"removed the link {p.relative_to(project.root)} (links are never followed)" for p in links)


def publish(project: Project, ready: Iterable[str] | None = None) -> PublishReport:
    """(Re)publish every `ready` episode (default: those whose stages are all done), keep the others'
    earlier publication, drop what is withdrawn, draft or deleted, then rewrite feeds and portal.

    Withdrawals come first, before anything that could fail (pipeline.consent)."""
    from ..consent import enforce

    consent = enforce(project.root)
    notes = prepare_site(project)
    site = project.site
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
            if slug in records:          # (pipeline.consent took it off if it names a redacted form)
                kept.append(slug)
                if spec.status != "public":
                    _noindex_kept(site, slug)
            else:
                skipped.append((slug, "stages not done: run `learninglab run`"))
            continue
        try:
            record, files = publish_episode(project, spec, artwork)
        except LearningLabError as exc:
            errors.append(exc)
            if slug in records:
                kept.append(slug)
            else:
                skipped.append((slug, exc.message))
            continue
        if found_leaks := leaks(site, files, spec.redaction.forms):   # the last check, before any feed
            errors.append(_leak_error(spec, found_leaks))
            records.pop(slug, None)
            removed.append(slug)
            continue
        records[slug], written[slug] = record, files
        published.append(slug)
    episodes_dir = project.root / "episodes"
    kept_broken = []
    for slug, record in list(records.items()):
        if slug in specs:
            continue
        if record.folder and (episodes_dir / record.folder).is_dir():   # spec broken: keep
            kept_broken.append(slug)
        else:
            removed.append(slug)
    listed = newest_first(r for slug, r in records.items() if slug not in removed
                          and (specs[slug].status if slug in specs else r.status) in LISTED)
    feeds = write_portal(project, listed, artwork)
    for slug, files in written.items():      # now that no feed or page names them
        _remove_leftovers(site, slug, files)
    for slug in removed:
        remove_episode(site, slug)
    notes += remove_orphan_work(project, found)
    for lang in LANGUAGES:
        for folder in (site / lang, site / SHARE_DIR / lang):
            if lang not in project.show.languages and folder.is_dir():
                atomic.remove_tree(folder)
    return PublishReport(site, tuple(published), tuple(kept), tuple(dict.fromkeys(removed)), tuple(skipped),
                         tuple(errors), tuple(feeds), tuple(found.errors), consent, notes,
                         tuple(kept_broken))


def remove_orphan_work(project: Project, found) -> tuple[str, ...]:
    """Work areas of episodes that are gone (folder deleted) or withdrawn: their audio and transcripts
    go too. A folder whose episode.toml is broken keeps its work (it is being fixed)."""
    from ..consent import all_consents

    work = project.work
    if not work.is_dir():
        return ()
    keep = {spec.slug for spec in found.episodes if spec.status != "withdrawn"}
    keep |= {c.slug for c in all_consents(project.root) if not c.withdrawn}
    notes = []
    for folder in sorted(work.iterdir()):
        if folder.name.startswith(".") or folder.name in keep:
            continue
        atomic.remove_tree(folder)
        notes.append(f"removed the work area of {folder.name}: its episode folder is gone")
    return tuple(notes)
