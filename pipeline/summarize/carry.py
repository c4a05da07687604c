"""Carry the summary into each of the show's languages; human-written text always wins.

For each language and each of summary, key points and chapters: the text a person wrote for
that language in episode.toml is used as written; else a person's text in another language is
translated (the spoken language first); else the generated lines are. A line already in the
target language is kept verbatim; the others go through the translate stage's engines with the
glossary enforced (`pipeline.translate.translate_texts`), one batch per source language.
Glossary topics take the glossary's own form in the target language, with no translation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .. import LANGUAGES
from ..episode import LocalText
from ..glossary import Entry
from .model import Chapter, Line, Summary, Topic
from .sentences import split_text

FIELDS = ("summary", "key_points", "chapters")


class Translated(Protocol):
    texts: tuple[str, ...]
    engine: str
    flagged: tuple[int, ...]


Translate = Callable[[Sequence[str], str, str], Translated]


@dataclass(frozen=True)
class Rendered:
    text: str
    flagged: bool = False


def human_texts(local: dict[str, LocalText], spoken: str) -> dict[str, LocalText]:
    """episode.toml texts by language; the top-level ("source") ones belong to the spoken language."""
    out = {lang: text for lang, text in local.items() if lang != "source"}
    top = local.get("source")
    if top is not None:
        mine = out.get(spoken, LocalText())
        out[spoken] = replace(mine, **{f: getattr(mine, f) or getattr(top, f)
                                       for f in ("summary", "key_points", "chapters")})
    return out


def _human(human: dict[str, LocalText], field: str, target: str, spoken: str):
    for lang in dict.fromkeys([target, spoken, *LANGUAGES]):
        value = getattr(human.get(lang) or LocalText(), field)
        if value:
            return lang, value
    return None


def _plan(source: Summary, target: str, human: dict[str, LocalText]) -> tuple[dict, tuple[str, ...]]:
    """What each field is made of before translation, and which fields are human-written."""
    spoken = source.source_language
    fields, written = {}, []
    for field in FIELDS:
        found = _human(human, field, target, spoken)
        if found is None:
            fields[field] = getattr(source, field)
            continue
        lang, value = found
        written.append(field)
        if field == "summary":
            fields[field] = tuple(Line(s, original=lang) for s in split_text(value, lang))
        elif field == "key_points":
            fields[field] = tuple(Line(p, original=lang) for p in value)
        else:
            fields[field] = tuple(Chapter(c.start, c.title, lang) for c in value)
    return fields, tuple(written)


def _glossary_form(topic: Topic, target: str, entries: Sequence[Entry]) -> str | None:
    if topic.source != "glossary":
        return None
    for entry in entries:
        if entry.kind != "avoid" and entry.term(topic.original).lower() == topic.text.lower():
            return entry.term(target) or None
    return None


def localize(source: Summary, target: str, translate: Translate, entries: Sequence[Entry] = (),
             human: dict[str, LocalText] | None = None) -> Summary:
    """The summary in `target`: human text where there is some, translations where needed."""
    fields, written = _plan(source, target, human or {})
    direct = {t: _glossary_form(t, target, entries) for t in source.topics}
    wanted: dict[str, list[str]] = {}
    texts = [(x.original, x.text) for x in (*fields["summary"], *fields["key_points"])]
    texts += [(c.original, c.title) for c in fields["chapters"]]
    texts += [(t.original, t.text) for t in source.topics if direct[t] is None]
    for lang, text in texts:
        if lang != target and text not in wanted.setdefault(lang, []):
            wanted[lang].append(text)
    done: dict[tuple[str, str], Rendered] = {}
    engines: set[str] = set()
    for lang, batch in wanted.items():
        result = translate(batch, lang, target)
        engines.add(result.engine)
        flagged = set(result.flagged)
        for k, (text, out) in enumerate(zip(batch, result.texts, strict=True)):
            done[(lang, text)] = Rendered(out, k in flagged)

    def render(lang: str, text: str) -> Rendered:
        return Rendered(text) if lang == target else done[(lang, text)]

    def line(x: Line) -> Line:
        r = render(x.original, x.text)
        return replace(x, text=r.text, flagged=r.flagged)

    def topic(t: Topic) -> Topic:
        r = Rendered(direct[t]) if direct[t] is not None else render(t.original, t.text)
        text = r.text[:1].lower() + r.text[1:] if t.text[:1].islower() else r.text   # engines capitalize
        return replace(t, text=text, flagged=r.flagged)

    def chapter(c: Chapter) -> Chapter:
        r = render(c.original, c.title)
        return replace(c, title=r.text, flagged=r.flagged)

    return replace(source, language=target,
                   summary=tuple(line(x) for x in fields["summary"]),
                   key_points=tuple(line(x) for x in fields["key_points"]),
                   topics=_unique(topic(t) for t in source.topics),
                   chapters=tuple(chapter(c) for c in fields["chapters"]),
                   translation=", ".join(sorted(engines)) or None, human=written)


def _unique(topics) -> tuple[Topic, ...]:
    """Two topics may land on one word in another language: keep the first."""
    seen, out = set(), []
    for t in topics:
        if t.text.lower() not in seen:
            seen.add(t.text.lower())
            out.append(t)
    return tuple(out)
