"""Words for ranking and matching: tokens, stop words and Snowball stems for en, es and fr.

Everything here is offline and pure Python (YAKE's stop-word lists, which keep topic words such
as "world" that bigger lists drop, and snowballstemmer), so ranking a long session costs no
model load. Stems let "organization" match "organizations" and
"entrenar" match "entrenamos" when the glossary or the similarity graph compares words.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_SPLIT_RE = re.compile(r"[-'’]")
STEMMERS = {"en": "english", "es": "spanish", "fr": "french"}


@cache
def stop_words(lang: str) -> frozenset[str]:
    """YAKE's list for the language, read from its package data without importing YAKE."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("yake")
    if spec is None or not spec.origin:
        return frozenset()
    path = next(Path(spec.origin).parent.rglob(f"stopwords_{lang}.txt"), None)
    if path is None:
        return frozenset()
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip())


@cache
def _stemmer(lang: str):
    import snowballstemmer

    return snowballstemmer.stemmer(STEMMERS.get(lang, "english"))


@lru_cache(maxsize=1 << 16)
def stem(word: str, lang: str) -> str:
    """Stemming is the costly part of ranking; a session repeats its words, so remember them."""
    return _stemmer(lang).stemWord(word)


def stem_words(items: list[str], lang: str) -> list[str]:
    return [stem(w, lang) for w in items]


def words(text: str) -> list[str]:
    """Lower-case words; hyphenated and elided forms ("women-led", "l'équipe") split in parts."""
    out: list[str] = []
    for match in WORD_RE.finditer(text.lower()):
        out += [part for part in _SPLIT_RE.split(match.group()) if part]
    return out


def stems(text: str, lang: str) -> list[str]:
    """Every word's stem, stop words included: what glossary matching compares."""
    return stem_words(words(text), lang)


def content_stems(text: str, lang: str) -> list[str]:
    """Stems of the words that carry meaning: no stop words, no one- or two-letter words."""
    stop = stop_words(lang)
    kept = [w for w in words(text) if len(w) > 2 and w not in stop]
    return stem_words(kept, lang)
