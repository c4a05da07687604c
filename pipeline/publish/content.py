"""What one episode says in one language: human text first, then generated text, then the original.

Order of precedence, per field and language:
title        episode.toml [lang].title > spec title (in the spoken language)
description  episode.toml [lang].description > spec description (in the spoken language)
summary      episode.toml summary > summary.json > none (pages then show the description)
chapters     episode.toml chapters > summary.json chapters > none
transcript   translate/<lang> > the spoken-language transcript (shown as such, never as a translation)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..episode import Chapter, EpisodeSpec, LocalText
from ..project import Project
from ..summarize.model import Chapter as SummaryChapter
from ..summarize.model import Line
from ..transcript import Transcript
from . import inputs


@dataclass(frozen=True)
class LangContent:
    lang: str
    title: str
    description: str
    summary: str | None
    title_lang: str                    # the language each text is really in: `lang`, or the
    description_lang: str              # spoken language where nothing translated it yet
    summary_lang: str
    key_points: tuple[Line, ...]
    chapters: tuple[Chapter | SummaryChapter, ...]    # both have .start and .title
    topics: tuple[str, ...]
    transcript: Transcript             # in `lang` when translated, else the spoken-language one
    engines: tuple[str, ...]           # translation engines behind this page's text
    translated: bool                   # the transcript was machine-translated into `lang`
    translated_from: tuple[str, ...]   # the spoken languages that were translated

    @property
    def transcript_lang(self) -> str:
        return self.transcript.language


@dataclass(frozen=True)
class EpisodeContent:
    """One episode ready to publish: its spec, inputs, and text per show language."""
    spec: EpisodeSpec
    source: Transcript                 # the original, as spoken
    audio: inputs.Audio
    langs: dict[str, LangContent]


def _local(spec: EpisodeSpec, lang: str, source: str) -> LocalText:
    if lang in spec.local:
        return spec.local[lang]
    if lang == source and "source" in spec.local:
        return spec.local["source"]
    return LocalText()


def lang_content(project: Project, spec: EpisodeSpec, lang: str, source: Transcript) -> LangContent:
    spoken = source.language
    local = _local(spec, lang, spoken)
    generated = inputs.summary(project, spec, lang)
    # a translation counts only where something was said in another language (a session spoken
    # wholly in `lang` is published as the original, with no engine named)
    foreign = tuple(dict.fromkeys(seg.language for seg in source.segments if seg.language != lang))
    translation = inputs.translated_transcript(project, spec, lang) if foreign else None
    title = local.title or spec.title
    description = local.description or spec.description
    title_lang = lang if lang == spoken or title != spec.title or local.title else spoken
    description_lang = (lang if lang == spoken or description != spec.description or local.description
                        else spoken)
    summary = local.summary or (generated.paragraph if generated else None) or None
    engines: list[str] = []
    if translation is not None and (engine := inputs.translation_engine(translation)):
        engines.append(engine)
    if generated and generated.translation and not local.summary:
        engines.append(generated.translation)
    return LangContent(
        lang=lang, title=title, description=description, summary=summary, title_lang=title_lang,
        description_lang=description_lang, summary_lang=lang if summary else description_lang,
        key_points=(tuple(Line(p) for p in local.key_points)
                    or (generated.key_points if generated else ())),
        chapters=local.chapters or (generated.chapters if generated else ()),
        topics=(tuple(dict.fromkeys(t.text for t in generated.topics)) if generated
                else spec.topics),     # summarize carries the episode's own topics first
        transcript=translation or source,
        engines=tuple(dict.fromkeys(engines)),
        translated=translation is not None,
        translated_from=foreign if translation is not None else (),
    )


def episode_content(project: Project, spec: EpisodeSpec) -> EpisodeContent:
    source = inputs.source_transcript(project, spec)
    audio = inputs.audio(project, spec)
    langs = {lang: lang_content(project, spec, lang, source) for lang in project.show.languages}
    return EpisodeContent(spec, source, audio, langs)
