"""Session notes for one episode in one language: the HTML page, notes.md, and the HTML transcript.

All three are rendered from one NotesView, so the page and the Markdown never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..episode import Chapter, Speaker
from ..transcript import Transcript
from . import i18n
from .content import EpisodeContent, LangContent
from .record import ORIGINAL, EpisodeRecord, chapters_path, page_dir, transcript_path
from .render import Page, page, render_html, render_markdown, trusted

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
class Turn:
    """What one speaker says before another speaks: the notes page's transcript is a list of these."""
    speaker: str | None
    start: float
    lines: tuple[Line, ...]


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
    summary: str
    summary_lang: str
    summary_is_description: bool
    key_points: tuple[TimedText, ...]
    chapters: tuple[Chapter, ...]
    topics: tuple[str, ...]
    notices: tuple[str, ...]
    audio: str
    captions: str
    captions_lang: str
    captions_label: str
    downloads: tuple[Link, ...]
    turns: tuple[Turn, ...]
    transcript_lang: str


def _size(length: int) -> str:
    return f"{length / 1_000_000:.1f} MB" if length >= 100_000 else f"{max(1, round(length / 1000))} kB"


def transcript_key(content: LangContent) -> str:
    return content.lang if content.translated else ORIGINAL


def lines(transcript: Transcript) -> tuple[Line, ...]:
    out, previous = [], object()
    for seg in transcript.segments:
        if not seg.text.strip():
            continue
        out.append(Line(seg.start, seg.end, seg.text.strip(), seg.language, seg.speaker,
                        seg.speaker is not None and seg.speaker != previous))
        previous = seg.speaker
    return tuple(out)


def turns(transcript: Transcript) -> tuple[Turn, ...]:
    """Consecutive lines of one speaker, together (lines with no speaker join the turn they are in)."""
    out: list[Turn] = []
    for line in lines(transcript):
        if out and not line.new_speaker:
            out[-1] = Turn(out[-1].speaker, out[-1].start, out[-1].lines + (line,))
        else:
            out.append(Turn(line.speaker, line.start, (line,)))
    return tuple(out)


def notices(content: LangContent, source_language: str) -> tuple[str, ...]:
    labels = i18n.labels(content.lang)
    out = []
    if content.engines:
        spoken = content.translated_from or (source_language,)
        out.append(labels["translated_by"].format(
            source=i18n.names_list(spoken, content.lang),
            engine=", ".join(content.engines)))
        out.append(labels["translated_parts"])
    elif content.lang != content.transcript_lang:
        out.append(labels["not_translated"].format(lang=i18n.language_in(content.lang, content.lang),
                                                   source=i18n.language_in(content.transcript_lang,
                                                                           content.lang)))
    if not content.summary:
        out.append(labels["no_summary"])
    return tuple(out)


def view(episode: EpisodeContent, lang: str, record: EpisodeRecord) -> NotesView:
    content = episode.langs[lang]
    spec, labels = episode.spec, i18n.labels(lang)
    key = transcript_key(content)
    link = lambda path: PAGE_ROOT + path  # noqa: E731 - site path as seen from the notes page
    downloads = [Link(labels["audio"], link(record.audio.path), _size(record.audio.length)),
                 Link(labels["audio_low"], link(record.low.path), _size(record.low.length))]
    for ext in ("vtt", "srt", "json", "txt", "html"):
        downloads.append(Link(f"{labels['transcript_as']} ({ext.upper()})",
                              link(transcript_path(spec.slug, key, ext))))
    if key != ORIGINAL:
        downloads.append(Link(labels["original_transcript"],
                              link(transcript_path(spec.slug, ORIGINAL, "html"))))
    if content.chapters:
        downloads.append(Link(labels["chapters_json"], link(chapters_path(spec.slug, lang))))
    downloads.append(Link(labels["notes_md"], "notes.md"))
    return NotesView(
        lang=lang, slug=spec.slug, title=content.title, title_lang=content.title_lang,
        description=content.description, description_lang=content.description_lang, date=spec.date,
        date_text=i18n.long_date(spec.date, lang), duration=episode.audio.info.duration,
        spoken=i18n.names_list(_spoken(episode), lang),
        speakers=spec.speakers, summary=content.summary or content.description,
        summary_lang=content.summary_lang, summary_is_description=not content.summary,
        key_points=tuple(TimedText(p.text, p.start) for p in content.key_points),
        chapters=content.chapters, topics=content.topics, notices=notices(content, episode.source.language),
        audio=link(record.audio.path), captions=link(transcript_path(spec.slug, key, "vtt")),
        captions_lang=content.transcript_lang,
        captions_label=f"{labels['captions']} ({i18n.LANGUAGE_NAMES.get(content.transcript_lang, '')})",
        downloads=tuple(downloads), turns=turns(content.transcript), transcript_lang=content.transcript_lang)


def _spoken(episode: EpisodeContent) -> tuple[str, ...]:
    """Languages spoken in the recording, from the original transcript."""
    spoken = tuple(c for c in episode.source.languages if c in i18n.LANGUAGE_NAMES)
    return spoken or (episode.source.language,)


def notes_page(v: NotesView, languages: tuple[str, ...], show_title: str, artwork: str,
               noindex: bool) -> str:
    frame: Page = page(v.lang, f"{v.title} · {show_title}", PAGE_ROOT, languages,
                       lambda other: f"{page_dir(other, v.slug)}/index.html", noindex=noindex)
    return render_html("episode.html", page=frame, v=v, L=i18n.labels(v.lang), show_title=show_title,
                       artwork=artwork)


def notes_markdown(v: NotesView) -> str:
    downloads = tuple(Link(d.label, trusted(d.href), d.detail) for d in v.downloads)
    return render_markdown("notes.md", v=v, downloads=downloads, audio=trusted(v.audio),
                           L=i18n.labels(v.lang))


def transcript_document(transcript: Transcript, title: str, lang: str, noindex: bool = False) -> str:
    """The HTML transcript the feeds announce (Podcasting 2.0 style: cite, time, p per segment)."""
    return render_html("transcript.html", lines=lines(transcript), title=title, lang=lang, root=DOC_ROOT,
                       L=i18n.labels(lang), noindex=noindex)
