"""The share pack of one episode in one language: share/<lang>/<slug>/<slug>.opus and message.txt.

The voice note is the share stage's file, copied; the message is written from the same content
the notes pages show (LangContent: title, summary, chapters in that language), so a redaction or
a translated title reaches it exactly as it reaches the pages. It stays under MESSAGE_LIMIT, a
practical length for a forwarded WhatsApp message (longer ones are folded behind "Read more"): it is
shortened by whole sentences and whole chapter lines, never mid-sentence, and always keeps the title
and both links.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import LearningLabError
from . import i18n
from .content import LangContent

MESSAGE_LIMIT = 1000       # characters
SUMMARY_SENTENCES = 3
SHARE_DIR = "share"
MESSAGE_FILE = "message.txt"
COLON = {"fr": " : "}      # French puts a space before the colon


def share_dir(lang: str, slug: str) -> str:
    return f"{SHARE_DIR}/{lang}/{slug}"


def voice_note_path(lang: str, slug: str) -> str:
    return f"{share_dir(lang, slug)}/{slug}.opus"


def message_path(lang: str, slug: str) -> str:
    return f"{share_dir(lang, slug)}/{MESSAGE_FILE}"


def summary_sentences(content: LangContent) -> list[str]:
    """The summary (or, before summarize has run, the description) as sentences."""
    from ..summarize.sentences import split_text

    text = content.summary or content.description or ""
    return split_text(text, content.summary_lang if content.summary else content.description_lang)


def _compose(title: str, when: str, sentences: list[str], chapters: list[str], cut: bool,
             links: list[str], heading: str) -> str:
    blocks = [f"*{title}*\n{when}"]
    if sentences:
        blocks.append(" ".join(sentences))
    if chapters:
        blocks.append("\n".join([heading, *chapters, *(["…"] if cut else [])]))
    blocks.append("\n".join(links))
    return "\n\n".join(blocks) + "\n"


def message(content: LangContent, date: dt.date, duration: float, notes_url: str, feed_url: str,
            limit: int = MESSAGE_LIMIT) -> str:
    """The ready-to-forward message, in `content.lang`, under `limit` characters."""
    lang, labels = content.lang, i18n.labels(content.lang)
    colon = COLON.get(lang, ": ")
    when = f"{i18n.long_date(date, lang)} · {i18n.minutes(duration)} {labels['minutes']}"
    links = [f"{labels['show_notes']}{colon}{notes_url}", f"{labels['subscribe']}{colon}{feed_url}"]
    heading = labels["chapters"] + colon.rstrip()
    sentences = summary_sentences(content)[:SUMMARY_SENTENCES]
    chapters = [f"{i18n.clock(c.start)} {c.title.strip()}" for c in content.chapters if c.title.strip()]
    shown = len(chapters)
    title = content.title.strip()

    def text() -> str:
        return _compose(title, when, sentences, chapters[:shown], shown < len(chapters), links, heading)

    # what goes first when it is too long: a third sentence, then chapter lines from the end,
    # then the remaining sentences; a title too long on its own is cut at a word
    while len(text()) >= limit and len(sentences) > 2:
        sentences.pop()
    while len(text()) >= limit and shown > 0:
        shown -= 1
    while len(text()) >= limit and sentences:
        sentences.pop()
    words = title.split()
    while len(text()) >= limit and len(words) > 1:
        words.pop()
        title = " ".join(words).rstrip(" ,;:") + "…"
    return text()


def episode_message(show, content: LangContent, date: dt.date, duration: float, slug: str) -> str:
    """The message with this episode's notes page and this language's feed as links."""
    from .feeds import feed_path, url
    from .record import page_dir

    return message(content, date, duration, url(show, f"{page_dir(content.lang, slug)}/"),
                   url(show, feed_path(content.lang)))


@dataclass(frozen=True)
class SharePack:
    message: str
    audio: Path
    size: int          # bytes of the voice note

    @property
    def fits_whatsapp(self) -> bool:
        from ..share.voicenote import WHATSAPP_LIMIT
        return self.size <= WHATSAPP_LIMIT


def read_pack(project, slug: str, lang: str) -> SharePack:
    """The published pack (what `learninglab share` prints); a clear error when there is none."""
    show = project.show
    if lang not in show.languages:
        raise LearningLabError(show.path, f"the show has no language {lang!r}", field="--lang",
                               fix=f"use one of {', '.join(show.languages)}")
    site = project.site
    audio, text = site / voice_note_path(lang, slug), site / message_path(lang, slug)
    if not (audio.is_file() and text.is_file()):
        specs = {spec.slug: spec for spec in project.episodes().episodes}
        if slug not in specs:
            raise LearningLabError(project.root / "episodes" / slug, f"no episode {slug!r}",
                                   fix="`learninglab status` lists the episodes")
        status = specs[slug].status
        if status not in ("public", "unlisted"):
            raise LearningLabError(specs[slug].spec_path, f"a {status} episode has no share pack",
                                   field="status", fix='set status = "public" or "unlisted" and run '
                                                       "`learninglab run`")
        raise LearningLabError(site / share_dir(lang, slug), "not published yet",
                               fix=f"run `learninglab run {slug}`")
    return SharePack(text.read_text(encoding="utf-8"), audio, audio.stat().st_size)
