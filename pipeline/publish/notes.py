"""Session notes for one episode in one language: the HTML page, notes.md, and the HTML transcript.

All three are rendered from one NotesView, so the page and the Markdown never disagree; each in
pieces, its transcript read a segment at a time as the page is made, so a 3-hour session's pages
are never held whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, groupby

from ..episode import Chapter, Speaker
from ..transcript import TranscriptLike
from . import i18n
from .content import EpisodeContent, LangContent
from .record import ORIGINAL, EpisodeRecord, Media, chapters_path, page_dir, transcript_path
from .render import Page, page, render_html, render_markdown, trusted
from .share import message_path, voice_note_path

PAGE_ROOT = "../../"     # from <lang>/<slug>/ back to the site root
DOC_ROOT = "../../"      # from episodes/<slug>/ back to the site root


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    detail: str = ""


@dataclass(frozen=True)
class TimedText:
    text: str
    start: float | None = None


@dataclass(frozen=True)
class Line:
    """One transcript segment as the reader sees it."""
    start: float
    end: float
    text: str
    lang: str
    speaker: str | None
    new_speaker: bool


@dataclass(frozen=True)
class Quality:
    """The player's two files and the words of its data-saver switch (the low file is the default)."""
    low: str
    full: str
    playing_low: str
    playing_full: str
    to_full: str
    to_low: str


@dataclass(frozen=True)
class Turn:
    """What one speaker says before another speaks: the notes page's transcript is a run of these,
    each turn's lines read as the page is rendered (one lecturer's three hours are one turn)."""
    speaker: str | None
    start: float
    lines: Iterator[Line]


@dataclass(frozen=True)
class Turns:
    """A transcript's turns, made anew each time a page is rendered."""
    transcript: TranscriptLike

    def __iter__(self) -> Iterator[Turn]:
        return turns(self.transcript)


@dataclass(frozen=True)
class NotesView:
    lang: str
    slug: str
    title: str
    title_lang: str
    description: str
    description_lang: str
    date: dt.date
    date_text: str
    duration: float
    spoken: str                          # languages spoken, named in the page language
    speakers: tuple[Speaker, ...]
    machine: tuple[str, ...]             # fields machine-translated (marked on the page)
    summary: str
    summary_lang: str
    summary_is_description: bool
    key_points: tuple[TimedText, ...]
    chapters: tuple[Chapter, ...]
    topics: tuple[str, ...]
    notices: tuple[str, ...]
    audio: str                           # what the player plays and time links seek: the low file
    quality: Quality
    captions: str
    captions_lang: str
    captions_label: str
    downloads: tuple[Link, ...]
    turns: Turns
    transcript_lang: str


UNITS = {"fr": ("o", "ko", "Mo")}


def size_text(length: int, lang: str) -> str:
    """A download size as the page's language writes it: 2.5 MB, 2,5 MB, 2,5 Mo; 640 kB, 640 ko."""
    byte, kilo, mega = UNITS.get(lang, ("B", "kB", "MB"))
    if length < 1000:
        return f"{length} {byte}"
    if length < 999_500:
        return f"{round(length / 1000)} {kilo}"
    number = f"{length / 1_000_000:.1f}"
    return f"{number if lang == 'en' else number.replace('.', ',')} {mega}"


