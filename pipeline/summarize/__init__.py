"""Session notes: summary, key points, topics and chapters in every language of the show (issue 5).

A partner who missed a two-hour call gets what mattered in a two-minute read, in her language,
with a time on every line to jump to. Everything is extractive and offline: no model download.

    sentences.py  the transcript's sentences with their times (pysbd)
    rank.py       LexRank centrality + MMR redundancy removal
    chapters.py   TextTiling-style topic boundaries (plus pauses and language changes)
    keywords.py   key phrases for topics and chapter titles
    topics.py     glossary terms said in the session
    generate.py   all of the above over the spoken-language transcript
    carry.py      human text from episode.toml, and translation into en/es/fr (glossary enforced)
    model.py      Summary and its files summary.json / chapters.json (shape documented there)
    stage.py      the pipeline stage

Readers (notes pages, feeds) need only `load(path) -> Summary` from here.
"""

from .model import CHAPTERS_TYPE, Chapter, Line, Summary, Topic, load, save

__all__ = ["CHAPTERS_TYPE", "Chapter", "Line", "Summary", "Topic", "load", "save"]
