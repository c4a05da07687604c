"""The diarize stage: after transcribe, before redact. Reads the transcript and the recording, writes
the transcript with a voice number on every segment (split where the voice changes), and voices.json
(the voice turns, talk time per voice, and the numbering's digest).

The embeddings are kept beside them (embeddings.npz) with the key they were made under (the
recording's bytes, the speech turns, the window settings): a rerun for another reason (the text was
scrubbed by a new redaction, the number of [[speakers]] changed) reclusters those embeddings in
seconds (5 s for an hour of audio) instead of running the encoder again (30 s, and decoding the
recording). Names never enter this stage: assigning them in [voices] reruns only publishing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import LearningLabError
from ..runner import Context, Progress, Stage, file_digest
from ..transcribe.vad import FAINT_OFFSET, FAINT_ONSET
from . import VERSION, Diarization, Embeddings, VoiceTurn
from .cluster import HOP, MIN_WINDOW, WINDOW

VOICES_FILE = "voices.json"
EMBEDDINGS_FILE = "embeddings.npz"


def recorded_turns(transcript) -> list[tuple[float, float]] | None:
    """Where anyone may be speaking, as the transcription recorded it from its one VAD pass
    (extra.voice_activity: [start, end], faint speech included), if it did."""
    turns = transcript.extra.get("voice_activity")
    if not isinstance(turns, list):
        return None
    try:
        return [(float(t[0]), float(t[1])) for t in turns]
    except (TypeError, ValueError, IndexError):
        return None


def embedding_key(recording: Path, turns: list[tuple[float, float]] | None) -> str:
    data = {"recording": file_digest(recording), "version": VERSION, "window": [WINDOW, HOP, MIN_WINDOW],
            "turns": [[round(a, 3), round(b, 3)] for a, b in turns] if turns is not None
            else f"vad:{FAINT_ONSET}/{FAINT_OFFSET}"}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _cached(folder: Path, key: str) -> tuple[Embeddings, list[tuple[float, float]]] | None:
    """The embeddings of the last run, when they were made under this key."""
    try:
        info = json.loads((folder / VOICES_FILE).read_text(encoding="utf-8"))
        if info.get("embedding") != key:
            return None
        with np.load(folder / EMBEDDINGS_FILE) as saved:
            vectors, spans, turns = saved["vectors"], saved["spans"], saved["turns"]
    except (OSError, ValueError, KeyError):
        return None
    return (Embeddings(vectors.astype(np.float32), tuple((int(a), int(b)) for a, b in spans)),
            [(float(a), float(b)) for a, b in turns])


@dataclass(frozen=True)
class Voices:
    """What the diarize stage found: the voice turns, and the name of their numbering."""
    diarization: Diarization
    numbering: str


def save(folder: Path, voices: Voices, embeddings: Embeddings, turns, key: str) -> None:
    diarization = voices.diarization
    talk = diarization.talk_time()
    info = {"version": VERSION, "embedding": key, "numbering": voices.numbering,
            "voices": [{"voice": v, "seconds": talk[v]} for v in diarization.voices],
            "turns": [[t.start, t.end, t.voice] for t in diarization.turns]}
    atomic.write_text(folder / VOICES_FILE, json.dumps(info, indent=1) + "\n")
    with atomic.atomic_path(folder / EMBEDDINGS_FILE) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, vectors=embeddings.vectors,
                     spans=np.array(embeddings.spans, np.int64).reshape(-1, 2),
                     turns=np.array(turns, np.float64).reshape(-1, 2))


def load(folder: Path) -> Voices:
    """The diarize stage's voice turns (diarize/voices.json)."""
    path = Path(folder) / VOICES_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        turns = tuple(VoiceTurn(float(s), float(e), int(v)) for s, e, v in info["turns"])
        return Voices(Diarization(turns), str(info["numbering"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LearningLabError(path, f"cannot read the voices ({exc})",
                               fix="rerun `learninglab run` (the diarize stage writes it)") from exc


def _hint(ctx: Context) -> int | None:
    return len(ctx.spec.speakers) or None


def _embed(ctx: Context, out: Path, turns, progress: Progress, duration: float):
    """Decode the recording once to 16-bit PCM in the stage's folder (a long session never sits in
    memory), embed its turns, and remove the PCM file."""
    from ..audio import Pcm16
    from . import embed, speech_turns

    scratch = out / "recording.pcm"
    try:
        audio = Pcm16.decode(ctx.spec.recording, scratch, 16000)
        if turns is None:       # a transcript that did not record its voice activity
            turns = speech_turns(audio)
        return embed(audio, turns, lambda share: progress(share * duration)), turns
    finally:
        scratch.unlink(missing_ok=True)


def _diarize(ctx: Context, out: Path, progress: Progress) -> None:
    from .. import transcript as transcript_io
    from ..workarea import write_transcript_files
    from . import diarize
    from .assign import label_transcript

    transcript = transcript_io.load(ctx.stage_dir("transcribe") / "transcript.json")
    turns = recorded_turns(transcript)
    key = embedding_key(ctx.spec.recording, turns)
    cached = _cached(ctx.stage_dir("diarize"), key)
    if cached:
        embeddings, turns = cached
    else:
        embeddings, turns = _embed(ctx, out, turns, progress, transcript.duration)
    diarization = diarize(embeddings, turns, _hint(ctx))
    write_transcript_files(label_transcript(transcript, diarization), out)
    voices = Voices(diarization, diarization.numbering(file_digest(ctx.spec.recording)))
    save(out, voices, embeddings, turns, key)
    progress(transcript.duration)


DIARIZE = Stage(
    name="diarize", version=1, description="finding who speaks when",
    inputs=lambda ctx: [ctx.spec.recording, ctx.stage_dir("transcribe") / "transcript.json"],
    params=lambda ctx: {"hint": _hint(ctx)},
    run=_diarize,
)
