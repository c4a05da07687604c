"""Rebuild the demo assets: the mixed-language recording, the synthetic glossary call, the artwork.

    .venv/bin/python scripts/make_demo_assets.py

The mixed-language session joins real clips with 1 s pauses (an English speaker, a French
speaker answering, the English speaker again), as a session with an interpreter sounds.
The glossary demo is synthesized with espeak-ng (Debian package) so that the field's terms are
really spoken. The artwork is a plain 1400 px square PNG written with zlib only.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from pipeline.audio import decode, write_pcm16

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"
MIXED_CLIPS = ["en_jfk_ask_not.wav", "fr_ej-fra_readalongs.m4a", "en_picovoice_quilter.wav"]
RATE = 16000


def join_clips(names: list[str], pause: float = 1.0) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    parts, spans, t = [], [], 0.0
    gap = np.zeros(int(pause * RATE), dtype=np.float32)
    for i, name in enumerate(names):
        clip = decode(SPEECH / name, RATE)
        if i:
            parts.append(gap)
            t += pause
        parts.append(clip)
        spans.append((name, t, t + len(clip) / RATE))
        t += len(clip) / RATE
    return np.concatenate(parts), spans


def write_flac(audio: np.ndarray, path: Path) -> None:
    write_pcm16(path, audio, RATE, container="flac", codec="flac")


def write_png(path: Path, size: int = 1400) -> None:
    y, x = np.mgrid[0:size, 0:size] / size
    r = np.hypot(x - 0.5, y - 0.5)
    img = np.zeros((size, size, 3), dtype=np.uint8)
    img[...] = (94, 42, 126)                                  # deep purple
    img[(r > 0.18) & (r < 0.26)] = (245, 166, 35)             # amber ring
    img[(r > 0.30) & (r < 0.34)] = (255, 255, 255)
    img[(np.abs(x - 0.5) < 0.02) & (y > 0.62) & (y < 0.85)] = (245, 166, 35)
    raw = b"".join(b"\x00" + row.tobytes() for row in img)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


PEER_CALL = " ".join([
    "Welcome to this call of the Women Strong Learning Lab, a space for peer learning between partners.",
    "Today, three women-led organizations share what trust-based funding changed for them.",
    "First, our partners in Kenya talk about gender-based violence, and how survivors shape their programs.",
    "Then we hear about girls' education and economic empowerment in rural areas.",
    "Last month, we worked on capacity strengthening.",
    "Language justice means that every partner can speak in her own language.",
    "Thank you all for joining.",
])


def synthesize(text: str, target: Path) -> None:
    """The glossary demo: the field's terms spoken by Debian's espeak-ng (voice en, 135 wpm)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", "en", "-s", "135", "-g", "10", "-w", str(wav), text], check=True)
        write_flac(decode(wav, RATE), target)


def main() -> None:
    synthesize(PEER_CALL, ROOT / "episodes" / "demo-peer-call-synthetic" / "recording.flac")
    audio, spans = join_clips(MIXED_CLIPS)
    target = ROOT / "episodes" / "demo-interpreted-welcome" / "recording.flac"
    write_flac(audio, target)
    for name, start, end in spans:
        print(f"{name}: {start:.2f}-{end:.2f} s")
    write_png(ROOT / "artwork.png")


if __name__ == "__main__":
    main()
