"""A transcript in another language, sentence by sentence, on the source's segments and times.

Segments already in the target language (an interpreter's turns, a mixed session) are kept as
spoken, word times included. The others are joined into sentences across the segments of each
run (one speaker, one language: never across a change of either), every sentence of a source
language is translated whole in one batch, and each translation is laid back onto the segments
its sentence spanned (translate/sentences.py), so every segment keeps its times and holds a piece
of a fluent sentence. The compliance report names a sentence by the first segment it is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..glossary import LANGUAGES
from ..transcript import Segment, Transcript
from .choose import find_route, load, route_for
from .enforce import translate_enforced
from .report import AvoidHit, Compliance, Flag, TermUse, avoid_hits, lost_terms, term_uses
from .sentences import lay_back, sentences
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


def runs(segments: list[Segment], indexes: list[int]) -> list[list[int]]:
    """Consecutive segments of one speaker among `indexes` (all of one language): what may be
    joined into sentences. A change of speaker always ends a run."""
    out: list[list[int]] = []
    for i in indexes:
        if out and out[-1][-1] == i - 1 and segments[i - 1].speaker == segments[i].speaker:
            out[-1].append(i)
        else:
            out.append([i])
    return out


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
        found = sentences([seg.text for seg in segments], runs(segments, indexes), source)
        batch = translate_enforced([s.text for s in found], target, glossary.terms(source), load(route))
        laid = lay_back(found, batch.texts, len(segments))
        for i in indexes:
            seg = segments[i]
            segments[i] = Segment(seg.start, seg.end, laid[i], target, None, seg.speaker)
            avoid += avoid_hits(i, seg.text, "source", glossary.avoid(source))
        for sentence, outcome in zip(found, batch.outcomes, strict=True):
            first, last = sentence.pieces[0].unit, sentence.pieces[-1].unit
            uses += term_uses(first, outcome, source, target)
            no_target += [m.entry.term(source) for m in outcome.masked.unmasked]
            if not outcome.enforced:
                flags.append(Flag(first, transcript.segments[first].start, transcript.segments[last].end,
                                  LOST, sentence.text, outcome.text, lost_terms(outcome, source)))
            avoid += avoid_hits(first, outcome.text, "output", glossary.avoid(target))

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