def quality(record: EpisodeRecord, lang: str, link: Callable[[str], str]) -> Quality:
    labels = i18n.labels(lang)

    def words(key: str, media: Media) -> str:
        return labels[key].format(kbps=record.bitrate(media) // 1000, size=size_text(media.length, lang))

    low, full = words("data_saver", record.low), words("full_quality", record.audio)
    return Quality(link(record.low.path), link(record.audio.path),
                   labels["playing"].format(quality=low), labels["playing"].format(quality=full),
                   labels["switch_to"].format(quality=full), labels["switch_to"].format(quality=low))


def transcript_key(content: LangContent) -> str:
    return content.lang if content.translated else ORIGINAL


def lines(transcript: TranscriptLike) -> Iterator[Line]:
    previous = object()
    for seg in transcript.iter_segments():
        if not seg.text.strip():
            continue
        yield Line(seg.start, seg.end, seg.text.strip(), seg.language, seg.speaker,
                   seg.speaker is not None and seg.speaker != previous)
        previous = seg.speaker


def machine_notice(content: LangContent, source_language: str) -> str:
    """"Traducción automática del inglés, sin revisión humana, hecha con Apertium." — the engines
    named plainly, once; then, where the transcript is a translation, where the original words are."""
    labels = i18n.labels(content.lang)
    spoken = content.translated_from or (source_language,)
    notice = labels["machine_notice"].format(source=i18n.from_languages(spoken, content.lang),
                                             engine=i18n.join_names(content.engines, content.lang))
    return f"{notice} {labels['listen_original']}" if content.translated else notice


def turns(transcript: TranscriptLike) -> Iterator[Turn]:
    """Consecutive lines of one speaker, together (lines with no speaker join the turn they are in)."""
    started = 0

    def turn_number(line: Line) -> int:
        nonlocal started
        started += line.new_speaker
        return started

    for _, run in groupby(lines(transcript), key=turn_number):
        first = next(run)
        yield Turn(first.speaker, first.start, chain((first,), run))  # noqa: B031 - read before the next turn


def notices(content: LangContent, source_language: str) -> tuple[str, ...]:
    labels = i18n.labels(content.lang)
    out = []
    if content.engines:
        out.append(machine_notice(content, source_language))
    elif content.lang != content.transcript_lang:
        out.append(labels["not_translated"].format(lang=i18n.language_in(content.lang, content.lang),
                                                   source=i18n.language_in(content.transcript_lang,
                                                                           content.lang)))
    if not content.summary:
        out.append(labels["no_summary"])
    return tuple(out)


def view(episode: EpisodeContent, lang: str, record: EpisodeRecord, sizes: Callable[[str], int],
         notes_md_size: int) -> NotesView:
    """`sizes(path)` gives the bytes of a published file (path from the site root); every download
    on the page states its size, notes.md's own included."""
    content = episode.langs[lang]
    spec, labels = episode.spec, i18n.labels(lang)
    key = transcript_key(content)
    link = lambda path: PAGE_ROOT + path  # noqa: E731 - site path as seen from the notes page

    def download(label: str, path: str) -> Link:
        return Link(label, link(path), size_text(sizes(path), lang))

    downloads = [Link(labels["audio"], link(record.audio.path), size_text(record.audio.length, lang)),
                 Link(labels["audio_low"], link(record.low.path), size_text(record.low.length, lang)),
                 download(labels["voice_note"], voice_note_path(lang, spec.slug)),
                 download(labels["share_message"], message_path(lang, spec.slug))]
    for ext in ("vtt", "srt", "json", "txt", "html"):
        downloads.append(download(f"{labels['transcript_as']} ({ext.upper()})",
                                  transcript_path(spec.slug, key, ext)))
    if key != ORIGINAL:
        downloads.append(download(labels["original_transcript"],
                                  transcript_path(spec.slug, ORIGINAL, "html")))
    if content.chapters:
        downloads.append(download(labels["chapters_json"], chapters_path(spec.slug, lang)))
    downloads.append(Link(labels["notes_md"], "notes.md", size_text(notes_md_size, lang)))
    return NotesView(
        lang=lang, slug=spec.slug, title=content.title, title_lang=content.title_lang,
        description=content.description, description_lang=content.description_lang, date=spec.date,
        date_text=i18n.long_date(spec.date, lang), duration=episode.audio.info.duration,
        spoken=i18n.names_list(_spoken(episode), lang),
        speakers=content.speakers or spec.speakers, machine=content.machine,
        summary=content.summary or content.description,
        summary_lang=content.summary_lang, summary_is_description=not content.summary,
        key_points=tuple(TimedText(p.text, p.start) for p in content.key_points),
        chapters=content.chapters, topics=content.topics, notices=notices(content, episode.source.language),
        audio=link(record.low.path), quality=quality(record, lang, link),
        captions=link(transcript_path(spec.slug, key, "vtt")),
        captions_lang=content.transcript_lang,
        captions_label=f"{labels['captions']} ({i18n.LANGUAGE_NAMES.get(content.transcript_lang, '')})",
        downloads=tuple(downloads), turns=Turns(content.transcript), transcript_lang=content.transcript_lang)


def _spoken(episode: EpisodeContent) -> tuple[str, ...]:
    """Languages spoken in the recording, from the original transcript."""
    spoken = tuple(c for c in episode.spoken if c in i18n.LANGUAGE_NAMES)
    return spoken or (episode.source.language,)


def notes_page(v: NotesView, languages: tuple[str, ...], show_title: str, artwork: str,
               noindex: bool) -> Iterator[str]:
    frame: Page = page(v.lang, f"{v.title} · {show_title}", PAGE_ROOT, languages,
                       lambda other: f"{page_dir(other, v.slug)}/index.html", noindex=noindex)
    return render_html("episode.html", page=frame, v=v, L=i18n.labels(v.lang), show_title=show_title,
                       artwork=artwork)


def notes_markdown(v: NotesView) -> Iterator[str]:
    downloads = tuple(Link(d.label, trusted(d.href), d.detail) for d in v.downloads)
    return render_markdown("notes.md", v=v, downloads=downloads, audio=trusted(v.audio),
                           L=i18n.labels(v.lang))


def notes_view(episode: EpisodeContent, lang: str, record: EpisodeRecord,
               sizes: Callable[[str], int], guess: int = 0) -> NotesView:
    """The view of the page and of notes.md; notes.md states its own size, so it is measured (made in
    pieces, never held) until the size it states is the size it has (the size is rounded, so this
    settles at once; at the first measure from a good `guess`, such as the size published before)."""
    size = guess
    for _ in range(4):
        v = view(episode, lang, record, sizes, size)
        length = sum(len(piece.encode("utf-8")) for piece in notes_markdown(v))
        if size_text(length, lang) == size_text(size, lang):
            break
        size = length
    return v


def transcript_document(transcript: TranscriptLike, title: str, lang: str,
                        noindex: bool = False) -> Iterator[str]:
    """The HTML transcript the feeds announce (Podcasting 2.0 style: cite, time, p per segment)."""
    return render_html("transcript.html", lines=lines(transcript), title=title, lang=lang, root=DOC_ROOT,
                       L=i18n.labels(lang), noindex=noindex)
