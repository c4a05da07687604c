"""A transcript in another language, segment by segment, with the source's times kept.

Segments already in the target language (an interpreter's turns, a mixed session) are kept as
spoken, word times included; the others are translated in one batch per source language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..glossary import LANGUAGES
from ..transcript import Segment, Transcript
from .choose import find_route, load, route_for
from .enforce import translate_enforced
from .report import AvoidHit, Compliance, Flag, TermUse, avoid_hits, lost_terms, term_uses
from .service import Glossary

LOST = "a glossary placeholder did not survive translation, even on retry: the plain translation is published"


@dataclass(frozen=True)
class TranslatedTranscript:
    transcript: Transcript
    compliance: Compliance


def engine_summary(engines: dict[str, str]) -> str:
    names = set(engines.values())
    if not names:
        return "none"
    return names.pop() if len(names) == 1 else "; ".join(f"{pair}: {name}" for pair, name in engines.items())


def translate_transcript(transcript: Transcript, target: str, glossary: Glossary, models: Path | None = None,
                         prefer: str = "auto") -> TranslatedTranscript:
    segments = list(transcript.segments)
    groups: dict[str, list[int]] = {}
    for i, seg in enumerate(segments):
        if seg.language != target:
            groups.setdefault(seg.language, []).append(i)
    engines: dict[str, str] = {}
    uses: list[TermUse] = []
    flags: list[Flag] = []
    avoid: list[AvoidHit] = []
    no_target: list[str] = []
    for i, seg in enumerate(segments):
        if seg.language == target:
            avoid += avoid_hits(i, seg.text, "source", glossary.avoid(target))

    for source, indexes in groups.items():
        route = find_route(source, target, models, prefer)
        if route is None and source in LANGUAGES:
            route_for(source, target, models, prefer)        # raises, saying how to install an engine
        if route is None:
            reason = f"no engine for {source}->{target}: kept as spoken"
            flags += [Flag(i, segments[i].start, segments[i].end, reason, segments[i].text, segments[i].text)
                      for i in indexes]
            continue
        engines[f"{source}-{target}"] = route.name
        texts = [segments[i].text for i in indexes]
        batch = translate_enforced(texts, target, glossary.terms(source), load(route))
        for i, outcome in zip(indexes, batch.outcomes, strict=True):
            seg = segments[i]
            segments[i] = Segment(seg.start, seg.end, outcome.text, target, None, seg.speaker)
            uses += term_uses(i, outcome, source, target)
            no_target += [m.entry.term(source) for m in outcome.masked.unmasked]
            if not outcome.enforced:
                flags.append(Flag(i, seg.start, seg.end, LOST, seg.text, outcome.text,
                                  lost_terms(outcome, source)))
            avoid += avoid_hits(i, seg.text, "source", glossary.avoid(source))
            avoid += avoid_hits(i, outcome.text, "output", glossary.avoid(target))

    translated = sum(len(v) for k, v in groups.items() if f"{k}-{target}" in engines)
    sources = [k for k in groups if f"{k}-{target}" in engines]
    # the session's language, or (for its own language) the first other language its turns were in
    translated_from = None
    if sources:
        translated_from = transcript.language if transcript.language in sources else sources[0]
    extra = dict(transcript.extra)
    extra.update({"translation_engine": engine_summary(engines), "translation_engines": engines,
                  "flagged_segments": sorted(f.segment for f in flags)})
    result = Transcript(target, transcript.duration, tuple(segments), transcript.engine, transcript.model,
                        translated_from=translated_from, extra=extra)
    compliance = Compliance(target, engines, len(segments), translated,
                            tuple(sorted(uses, key=lambda u: (u.segment, u.source_form))),
                            tuple(sorted(flags, key=lambda f: f.segment)),
                            tuple(sorted(avoid, key=lambda a: (a.segment, a.where))),
                            tuple(sorted(set(no_target))))
    return TranslatedTranscript(result, compliance)
