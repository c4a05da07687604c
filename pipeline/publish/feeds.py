"""One podcast RSS feed per language, with feedgen and the Podcasting 2.0 extension.

Descriptions are HTML to podcast apps and to feedparser and podcastparser, so the plain text of
episode.toml is HTML-escaped (in CDATA): "5 < 6" or a literal "<script>" reaches listeners as
text, never as markup. <description> holds the escaped description only, with no tags, because
podcast-partytime decodes entities once and would otherwise hand its users live markup;
<content:encoded> holds the show notes as HTML paragraphs (description, summary, notes link).

feedgen traps handled here: RSS <link> is the href of the *last* link() call (so the self link
goes first), itunes:explicit comes from our extension (true/false), and artwork is checked to be
PNG/JPEG before it reaches itunes_image (feedgen drops anything else silently).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .. import __version__
from ..redact import MARK
from ..show import Show
from ..tomlfile import xml_safe
from .i18n import labels
from .record import EpisodeRecord

# Roles of the Podcast Taxonomy Project that speakers' free-text roles may match; others are guests.
TAXONOMY_ROLES = {"host", "co-host", "guest host", "guest", "cover art designer", "producer", "narrator",
                  "announcer", "editor", "interviewer", "translator"}


def url(show: Show, path: str) -> str:
    return show.base_url + path


def feed_path(lang: str) -> str:
    return f"{lang}/feed.xml"


def _published(date: dt.date) -> dt.datetime:
    """Episodes carry a day; they are published at noon UTC of that day (stable, RFC 2822 in the feed)."""
    return dt.datetime(date.year, date.month, date.day, 12, 0, tzinfo=dt.timezone.utc)


def escaped(text: str):
    """Plain text as HTML text (entities, no tags), in CDATA."""
    from html import escape

    from lxml.etree import CDATA

    return CDATA(escape(xml_safe(text), quote=False))


def show_notes(*paragraphs: str, link: tuple[str, str] | None = None) -> str:
    """Plain-text paragraphs and an optional (href, label) link as HTML for content:encoded."""
    from html import escape

    parts = [f"<p>{escape(xml_safe(p), quote=False)}</p>" for p in paragraphs if p and p.strip()]
    if link:
        parts.append(f'<p><a href="{escape(link[0])}">{escape(link[1], quote=False)}</a></p>')
    return "".join(parts)


def _person_role(role: str) -> str:
    role = role.strip().lower()
    return role if role in TAXONOMY_ROLES else "guest"


def build_feed(show: Show, lang: str, episodes: Sequence[EpisodeRecord], artwork: str) -> bytes:
    """The feed for `lang`: `episodes` in the order given (newest first), every URL under base_url."""
    from feedgen.feed import FeedGenerator

    from .podcast_ns import (
        AlternateEnclosure,
        Person,
        PodcastIndexEntryExtension,
        PodcastIndexExtension,
        Transcript,
        feed_guid,
    )

    text = show.text[lang]
    self_url = url(show, feed_path(lang))
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.title(text.title)
    fg.description(escaped(text.description))
    fg.language(lang)
    fg.link(href=self_url, rel="self", type="application/rss+xml")
    fg.link(href=url(show, f"{lang}/"), rel="alternate")       # last link() call = RSS <link>
    fg.image(url=url(show, artwork), title=text.title, link=url(show, f"{lang}/"))
    if show.copyright:
        fg.copyright(show.copyright)
    fg.generator("learninglab", version=__version__)
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email)
    fg.podcast.itunes_image(url(show, artwork))
    fg.podcast.itunes_category([{"cat": c} for c in show.categories])
    fg.podcast.itunes_summary(text.description)
    fg.podcast.itunes_type("episodic")
    fg.podcastindex.explicit(show.explicit)
    fg.podcastindex.podcast_locked(True, show.owner_email)
    fg.podcastindex.podcast_guid(text.guid or feed_guid(self_url))
    newest = max((_published(e.date) for e in episodes), default=None)
    if newest is not None:
        fg.lastBuildDate(newest)
        fg.pubDate(newest)
    for ep in episodes:
        local = ep.langs[lang]
        fe = fg.add_entry(order="append")
        fe.title(xml_safe(local.title))
        page_url = url(show, local.page + "/")
        fe.description(escaped(local.description or local.title))
        fe.content(show_notes(local.description, local.summary, local.notice,
                              link=(page_url, labels(lang)["show_notes"])), type="CDATA")
        fe.link(href=page_url)
        fe.guid(ep.guid, permalink=False)
        fe.pubDate(_published(ep.date))
        fe.enclosure(url(show, ep.audio.path), str(ep.audio.length), ep.audio.type)
        fe.podcast.itunes_duration(int(round(ep.duration)))
        if ep.season:
            fe.podcast.itunes_season(ep.season)
        if ep.episode:
            fe.podcast.itunes_episode(ep.episode)
        fe.podcast.itunes_episode_type("full")
        fe.podcastindex.explicit(ep.explicit)
        for t in local.transcripts:
            fe.podcastindex.transcript(Transcript(url(show, t.path), t.type, t.language, t.rel))
        if local.chapters:
            fe.podcastindex.chapters(url(show, local.chapters))
        for speaker in ep.speakers:
            if MARK not in speaker.name:          # a redacted speaker is no person of the feed
                fe.podcastindex.person(Person(xml_safe(speaker.name), role=_person_role(speaker.role)))
        # the data saver, titled in the feed's language
        fe.podcastindex.alternate_enclosure(AlternateEnclosure(
            url(show, ep.low.path), ep.low.type, ep.low.length, bitrate=ep.low_bitrate or None,
            title=labels(lang)["low_enclosure"].format(kbps=ep.low_bitrate // 1000)))
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
