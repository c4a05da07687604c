"""Voices and the names staff give them: `[voices]` in episode.toml, and what readers see.

The diarize stage numbers voices 1, 2, … (first heard first). Until staff say who is who
(`learninglab speakers SLUG 1=Amina`, which writes `[voices] 1 = "Amina"`), a voice is shown as
"Speaker 1" in English, "Hablante 1" in Spanish and "Voix 1" in French: words that name a voice
without saying anything about the person (Spanish "hablante" is the same for everyone; French has no
such word for a person, "locuteur/locutrice" and "intervenant/intervenante" would force a guess, so
the label names the voice). A name must be someone listed in [[speakers]], is checked when the
episode is read, and is applied only where a transcript is shown (publish), so naming a voice never
reruns the diarization. Names are never guessed from order.

A voice mapped to a redacted speaker is shown by its number, everywhere. A mapping carries the
numbering it was read from (`diarization = "…"`, written by `learninglab speakers`): if the voices
were numbered anew since (a new recording, another speaker count), its names are not shown until
staff check them again: a wrong name is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .transcript import TranscriptLike

LABELS = {"en": "Speaker {n}", "es": "Hablante {n}", "fr": "Voix {n}"}
NUMBERING_KEY = "diarization"
_NUMBERING = re.compile(r"^[0-9a-f]{6,64}$")


@dataclass(frozen=True)
class VoiceMap:
    names: tuple[tuple[int, int], ...] = ()    # (voice number, index into the episode's [[speakers]])
    numbering: str | None = None               # the diarization the numbers were read from

    def speaker_index(self, voice: int) -> int | None:
        return dict(self.names).get(voice)


def parse_voices(fields, names: Sequence[str]) -> VoiceMap:
    """`[voices]` of an episode.toml (a tomlfile.Fields), checked against the [[speakers]] names."""
    found, numbering = [], None
    for key, value in fields.data.items():
        if key == NUMBERING_KEY:
            numbering = fields.text(key)
            if not _NUMBERING.match(numbering or ""):
                raise fields.error(key, f"{numbering!r} is not a diarization digest",
                                   "delete the line; `learninglab speakers SLUG` writes it")
            continue
        if not key.isdigit() or int(key) < 1:
            raise fields.error(key, "is not a voice number",
                               'use the numbers `learninglab speakers SLUG` lists, e.g. 1 = "Amina"')
        if not isinstance(value, str) or not value.strip():
            raise fields.error(key, "must be the name of someone in [[speakers]]", 'e.g. 1 = "Amina"')
        fields.printable(key, value)
        matches = [i for i, name in enumerate(names) if name.strip() == value.strip()]
        if not matches:
            raise fields.error(key, f"{value!r} is not the name of anyone in [[speakers]]",
                               "write the name exactly as in a [[speakers]] table, or add that person there")
        found.append((int(key), matches[0]))
    return VoiceMap(tuple(sorted(found)), numbering)


def label(voice: int, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"]).format(n=voice)


def voice_number(speaker: str | None) -> int | None:
    return int(speaker) if speaker and speaker.isdigit() else None


def named_voices(spec, numbering: str | None) -> dict[int, str]:
    """Voice -> name, for the voices staff named, when the names still fit the numbering and the
    person is not redacted (a redacted name shows as its number)."""
    from .redact import MARK

    voices: VoiceMap = spec.voices
    if voices.numbering and numbering and voices.numbering != numbering:
        return {}
    out = {}
    for voice, index in voices.names:
        if index < len(spec.speakers) and MARK not in spec.speakers[index].name:
            out[voice] = spec.speakers[index].name
    return out


def voices_heard(transcript: TranscriptLike) -> set[int]:
    return {v for s in transcript.iter_segments() if (v := voice_number(s.speaker)) is not None}


def show_voices(transcript: TranscriptLike, names: dict[int, str] | None = None,
                heard: set[int] | None = None) -> TranscriptLike:
    """The transcript as readers see it: each voice number replaced by its name or its label in the
    transcript's language. A recording with one unnamed voice shows no label at all (saying "Speaker
    1" before every line tells nothing). `heard`: the voices in it, when known (else it is read for
    them)."""
    names = names or {}
    heard = voices_heard(transcript) if heard is None else heard
    if not heard:
        return transcript
    lone = len(heard) == 1 and not names.keys() & heard

    def shown(speaker: str | None) -> str | None:
        voice = voice_number(speaker)
        if voice is None:
            return speaker
        return None if lone else names.get(voice) or label(voice, transcript.language)

    return transcript.map(lambda segments: (replace(s, speaker=shown(s.speaker)) for s in segments))
