"""Free text (newsletters, blog posts, reports) for `learninglab translate-text`.

The layout is kept: paragraphs stay paragraphs and every line break inside one stays where it was
(a list, a poem, an address block). Each line is a unit: a line that runs on into the next (it
does not end a sentence and the next starts in lower case: hard-wrapped prose) is read with it,
so a sentence wrapped over two lines is translated whole and its translation shared back over
the same two lines (translate/sentences.py). Indentation and list markers stay outside the engines.
All sentences of the document go through in one batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .enforce import BatchResult
from .sentences import lay_back, sentences

if TYPE_CHECKING:
    from ..project import Project
    from .service import Glossary

_MARGIN = re.compile(r"^\s*(?:(?:[-*•–]|\d{1,3}[.)])\s+)?")       # indentation and a list marker
_ENDS = (".", "!", "?", "…", ":", ";")


@dataclass(frozen=True)
class Layout:
    """The document as lines: what stays outside the engines, and which lines run on."""
    margins: tuple[str, ...]        # per line: indentation and list marker, kept as written
    texts: tuple[str, ...]          # per line: what is translated
    breaks: tuple[str, ...]         # after each line: "\n", "\n\n" between paragraphs, "" at the end

    def runs(self) -> list[list[int]]:
        out: list[list[int]] = []
        for i, text in enumerate(self.texts):
            joined = (out and self.breaks[i - 1] == "\n" and not self.margins[i].strip()
                      and not self.texts[i - 1].rstrip("\"'”’»)").endswith(_ENDS) and text[:1].islower())
            if joined:
                out[-1].append(i)
            else:
                out.append([i])
        return out

    def join(self, texts: list[str] | tuple[str, ...]) -> str:
        return "".join(m + t + b for m, t, b in zip(self.margins, texts, self.breaks, strict=True)) + "\n"


def _paragraphs(text: str) -> list[list[str]]:
    """Runs of non-blank lines; blank lines (however many) separate paragraphs."""
    out: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            out[-1].append(line.rstrip())
        elif out[-1]:
            out.append([])
    return [p for p in out if p]


def cut(text: str) -> Layout:
    margins, texts, breaks = [], [], []
    paragraphs = _paragraphs(text)
    for n, lines in enumerate(paragraphs):
        for k, line in enumerate(lines):
            margin = _MARGIN.match(line).group(0)
            margins.append(margin)
            texts.append(line[len(margin):])
            breaks.append("\n" if k < len(lines) - 1 else ("\n\n" if n < len(paragraphs) - 1 else ""))
    return Layout(tuple(margins), tuple(texts), tuple(breaks))


@dataclass(frozen=True)
class Document:
    text: str
    engine: str
    warnings: tuple[str, ...]       # flagged sentences and `avoid` wording, for stderr


def _warnings(result: BatchResult, sentences: list[str], glossary: Glossary, source: str,
              target: str) -> list[str]:
    lines = []
    for i in result.flagged:
        terms = ", ".join(slot.found for slot in result.outcomes[i].masked.slots)
        lines.append(f"glossary term(s) not enforced ({terms}), published as the engine gave it: "
                     f"{sentences[i]}")
    for i, outcome in enumerate(result.outcomes):
        for where, text, lang in (("in the source", sentences[i], source),
                                  ("in the translation", outcome.text, target)):
            for m in glossary.avoid(lang).find(text):
                lines.append(f"avoid wording {m.found!r} {where}: {m.entry.remark}")
    return lines


def translate_document(text: str, source: str, target: str, *, project: Project,
                       prefer: str = "auto") -> Document:
    """Translate a whole document in one batch, with the project's glossary enforced."""
    from .service import glossary_in, translate_batch

    layout = cut(text)
    found = sentences(layout.texts, layout.runs(), source)
    if source == target or not found:
        return Document(text, "none", ())
    glossary = glossary_in(project.glossary_dir)
    result = translate_batch([s.text for s in found], source, target, glossary=glossary,
                             models=project.models_dir, prefer=prefer)
    return Document(layout.join(lay_back(found, result.texts, len(layout.texts))), result.engine,
                    tuple(_warnings(result, [s.text for s in found], glossary, source, target)))
