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

from ..redact import redact_text, redact_transcript
from .content import EpisodeContent, LangContent


def _lang(content: LangContent, forms: Sequence[str]) -> LangContent:
    r = lambda text: redact_text(text, forms) if text else text  # noqa: E731
    return replace(
        content, title=r(content.title), description=r(content.description), summary=r(content.summary),
        key_points=tuple(replace(p, text=r(p.text)) for p in content.key_points),
        chapters=tuple(replace(c, title=r(c.title)) for c in content.chapters),
        topics=tuple(r(t) for t in content.topics),
        speakers=tuple(replace(s, name=r(s.name), organization=r(s.organization), role=r(s.role))
                       for s in content.speakers),
        transcript=redact_transcript(content.transcript, forms))


def redact_content(episode: EpisodeContent) -> EpisodeContent:
    forms = episode.spec.redaction.forms
    if not forms:
        return episode
    return replace(episode, source=redact_transcript(episode.source, forms),
                   langs={lang: _lang(c, forms) for lang, c in episode.langs.items()})
