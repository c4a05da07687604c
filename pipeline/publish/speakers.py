"""Speakers as published: voice numbers become names (where staff gave them) or labels, in every
transcript of an episode, and talk time per voice goes into episode.json.

Runs after the redaction pass, on the public view of the episode: a name comes from the redacted
[[speakers]] list, so a redacted person is shown as "Speaker N", never by name and never as "[redacted]".
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ..diarize.stage import Voices
from ..voices import named_voices, show_voices
from .content import EpisodeContent
from .record import VoiceTime

log = logging.getLogger(__name__)


def name_voices(episode: EpisodeContent, voices: Voices | None) -> EpisodeContent:
    spec = episode.spec
    numbering = voices.numbering if voices else None
    if spec.voices.names and spec.voices.numbering and numbering and spec.voices.numbering != numbering:
        log.warning("%s: the voices were numbered anew since [voices] was written: their names are left out "
                    "until you check them with `learninglab speakers %s`", spec.spec_path, spec.slug)
    names, heard = named_voices(spec, numbering), set(episode.voices)
    return replace(episode, source=show_voices(episode.source, names, heard),
                   langs={lang: replace(c, transcript=show_voices(c.transcript, names, heard))
                          for lang, c in episode.langs.items()})


def talk_times(episode: EpisodeContent, voices: Voices | None) -> tuple[VoiceTime, ...]:
    """Seconds each voice speaks, with the name shown for it (None while it has none)."""
    if voices is None:
        return ()
    names = named_voices(episode.spec, voices.numbering)
    return tuple(VoiceTime(v, names.get(v), seconds) for v, seconds in voices.diarization.talk_time().items())
