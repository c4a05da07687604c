"""Key phrases: what a stretch of talk is about, for topics and chapter titles.

Candidates are runs of one to three content words (split at stop words, punctuation and
numbers, as in RAKE). A phrase scores by how often it is said, a little more when it has more
than one word; for chapter titles its count is weighted by how specific it is to that chapter
(TF-IDF with the chapters as documents), so two chapters do not get the same title. The
surface form kept is the one said most often, lower-cased unless the speaker used it as a name.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .sentences import Sentence
from .text import STEMMERS, stem_words, stop_words, words

MAX_WORDS = 3
MIN_CHARS = 4             # a one-word topic shorter than this is a pronoun or a particle ("thy", "tus")
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+|[^\w\s]", re.UNICODE)
_ELISION_RE = re.compile(r"^(?:[dljmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


@dataclass(frozen=True)
class Phrase:
    key: tuple[str, ...]      # stems
    text: str                 # surface form
    count: int
    first: int                # index of the first sentence that says it
    score: float = 0.0


def _runs(text: str, lang: str) -> list[list[str]]:
    """Runs of content words: stop words, numbers and punctuation end a run."""
    stop = stop_words(lang)
    runs: list[list[str]] = [[]]
    for token in _TOKEN_RE.findall(text):
        word = _ELISION_RE.sub("", token) if lang == "fr" else token
        if not word[0].isalpha() or len(word) < 3 or word.lower() in stop or token.lower() in stop:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(word)
    return [r for r in runs if r]


def _names(sentences: Sequence[Sentence]) -> set[str]:
    """Words the speakers used with a capital inside a sentence: names, kept as said."""
    names = set()
    for sent in sentences:
        for word in sent.text.split()[1:]:
            word = word.strip(".,;:!?¿¡«»\"()")
            if word[:1].isupper():
                names.add(word)
    return names


def count_phrases(sentences: Sequence[Sentence]) -> dict[tuple[str, ...], Phrase]:
    """Every candidate phrase with its count, first sentence and most frequent surface form."""
    counts: Counter = Counter()
    surfaces: dict[tuple[str, ...], Counter] = {}
    first: dict[tuple[str, ...], int] = {}
    names = _names(sentences)
    for i, sent in enumerate(sentences):
        lang = sent.language if sent.language in STEMMERS else "en"
        for run in _runs(sent.text, lang):
            stems = [tuple(stem_words(words(w), lang)) for w in run]     # "sages-femmes": two stems
            for n in range(1, MAX_WORDS + 1):
                for k in range(len(run) - n + 1):
                    key = (lang, *(s for parts in stems[k:k + n] for s in parts))
                    surface = " ".join(w if w in names else w.lower() for w in run[k:k + n])
                    counts[key] += 1
                    surfaces.setdefault(key, Counter())[surface] += 1
                    first.setdefault(key, i)
    return {key: Phrase(key, surfaces[key].most_common(1)[0][0], c, first[key]) for key, c in counts.items()}


def _length_bonus(key: tuple[str, ...]) -> float:
    return 1.0 + 0.5 * (len(key) - 2)          # key[0] is the language; a word may give two stems


def pick(phrases: Sequence[Phrase], count: int, taken: Sequence[tuple[str, ...]] = ()) -> list[Phrase]:
    """The best phrases that share no stem with one another nor with `taken`."""
    used = {stem for key in taken for stem in key[1:]}
    out: list[Phrase] = []
    for phrase in sorted(phrases, key=lambda p: (-p.score, p.first, p.text)):
        if len(out) >= count:
            break
        stems = set(phrase.key[1:])
        if stems & used:
            continue
        out.append(phrase)
        used |= stems
    return out


def _scored(chapters: Sequence[Sequence[Sentence]]) -> list[list[Phrase]]:
    """Each chapter's phrases scored by TF-IDF with the chapters as documents."""
    counted, offset = [], 0
    for chapter in chapters:
        counted.append([Phrase(p.key, p.text, p.count, p.first + offset)
                        for p in count_phrases(chapter).values()])
        offset += len(chapter)
    df = Counter(p.key for phrases in counted for p in phrases)
    n = len(chapters)
    return [[Phrase(p.key, p.text, p.count, p.first,
                    p.count * (math.log((1 + n) / (1 + df[p.key])) + 1.0) * _length_bonus(p.key))
             for p in phrases] for phrases in counted]


def chapter_keywords(chapters: Sequence[Sequence[Sentence]], count: int = 2) -> list[list[Phrase]]:
    """For each chapter, the phrases most specific to it, for its title."""
    return [pick(phrases, count) for phrases in _scored(chapters)]


def session_keywords(chapters: Sequence[Sequence[Sentence]], count: int,
                     taken: Sequence[tuple[str, ...]] = ()) -> list[Phrase]:
    """Phrases said at least twice, scored by their TF-IDF summed over the chapters."""
    total: dict[tuple[str, ...], Phrase] = {}
    for phrases in _scored(chapters):
        for p in phrases:
            seen = total.get(p.key)
            total[p.key] = p if seen is None else Phrase(p.key, seen.text, seen.count + p.count,
                                                         min(seen.first, p.first), seen.score + p.score)
    return pick([p for p in total.values() if p.count >= 2 and (len(p.key) > 2 or len(p.text) >= MIN_CHARS)],
                count, taken)


def title(phrases: Sequence[Phrase]) -> str:
    text = ", ".join(p.text for p in phrases)
    return text[:1].upper() + text[1:]
