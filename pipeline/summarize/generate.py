"""The summary in the words that were spoken: sentences, ranking, chapters, topics.

Computed over every segment of the transcript, whatever language it was spoken in: in a session
with an interpreter or a guest speaking French, what she said counts too. Each line keeps the
language it was said in (`original`); carrying it into en, es and fr translates only the lines
that are not already in that language. Similarity never crosses languages (stems are tagged
with their language), so an interpreter's repetition does not count as agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from .. import LANGUAGES
from ..glossary import Entry
from ..transcript import Transcript
from . import chapters as tiling
from .keywords import chapter_keywords, session_keywords, title
from .model import Chapter, Line, Summary, Topic
from .rank import DUPLICATE, lexrank, mmr, similarity, term_matrix
from .sentences import Sentence, split_sentences
from .text import content_stems
from .topics import glossary_hits, said_in

METHOD = ("extractive: LexRank + MMR over pysbd sentences; chapters: TextTiling with pauses; "
          "topics: glossary terms + TF-IDF key phrases")
MIN_WORDS = 6             # shorter sentences ("Thank you.") are never summary lines
MAX_TOPICS = 8
TITLE_PHRASES = 2         # key phrases in a chapter title
TOPICS_LANGUAGE = "en"    # episode.toml `topics` are written in English, like the glossary's key


def sizes(available: int, sentences: int, key_points: int) -> tuple[int, int]:
    """How many summary lines and key points a session with `available` usable sentences gets.

    A short session cannot fill both without repeating a sentence: the key points then get
    half of what there is, the summary the rest.
    """
    if available >= sentences + key_points:
        return sentences, key_points
    points = min(key_points, available // 2)
    return min(sentences, available - points), points


def _line(sent: Sentence) -> Line:
    return Line(sent.text, sent.start, sent.end, sent.segment, sent.language)


def _key_points(spans: list[range], candidates: list[int], scores: np.ndarray, sim: np.ndarray,
                count: int, chosen: list[int]) -> list[int]:
    """The best unused sentence of each chapter (best chapters first), then the next best overall."""
    usable = set(candidates)
    ranked = [sorted((i for i in span if i in usable), key=lambda i: -scores[i]) for span in spans]
    ranked = sorted((r for r in ranked if r), key=lambda r: -scores[r[0]])
    taken, picked = list(chosen), []
    for chapter in ranked:
        if len(picked) >= count:
            break
        best = next((i for i in chapter if i not in taken and all(sim[i, j] < DUPLICATE for j in taken)),
                    None)
        if best is not None:
            picked.append(best)
            taken.append(best)
    return picked + mmr(candidates, scores, sim, count - len(picked), taken)


def _chapters(sents: Sequence[Sentence], starts: list[int]) -> tuple[list[range], tuple[Chapter, ...]]:
    edges = [0, *starts, len(sents)]
    spans = [range(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    titles = chapter_keywords([sents[span.start:span.stop] for span in spans], count=2 * TITLE_PHRASES)
    marks = []
    for k, (span, phrases) in enumerate(zip(spans, titles, strict=True)):
        lang = Counter(s.language for s in sents[span.start:span.stop]).most_common(1)[0][0]
        mine = [p for p in phrases if p.key[0] == lang][:TITLE_PHRASES]      # one language per title
        name = title(mine) or sents[span.start].text[:60]
        marks.append(Chapter(0.0 if k == 0 else sents[span.start].start, name, lang))
    return spans, tuple(marks)


def _topics(sents: Sequence[Sentence], spans: list[range], entries: Sequence[Entry],
            episode_topics: Sequence[str]) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    for text in episode_topics:
        i = said_in(sents, text, TOPICS_LANGUAGE)
        topics.append(Topic(text, "episode", 0, None if i is None else sents[i].start, TOPICS_LANGUAGE))
    hits = glossary_hits(sents, entries)
    known = {t.text.lower() for t in topics}
    for hit in hits:
        if hit.text.lower() not in known and len(topics) < MAX_TOPICS:
            topics.append(Topic(hit.text, "glossary", hit.count, sents[hit.first].start, hit.language))
            known.add(hit.text.lower())
    taken = [(h.language, *content_stems(h.text, h.language)) for h in hits]
    spoken = {s.language for s in sents}
    taken += [(lang, *content_stems(e.term(lang), lang)) for e in entries if e.kind == "avoid"
              for lang in spoken if lang in LANGUAGES]     # wording to avoid is never a topic
    taken += [(TOPICS_LANGUAGE, *content_stems(t, TOPICS_LANGUAGE)) for t in episode_topics]
    chapters = [sents[s.start:s.stop] for s in spans]
    for phrase in session_keywords(chapters, MAX_TOPICS - len(topics), taken):
        topics.append(Topic(phrase.text, "keyword", phrase.count, sents[phrase.first].start, phrase.key[0]))
    return tuple(topics)


def summarize_transcript(transcript: Transcript, entries: Sequence[Entry] = (), *, sentences: int = 4,
                         key_points: int = 5, episode_topics: Sequence[str] = ()) -> Summary:
    """The generated summary, lines in the languages they were spoken (see `carry` for the rest)."""
    sents = split_sentences(transcript)
    if not sents:
        topics = tuple(Topic(t, "episode", 0, None, TOPICS_LANGUAGE) for t in episode_topics)
        return Summary(transcript.language, transcript.language, (), (), topics, (), METHOD)
    matrix = term_matrix(sents)
    sim = similarity(matrix)
    scores = lexrank(sim)
    tokens = [len(content_stems(s.text, s.language)) for s in sents]
    starts = [b.index for b in tiling.boundaries(sents, matrix, tokens)]
    spans, chapters = _chapters(sents, starts)
    candidates = [i for i, s in enumerate(sents) if s.word_count >= MIN_WORDS and tokens[i] >= 2]
    n_summary, n_points = sizes(len(candidates), sentences, key_points)
    chosen = mmr(candidates, scores, sim, n_summary)
    points = _key_points(spans, candidates, scores, sim, n_points, chosen)
    return Summary(
        language=transcript.language, source_language=transcript.language,
        summary=tuple(_line(sents[i]) for i in sorted(chosen)),
        key_points=tuple(_line(sents[i]) for i in sorted(points)),
        topics=_topics(sents, spans, entries, episode_topics),
        chapters=chapters, method=METHOD)
