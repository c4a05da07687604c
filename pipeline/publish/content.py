"""What one episode says in one language: human text first, then machine text, then the original.

Order of precedence, per field and language:
title        episode.toml [lang].title > localize/<lang> (machine) > spec title (as written)
description  episode.toml [lang].description > localize/<lang> (machine) > spec description
speakers     roles and the descriptive parts of organizations: localize/<lang> > as written
summary      episode.toml summary > summary.json > none (pages then show the description)
chapters     episode.toml chapters > summary.json chapters > none
transcript   translate/<lang> > the spoken-language transcript (shown as such, never as a translation)

Every machine-made text is named in `machine`, so pages can mark it; publishing only reads what
the stages recorded and never asks an engine anything. Transcripts are streams (read a segment at a
time at each pass), so an episode of three hours is never held whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..episode import Chapter, EpisodeSpec, LocalText, Speaker
from ..project import Project
from ..summarize.model import Chapter as SummaryChapter
from ..summarize.model import Line
from ..transcript import TranscriptLike
from . import i18n, inputs


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
    transcript: TranscriptLike         # in `lang` when translated, else the spoken-language one
    engines: tuple[str, ...]           # translation engines behind this page's text, named plainly
    translated: bool                   # the transcript was machine-translated into `lang`
    translated_from: tuple[str, ...]   # the languages machine translation carried into `lang`
    speakers: tuple[Speaker, ...] = ()             # roles and organizations in `lang` where translated
    machine: tuple[str, ...] = ()                  # fields machine-translated: title, description, ...

    @property
    def transcript_lang(self) -> str:
        return self.transcript.language


@dataclass(frozen=True)
class EpisodeContent:
    """One episode ready to publish: its spec, inputs, and text per show language."""
    spec: EpisodeSpec
    source: TranscriptLike             # the original, as spoken
    spoken: tuple[str, ...]            # the languages spoken in it, in order of first appearance
    voices: frozenset[int]             # the voice numbers heard in it (its translations hold the same)
    audio: inputs.Audio
    langs: dict[str, LangContent]


def _local(spec: EpisodeSpec, lang: str, source: str) -> LocalText:
    if lang in spec.local:
        return spec.local[lang]
    if lang == source and "source" in spec.local:
        return spec.local["source"]
    return LocalText()


def _chosen(human: str | None, machine, original: str, original_lang: str,
            lang: str) -> tuple[str, str, bool]:
    """(text, its language, machine-made?) for one field: a person's text, the machine's, or as written."""
    if human:
        return human, lang, False
    if machine is not None and machine.text.strip():
        return machine.text, machine.lang, machine.machine
    return original, original_lang, False


def _speakers(spec: EpisodeSpec, texts) -> tuple[tuple[Speaker, ...], bool]:
    if texts is None or len(texts.speakers) != len(spec.speakers):
        return spec.speakers, False
    out = tuple(Speaker(s.name, t.organization.text if s.organization else "", t.role.text if s.role else "")
                for s, t in zip(spec.speakers, texts.speakers, strict=True))
    return out, any(t.role.machine or t.organization.machine for t in texts.speakers)


def lang_content(project: Project, spec: EpisodeSpec, lang: str, source: TranscriptLike,
                 languages: tuple[str, ...] | None = None) -> LangContent:
    """`languages`: those spoken in `source`, when known (else it is read for them)."""
    languages = source.languages if languages is None else languages
    spoken = source.language
    local = _local(spec, lang, spoken)
    generated = inputs.summary(project, spec, lang)
    texts = inputs.episode_texts(project, spec, lang)
    written = texts.source_language if texts else spoken      # the language episode.toml is written in
    # a translation counts only where something was said in another language (a session spoken
    # wholly in `lang` is published as the original, with no engine named)
    foreign = tuple(language for language in languages if language != lang)
    translation = inputs.translated_transcript(project, spec, lang) if foreign else None
    title, title_lang, title_machine = _chosen(local.title, texts and texts.title, spec.title, written, lang)
    description, description_lang, description_machine = _chosen(
        local.description, texts and texts.description, spec.description, written, lang)
    speakers, speakers_machine = _speakers(spec, texts)
    summary = local.summary or (generated.paragraph if generated else None) or None
    machine = [name for name, made in (("title", title_machine), ("description", description_machine),
                                       ("speakers", speakers_machine)) if made]
    engines: list[str] = []
    carried: list[str] = []
    if translation is not None and (engine := inputs.translation_engine(translation)):
        engines.append(engine)
        carried += foreign
    if generated and generated.translation and not local.summary:
        engines.append(generated.translation)
        machine.append("summary")
        carried += foreign
    if (title_machine or description_machine or speakers_machine) and texts is not None:
        engines += texts.engines.values()
        carried.append(written)
    return LangContent(
        lang=lang, title=title, description=description, summary=summary, title_lang=title_lang,
        description_lang=description_lang, summary_lang=lang if summary else description_lang,
        key_points=(tuple(Line(p) for p in local.key_points)
                    or (generated.key_points if generated else ())),
        chapters=local.chapters or (generated.chapters if generated else ()),
        topics=(tuple(dict.fromkeys(t.text for t in generated.topics)) if generated
                else spec.topics),     # summarize carries the episode's own topics first
        transcript=translation or source,
        engines=i18n.engine_names(engines),
        translated=translation is not None,
        translated_from=tuple(dict.fromkeys(c for c in carried if c != lang)),
        speakers=speakers, machine=tuple(machine),
    )


def episode_content(project: Project, spec: EpisodeSpec) -> EpisodeContent:
    from ..voices import voice_number

    source = inputs.source_transcript(project, spec)
    spoken: dict[str, None] = {}
    voices = set()
    for seg in source.iter_segments():          # one pass for both
        spoken.setdefault(seg.language, None)
        if (voice := voice_number(seg.speaker)) is not None:
            voices.add(voice)
    audio = inputs.audio(project, spec)
    languages = tuple(spoken)
    langs = {lang: lang_content(project, spec, lang, source, languages) for lang in project.show.languages}
    return EpisodeContent(spec, source, languages, frozenset(voices), audio, langs)
