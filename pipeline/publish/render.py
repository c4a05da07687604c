"""Jinja2 environments: HTML with autoescaping always on, and Markdown whose every value is escaped.

Text from episode files, transcripts and translations is data, never markup: a description that
says `<script>` must show those characters on the page, in the feed and in notes.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import i18n

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can start markup.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|~])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+)([.)]?)(?=\s|$)", re.MULTILINE)


def md_escape(value) -> str:
    """Plain text made inert in Markdown (and in any HTML a Markdown renderer lets through)."""
    from markupsafe import Markup

    if value is None:
        return ""
    if isinstance(value, Markup):          # trusted: links and paths built by publish itself
        return str(value)
    text = _MD_SPECIAL.sub(r"\\\1", str(value))
    # a list marker is made inert by escaping its punctuation (1\. rather than \1.): CommonMark escapes
    # only punctuation, so a backslash before a digit would be shown as it is
    return _MD_LINE_START.sub(_inert_marker, text)


def _inert_marker(m: re.Match) -> str:
    lead, marker, punct = m.groups()
    if marker.isdigit():
        return f"{lead}{marker}\\{punct}" if punct else m.group(0)
    return f"{lead}\\{marker}"


@dataclass(frozen=True)
class Alternate:
    lang: str
    name: str
    href: str
    current: bool


@dataclass(frozen=True)
class Page:
    """What every page's frame needs: its language, where the site root is, the language switch."""
    lang: str
    title: str
    root: str                         # relative path from the page to the site root ("", "../", ...)
    home: str                         # this language's portal page
    alternates: tuple[Alternate, ...]
    feed: str | None = None
    noindex: bool = False


def page(lang: str, title: str, root: str, languages: tuple[str, ...], path_in: Callable[[str], str],
         noindex: bool = False) -> Page:
    """`path_in(lang)` gives the same page's path (from the root) in another language."""
    alternates = tuple(Alternate(other, i18n.LANGUAGE_NAMES.get(other, other), root + path_in(other),
                                 other == lang) for other in languages)
    return Page(lang, title, root, f"{root}{lang}/index.html", alternates,
                feed=f"{root}{lang}/feed.xml" if lang in languages else None, noindex=noindex)


@lru_cache(maxsize=1)
def html_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["clock"] = i18n.clock
    return env


@lru_cache(maxsize=1)
def markdown_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=False, finalize=md_escape,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["clock"] = i18n.clock
    return env


def render_html(template: str, **context) -> Iterator[str]:
    """The page in pieces, as the template makes them (a transcript's lines are read as it goes)."""
    return html_env().get_template(template).generate(**context)


def render_markdown(template: str, **context) -> Iterator[str]:
    return markdown_env().get_template(template).generate(**context)


def trusted(value: str):
    """Mark a value publish built itself (a relative link) as safe to emit unescaped in Markdown."""
    from markupsafe import Markup
    return Markup(value)
