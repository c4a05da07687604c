"""Long sessions joined from real speech (tests/data/longform/pieces.tsv), with the reference of every turn.

Used by tests/test_longform.py (a few minutes) and bench/bench_longform.py (up to an hour).
Pieces are real read speech cut at pauses (bench/make_longform.py); between them go pauses of
0.5-2 s of faint room tone, and where asked a stretch of silence or of noise. Every placement is
recorded, so a transcript's words can be given back to the piece (or stretch) they fall in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from pipeline.transcript import Word
from tests.conftest import DATA, wer

RATE = 16000
PIECES = DATA / "longform" / "pieces.tsv"


@dataclass(frozen=True)
class Piece:
    file: Path
    start: float
    end: float
    language: str
    source: str
    scored: bool
    reference: str

    @property
    def name(self) -> str:
        return f"{self.source}@{self.start:.1f}"

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Placed:
    kind: str                  # speech, pause, silence, noise
    start: float
    end: float
    piece: Piece | None = None


def load_pieces() -> list[Piece]:
    rows = PIECES.read_text(encoding="utf-8").splitlines()[1:]
    out = []
    for row in rows:
        file, start, end, language, source, scored, reference = row.split("\t")
        out.append(Piece(DATA / file, float(start), float(end), language, source, scored == "1", reference))
    return out


@cache
def _decoded(path: Path) -> np.ndarray:
    from pipeline.audio import decode
    return decode(path, RATE)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """16-bit mono WAV, written a minute at a time."""
    from pipeline.audio import write_pcm16

    return write_pcm16(path, samples, rate)


def piece_audio(piece: Piece) -> np.ndarray:
    return _decoded(piece.file)[int(piece.start * RATE):int(piece.end * RATE)]


def noise(seconds: float, rng: np.random.Generator, level_db: float = -30.0) -> np.ndarray:
    """Pink noise (a fan, a street, an air conditioner) at `level_db` dBFS RMS."""
    n = int(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
    pink = np.fft.irfft(spectrum, n)
    return (pink / np.sqrt(np.mean(pink ** 2)) * 10 ** (level_db / 20)).astype(np.float32)


def room_tone(seconds: float, rng: np.random.Generator) -> np.ndarray:
    return noise(seconds, rng, -65.0)


def join(pieces: list[Piece], stretches: dict[int, tuple[str, float]] | None = None, seed: int = 9,
         ) -> tuple[np.ndarray, list[Placed]]:
    """The pieces in order with 0.5-2 s pauses; `stretches` puts a ("silence"|"noise", seconds)
    stretch after the piece of that index."""
    rng = np.random.default_rng(seed)
    parts, placed, t = [], [], 0.0

    def put(kind: str, audio: np.ndarray, piece: Piece | None = None) -> None:
        nonlocal t
        parts.append(audio)
        placed.append(Placed(kind, round(t, 3), round(t + len(audio) / RATE, 3), piece))
        t += len(audio) / RATE

    put("pause", room_tone(0.7, rng))
    for i, piece in enumerate(pieces):
        put("speech", piece_audio(piece), piece)
        kind, seconds = (stretches or {}).get(i, ("pause", float(rng.uniform(0.5, 2.0))))
        put(kind, noise(seconds, rng) if kind == "noise" else room_tone(seconds, rng) if kind != "silence"
            else np.zeros(int(seconds * RATE), dtype=np.float32))
    return np.concatenate(parts), placed


def interleave(pieces: list[Piece], seed: int = 9) -> list[Piece]:
    """Pieces of all sources mixed like turns of a call, each source's pieces kept in their order."""
    rng = random.Random(seed)
    queues: dict[str, list[Piece]] = {}
    for p in pieces:
        queues.setdefault(p.source, []).append(p)
    out, last = [], None
    while queues:
        names = [n for n in queues if n != last] or list(queues)
        name = rng.choices(names, weights=[len(queues[n]) for n in names])[0]
        out.append(queues[name].pop(0))
        if not queues[name]:
            del queues[name]
        last = name
    return out


def words_by_placement(transcript, placed: list[Placed], margin: float = 1.0) -> dict[int, list[str]]:
    """Each transcript word (by its middle) given to the piece it falls in. A word in a pause, or
    within `margin` of a piece's edge, goes to the nearest piece (word times are approximate);
    one well inside a silence or noise stretch stays there: text invented where nobody spoke."""
    starts = np.array([p.start for p in placed])
    speech = [k for k, p in enumerate(placed) if p.kind == "speech"]
    out: dict[int, list[str]] = {}
    for seg in transcript.segments:
        for w in seg.words or [Word(seg.start, seg.end, seg.text)]:
            middle = (w.start + w.end) / 2
            k = max(0, int(np.searchsorted(starts, middle, side="right")) - 1)
            p = placed[k]
            inside = p.kind in ("silence", "noise") and p.start + margin < middle < p.end - margin
            if p.kind != "speech" and not inside:
                k = min(speech, key=lambda j: min(abs(middle - placed[j].start), abs(middle - placed[j].end)))
            out.setdefault(k, []).append(w.text)
    return out


def placement_wer(transcript, placed: list[Placed], index: int) -> float:
    found = words_by_placement(transcript, placed).get(index, [])
    return wer(placed[index].piece.reference, " ".join(found))
