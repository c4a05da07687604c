"""A feedgen extension for the Podcasting 2.0 namespace, plus Apple's true/false itunes:explicit.

feedgen's own podcast (iTunes) extension writes itunes:explicit only as yes/no/clean, which Apple
no longer accepts; this extension writes `true`/`false` on the channel and on each item instead
(never call feedgen's itunes_explicit alongside it).

Register with `fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import lxml.etree  # noqa: F401 - feedgen.util uses lxml.etree without importing it
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# The namespace UUID the podcast:guid spec fixes for UUIDv5 feed GUIDs.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def feed_guid(feed_url: str) -> str:
    """podcast:guid as the spec computes it: UUIDv5 of the URL without scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[1] if "://" in feed_url else feed_url
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare.rstrip("/")))


def _p(name: str) -> str:
    return f"{{{PODCAST_NS}}}{name}"


def _explicit(parent, value: bool | None) -> None:
    if value is not None:
        xml_elem(f"{{{ITUNES_NS}}}explicit", parent).text = "true" if value else "false"


@dataclass(frozen=True)
class Transcript:
    url: str
    type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class AlternateEnclosure:
    url: str
    type: str
    length: int
    bitrate: int | None = None
    title: str | None = None
    lang: str | None = None
    default: bool = False


class PodcastIndexExtension(BaseExtension):
    """Channel tags: podcast:guid, podcast:locked, podcast:person, itunes:explicit (true/false)."""

    def __init__(self) -> None:
        self._guid: str | None = None
        self._locked: tuple[bool, str | None] | None = None
        self._persons: list[Person] = []
        self._explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def podcast_guid(self, value: str) -> None:
        self._guid = str(uuid.UUID(value))

    def podcast_locked(self, locked: bool, owner: str | None = None) -> None:
        self._locked = (locked, owner)

    def podcast_person(self, person: Person) -> None:
        self._persons.append(person)

    def explicit(self, value: bool) -> None:
        self._explicit = bool(value)

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        _explicit(channel, self._explicit)
        if self._locked is not None:
            locked = xml_elem(_p("locked"), channel)
            locked.text = "yes" if self._locked[0] else "no"
            if self._locked[1]:
                locked.attrib["owner"] = self._locked[1]
        if self._guid:
            xml_elem(_p("guid"), channel).text = self._guid
        for person in self._persons:
            _person(channel, person)
        return rss_feed


def _person(parent, person: Person) -> None:
    elem = xml_elem(_p("person"), parent)
    elem.text = person.name
    for key in ("role", "group", "href", "img"):
        if getattr(person, key):
            elem.attrib[key] = getattr(person, key)


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Item tags: podcast:transcript, podcast:chapters, podcast:person, podcast:alternateEnclosure,
    itunes:explicit (true/false)."""

    def __init__(self) -> None:
        self._transcripts: list[Transcript] = []
        self._chapters: tuple[str, str] | None = None
        self._persons: list[Person] = []
        self._alternates: list[AlternateEnclosure] = []
        self._explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def transcript(self, value: Transcript) -> None:
        self._transcripts.append(value)

    def chapters(self, url: str, type: str = "application/json+chapters") -> None:
        self._chapters = (url, type)

    def person(self, person: Person) -> None:
        self._persons.append(person)

    def alternate_enclosure(self, value: AlternateEnclosure) -> None:
        self._alternates.append(value)

    def explicit(self, value: bool) -> None:
        self._explicit = bool(value)

    def extend_rss(self, item):
        _explicit(item, self._explicit)
        for t in self._transcripts:
            elem = xml_elem(_p("transcript"), item, url=t.url, type=t.type)
            if t.language:
                elem.attrib["language"] = t.language
            if t.rel:
                elem.attrib["rel"] = t.rel
        if self._chapters:
            xml_elem(_p("chapters"), item, url=self._chapters[0], type=self._chapters[1])
        for person in self._persons:
            _person(item, person)
        for alt in self._alternates:
            elem = xml_elem(_p("alternateEnclosure"), item, type=alt.type, length=str(alt.length))
            if alt.bitrate:
                elem.attrib["bitrate"] = str(alt.bitrate)
            if alt.title:
                elem.attrib["title"] = alt.title
            if alt.lang:
                elem.attrib["lang"] = alt.lang
            if alt.default:
                elem.attrib["default"] = "true"
            xml_elem(_p("source"), elem, uri=alt.url)
        return item
