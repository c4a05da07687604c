"""The one redaction pass over everything an episode publishes, and the last check before the feeds.

Every text that reaches the site comes from the episode's public view (pipeline.redact.redact_spec)
or from stages that read the redacted transcript. `redact_content` passes over all of it once more at
publish time: titles, descriptions, speakers, summaries, key points, chapters, topics and every
transcript, in every language. `leaks` (pipeline/publish/readback.py) then reads back the files
actually written, and an episode where a listed form survives is not published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..redact import changes, redact_text, redact_transcript
from ..transcript import TranscriptLike
from .content import EpisodeContent, LangContent


def _redacted(transcript: TranscriptLike, forms: Sequence[str]) -> TranscriptLike:
    """The transcript redacted; one that redaction leaves as it is (the redact stage did its work)
    is read as it is at every later pass."""
    after = redact_transcript(transcript, forms)
    return after if changes(transcript, after) else transcript


def _lang(content: LangContent, forms: Sequence[str]) -> LangContent:
    r = lambda text: redact_text(text, forms) if text else text  # noqa: E731
    return replace(
        content, title=r(content.title), description=r(content.description), summary=r(content.summary),
        key_points=tuple(replace(p, text=r(p.text)) for p in content.key_points),
        chapters=tuple(replace(c, title=r(c.title)) for c in content.chapters),
        topics=tuple(r(t) for t in content.topics),
        speakers=tuple(replace(s, name=r(s.name), organization=r(s.organization), role=r(s.role))
                       for s in content.speakers),
        transcript=_redacted(content.transcript, forms))


def redact_content(episode: EpisodeContent) -> EpisodeContent:
    forms = episode.spec.redaction.forms
    if not forms:
        return episode
    return replace(episode, source=_redacted(episode.source, forms),
                   langs={lang: _lang(c, forms) for lang, c in episode.langs.items()})
