"""Free text (newsletters, blog posts, reports) for `learninglab translate-text`.

Paragraphs stay paragraphs; each paragraph is cut into sentences so every engine sees short units
(argos models are trained on sentences), and all sentences go through in one batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .enforce import BatchResult

if TYPE_CHECKING:
    from ..project import Project
    from .service import Glossary

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'“‘«¿¡(]?[^\W\d_])")


def split_sentences(paragraph: str) -> list[str]:
    """Split after . ! ? … when the next word starts a sentence; abbreviations may split too, harmlessly."""
    text = " ".join(paragraph.split())
    return [s for s in _SENTENCE_END.split(text) if s] if text else []


@dataclass(frozen=True)
class Layout:
    paragraphs: tuple[int, ...]     # sentences per paragraph

    def join(self, sentences: list[str] | tuple[str, ...]) -> str:
        out, pos = [], 0
        for count in self.paragraphs:
            out.append(" ".join(sentences[pos:pos + count]))
            pos += count
        return "\n\n".join(out) + "\n"


def cut(text: str) -> tuple[list[str], Layout]:
    sentences: list[str] = []
    counts = []
    for paragraph in _PARAGRAPHS.split(text.strip()):
        found = split_sentences(paragraph)
        if found:
            sentences += found
            counts.append(len(found))
    return sentences, Layout(tuple(counts))


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

    sentences, layout = cut(text)
    if source == target or not sentences:
        return Document(text, "none", ())
    glossary = glossary_in(project.glossary_dir)
    result = translate_batch(sentences, source, target, glossary=glossary, models=project.models_dir,
                             prefer=prefer)
    return Document(layout.join(result.texts), result.engine,
                    tuple(_warnings(result, sentences, glossary, source, target)))
