"""The glossary compliance report of one translated transcript (translate/<lang>/glossary-report.json).

Per language: which glossary terms were found in the segments translated, how many came out
exactly as the glossary gives them (enforced), which segments were flagged (a placeholder lost
even after the retry, or no engine for the segment's language), and where `avoid` wording
appears, in what was said or in the translation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from .enforce import Outcome
from .matching import TermMatcher

REPORT_NAME = "glossary-report.json"


@dataclass(frozen=True)
class TermUse:
    segment: int
    source_form: str        # as written in the glossary, source language
    target_form: str        # as put into the translation (plural when the source was plural)
    found: str              # as written in the transcript
    kind: str
    enforced: bool
    unverified: bool        # the target cell has no cited source yet


@dataclass(frozen=True)
class Flag:
    segment: int
    start: float
    end: float
    reason: str
    source: str
    output: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class AvoidHit:
    segment: int
    where: str              # "source" (as spoken) or "output" (the translation)
    wording: str
    note: str


@dataclass(frozen=True)
class Compliance:
    language: str
    engines: dict[str, str]
    segments: int
    translated: int
    terms: tuple[TermUse, ...] = ()
    flags: tuple[Flag, ...] = ()
    avoid: tuple[AvoidHit, ...] = ()
    no_target_form: tuple[str, ...] = ()

    @property
    def summary(self) -> dict:
        return {"segments": self.segments, "translated": self.translated,
                "terms_found": len(self.terms), "enforced": sum(t.enforced for t in self.terms),
                "flagged": len(self.flags),
                "avoid_in_source": sum(a.where == "source" for a in self.avoid),
                "avoid_in_output": sum(a.where == "output" for a in self.avoid),
                "unverified_used": sum(t.unverified for t in self.terms)}

    def to_json(self) -> str:
        data = {"language": self.language, "engines": self.engines, "summary": self.summary,
                "terms": [asdict(t) for t in self.terms], "flagged": [asdict(f) for f in self.flags],
                "avoid": [asdict(a) for a in self.avoid], "no_target_form": list(self.no_target_form)}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def term_uses(index: int, outcome: Outcome, source: str, target: str) -> list[TermUse]:
    uses = []
    for slot in glossary_slots(outcome):
        uses.append(TermUse(index, slot.entry.term(source), slot.target(target), slot.found, slot.entry.kind,
                            outcome.enforced, target in slot.entry.unverified))
    return uses


def avoid_hits(index: int, text: str, where: str, matcher: TermMatcher) -> list[AvoidHit]:
    return [AvoidHit(index, where, m.found, m.entry.remark) for m in matcher.find(text)]


def lost_terms(outcome: Outcome, source: str) -> tuple[str, ...]:
    return tuple(slot.entry.term(source) for slot in glossary_slots(outcome))


def glossary_slots(outcome: Outcome):
    """The placeholders that stand for glossary terms (not the redaction mark)."""
    from .masking import REDACTION

    return [slot for slot in outcome.masked.slots if slot.entry is not REDACTION]


def describe(report: dict) -> list[str]:
    """Lines for `learninglab glossary check`."""
    s = report["summary"]
    engines = (", ".join(f"{pair}: {name}" for pair, name in report["engines"].items())
               or "no engine used")
    lines = [f"{report['language']}: {s['translated']}/{s['segments']} segments translated ({engines}); "
             f"terms found {s['terms_found']}, enforced {s['enforced']}, flagged segments {s['flagged']}, "
             f"avoid wording {s['avoid_in_source']} spoken / {s['avoid_in_output']} in translation"]
    for flag in report["flagged"]:
        terms = f" [{', '.join(flag['terms'])}]" if flag["terms"] else ""
        lines.append(f"  FLAGGED segment {flag['segment']} ({flag['start']:.1f}s): {flag['reason']}{terms}")
        lines.append(f"    source: {flag['source']}")
        lines.append(f"    output: {flag['output']}")
    for hit in report["avoid"]:
        place = "spoken" if hit["where"] == "source" else "in translation"
        lines.append(f"  avoid ({place}) segment {hit['segment']}: {hit['wording']!r} — {hit['note']}")
    return lines
