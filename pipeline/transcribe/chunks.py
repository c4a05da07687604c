"""Speech turns packed into Whisper windows, and the languages of turns.

A chunk is a run of consecutive turns that fits in one 30 s window, never spanning a long pause
or a change of language: Whisper decodes one language per window, and a long pause inside a
window only invites it to invent text there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .. import LANGUAGES
from .base import WINDOW_SECONDS
from .vad import Turn

LONG_PAUSE = 2.0       # seconds: a longer pause always ends a chunk
MIN_DETECT = 1.5       # shorter turns take the language of the turns around them
CONFIDENT = 0.5        # below this share, a turn follows its neighbours (or the session)
MIN_CHUNK = 5.0        # a window is not ended at a pause that would leave less than this in it


@dataclass(frozen=True)
class Chunk:
    turns: tuple[Turn, ...]
    language: str = ""         # "" until detected

    @property
    def start(self) -> float:
        return self.turns[0].start

    @property
    def end(self) -> float:
        return self.turns[-1].end


def pack(turns: Sequence[Turn], length: float = WINDOW_SECONDS, pause: float = LONG_PAUSE) -> list[Chunk]:
    """Consecutive turns into windows of at most `length` seconds; a pause of `pause` or more, or
    a change of (known) language, starts a new one. When a turn no longer fits, the window ends
    at its longest pause rather than its last one (a new speaker usually comes after a pause), the
    turns after that pause moving on to the next window (unless that would leave a sliver of a
    window, whose language could not be told)."""
    chunks: list[list[Turn]] = []
    for turn in turns:
        last = chunks[-1] if chunks else None
        if not last or turn.start - last[-1].end >= pause or turn.language != last[-1].language:
            chunks.append([turn])
            continue
        if turn.end - last[0].start <= length:
            last.append(turn)
            continue
        gaps = [(last[j].start - last[j - 1].end, j) for j in range(1, len(last))
                if turn.end - last[j].start <= length and last[j - 1].end - last[0].start >= MIN_CHUNK]
        gap, j = max(gaps, default=(0.0, len(last)))
        if gap > turn.start - last[-1].end:
            chunks[-1], tail = last[:j], last[j:]
            chunks.append([*tail, turn])
        else:
            chunks.append([turn])
    return [Chunk(tuple(c), c[0].language) for c in chunks]


def ours(probs: dict[str, float]) -> tuple[str, float]:
    """The most likely of the project's languages, with its share among them."""
    mine = {lang: probs.get(lang, 0.0) for lang in LANGUAGES}
    total = sum(mine.values()) or 1.0
    lang = max(mine, key=mine.get)
    return lang, mine[lang] / total


def settle(turns: Sequence[Turn], fallback: str) -> list[Turn]:
    """Give short or unsure turns the language of their confident neighbours (the nearer one in
    time when they differ: a speaker's short "Yes." goes with what they say next), else `fallback`."""
    sure = [bool(t.language) and t.probability >= CONFIDENT and t.duration >= MIN_DETECT for t in turns]
    out = []
    for i, turn in enumerate(turns):
        if sure[i]:
            out.append(turn)
            continue
        near = [(turn.start - turns[j].end if j < i else turns[j].start - turn.end, turns[j].language)
                for j in (i - 1, i + 1) if 0 <= j < len(turns) and sure[j]]
        out.append(replace(turn, language=min(near)[1] if near else fallback))
    return out


def main_language(turns: Sequence[Turn]) -> str | None:
    weight: dict[str, float] = {}
    for t in turns:
        if t.language:
            weight[t.language] = weight.get(t.language, 0.0) + t.duration * max(t.probability, 0.1)
    return max(weight, key=weight.get) if weight else None
