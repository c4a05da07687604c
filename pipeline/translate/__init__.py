"""Translation between en, es and fr with the gender-equity glossary enforced.

`translate_texts` is what other stages call (the summarize stage translates its summaries with it);
it uses the same engine choice, cache and glossary enforcement as the translate stage. Heavy
libraries (ctranslate2, sentencepiece) load only when a pair is first translated with argos.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..project import Project


@dataclass(frozen=True)
class TranslatedTexts:
    texts: tuple[str, ...]
    engine: str                 # e.g. "argos", "apertium", "apertium via ca"
    flagged: tuple[int, ...]    # indices whose glossary placeholders could not be enforced


def translate_texts(texts: Sequence[str], source: str, target: str, *, project: Project) -> TranslatedTexts:
    """Translate `texts` from `source` to `target` in one batch; same language: returned as they are."""
    if source == target or not texts:
        return TranslatedTexts(tuple(texts), "none", ())
    from .service import glossary_in, translate_batch

    result = translate_batch(texts, source, target, glossary=glossary_in(project.glossary_dir),
                             models=project.models_dir)
    return TranslatedTexts(result.texts, result.engine, result.flagged)
