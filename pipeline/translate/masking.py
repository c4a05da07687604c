"""Glossary placeholders: hide each term from the engine, check it came back, put the target term in.

Placeholders look like ``XTERM0X``: a capitalised nonsense word that both argos (SentencePiece keeps
it as plain letters) and Apertium (an unknown word passes through) leave alone. Never underscores:
argos decoding turns ``_`` into spaces. A placeholder counts as back only when it stands alone
(nothing glued to it, as in Apertium's "XTERM0Xha" for "XTERM0X's"), exactly once. The redaction
mark rides the same way, so no engine can alter it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..glossary import Entry
from ..redact import MARK
from .agree import agree
from .inflect import pluralize
from .matching import Match, TermMatcher

PLACEHOLDER = "XTERM{}X"
_FOUND = re.compile(r"(?<!\w)XTERM(\d+)X(?!\w)", re.IGNORECASE)
_ANY = re.compile(r"XTERM\d+X", re.IGNORECASE)
_OPENERS = "\"'“‘«¿¡([ \u00a0"
_SENTENCE_END = re.compile(r"(^|[.!?…])$")


@dataclass(frozen=True)
class Slot:
    entry: Entry
    found: str
    plural: bool

    def target(self, lang: str) -> str:
        form = self.entry.term(lang)
        return pluralize(form, lang) if self.plural and self.entry.kind != "keep" else form


@dataclass(frozen=True)
class Masked:
    source: str
    text: str                       # what the engine sees
    slots: tuple[Slot, ...]         # slot n is placeholder XTERMnX
    unmasked: tuple[Match, ...]     # found, but with no form in the target language


# The redaction mark travels through every engine like a name: Apertium would star it ("[*redacted]"),
# a neural model could translate it ("[redactado]"); as a placeholder it comes back as it went in.
REDACTION = Entry(MARK, MARK, MARK, "keep", note="the redaction mark, never translated")


def _marks(text: str) -> list[Match]:
    return [Match(m.start(), m.end(), REDACTION, MARK, False) for m in re.finditer(re.escape(MARK), text)]


def mask(text: str, matcher: TermMatcher, target: str) -> Masked:
    slots: list[Slot] = []
    unmasked: list[Match] = []
    pieces, pos = [], 0
    marks = _marks(text)
    terms = [m for m in matcher.find(text) if not any(m.start < k.end and m.end > k.start for k in marks)]
    for m in sorted(terms + marks, key=lambda m: m.start):
        if not m.entry.term(target):
            unmasked.append(m)
            continue
        pieces += [text[pos:m.start], PLACEHOLDER.format(len(slots))]
        slots.append(Slot(m.entry, m.found, m.plural))
        pos = m.end
    pieces.append(text[pos:])
    return Masked(text, "".join(pieces), tuple(slots), tuple(unmasked))


def intact(masked: Masked, output: str) -> bool:
    """Every placeholder back exactly once, standing alone, and nothing else that looks like one."""
    found = Counter(int(n) for n in _FOUND.findall(output))
    return (found == Counter(range(len(masked.slots)))
            and len(_ANY.findall(output)) == len(masked.slots))


def _at_sentence_start(before: str) -> bool:
    return bool(_SENTENCE_END.search(before.rstrip(_OPENERS)))


def _capitalize(term: str) -> str:
    return term[:1].upper() + term[1:]


def unmask(output: str, masked: Masked, target: str) -> str:
    """Put the target terms in (capitalised where a sentence starts), make the determiner before
    each agree with it (agree.py), and tidy the spacing."""
    done, pos = "", 0
    for m in _FOUND.finditer(output):
        slot = masked.slots[int(m.group(1))]
        term = slot.target(target)
        before = done + output[pos:m.start()]
        if slot.entry.kind != "keep":          # "nuestro XTERM0X" -> "nuestras socias"
            before = agree(before, term, slot.plural, target)
        done = before + (_capitalize(term) if _at_sentence_start(before) else term)
        pos = m.end()
    return tidy(done + output[pos:])


def tidy(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", text).strip()
