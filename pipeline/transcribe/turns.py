"""Speech turns and their languages: how a session that mixes languages is transcribed right.

Whisper decodes one language per call. For a session with an English speaker and a French
interpreter we split the audio into speech turns with the Silero VAD that faster-whisper
bundles, detect each turn's language, and transcribe each run of same-language turns with
its language fixed (DESIGN.md: every turn tagged right, where Whisper's own multilingual
mode rendered English as Spanish).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import LANGUAGES
from .base import SAMPLE_RATE, Engine

MERGE_GAP = 0.7           # seconds of silence that still belong to one turn
MIN_DETECT = 1.5          # shorter turns take their neighbours' language
CONFIDENT = 0.5           # below this, a turn follows the session's main language
PAD = 0.2                 # seconds of context kept around a run of turns


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    language: str = ""
    probability: float = 0.0

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_turns(audio: np.ndarray) -> list[Turn]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=int(MERGE_GAP * 1000),
                                                     speech_pad_ms=100))
    return [Turn(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def ours(probs: dict[str, float]) -> tuple[str, float]:
    """The most likely of the project's languages, with its share among them."""
    mine = {lang: probs.get(lang, 0.0) for lang in LANGUAGES}
    total = sum(mine.values()) or 1.0
    lang = max(mine, key=mine.get)
    return lang, mine[lang] / total


def detect_turns(engine: Engine, audio: np.ndarray, turns: list[Turn]) -> list[Turn]:
    detected = []
    for turn in turns:
        if turn.duration < MIN_DETECT:
            detected.append(turn)
            continue
        clip = audio[int(turn.start * SAMPLE_RATE):int(turn.end * SAMPLE_RATE)]
        lang, p = ours(engine.language_probs(clip))
        detected.append(Turn(turn.start, turn.end, lang, p))
    main = main_language(detected) or "en"
    out = []
    for i, turn in enumerate(detected):
        if turn.language and turn.probability >= CONFIDENT:
            out.append(turn)
            continue
        # a short or unsure turn: its confident neighbours' language, else the main one
        neighbours = detected[max(0, i - 1):i] + detected[i + 1:i + 2]
        near = [t for t in neighbours if t.language and t.probability >= CONFIDENT]
        lang = near[0].language if near and all(t.language == near[0].language for t in near) else main
        out.append(Turn(turn.start, turn.end, lang, turn.probability))
    return out


def main_language(turns: list[Turn]) -> str | None:
    weight: dict[str, float] = {}
    for t in turns:
        if t.language:
            weight[t.language] = weight.get(t.language, 0.0) + t.duration * max(t.probability, 0.1)
    return max(weight, key=weight.get) if weight else None


def runs(turns: list[Turn], duration: float) -> list[Turn]:
    """Consecutive turns of one language, joined into one stretch to transcribe in one call."""
    out: list[Turn] = []
    for turn in turns:
        if out and out[-1].language == turn.language:
            out[-1] = Turn(out[-1].start, turn.end, turn.language, out[-1].probability)
        else:
            out.append(turn)
    return [Turn(max(0.0, r.start - PAD), min(duration, r.end + PAD), r.language, r.probability)
            for r in out]
