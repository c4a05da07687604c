"""The per-episode stages, in order: what each reads, what decides its key, what it writes.

This is the one place that knows every stage: master, transcribe and redact are defined here, the
others in their own packages (diarize, translate, localize, summarize, share), which never import
this module (what they share with each other is in pipeline/workarea.py). Heavy libraries are
imported inside each stage's run, so the CLI starts instantly.
"""

from __future__ import annotations

from pathlib import Path

from . import transcript as transcript_io
from .diarize.stage import DIARIZE
from .glossary import keep_names, load_glossary
from .runner import Context, Progress, Stage
from .share.stage import SHARE
from .summarize.stage import SUMMARIZE
from .transcript import TranscriptLike
from .translate.localize import LOCALIZE
from .translate.stage import TRANSLATE
from .workarea import write_transcript_files

# -- master ----------------------------------------------------------------------------------

def _master(ctx: Context, out: Path, progress: Progress) -> None:
    from .audio import master

    spec = ctx.spec
    master(spec.recording, out, title=spec.title, redact_ranges=spec.redaction.ranges,
           fill=spec.redaction.fill, progress=progress)


MASTER = Stage(
    name="master", version=2, description="mastering audio (-16 LUFS podcast MP3 + low-bitrate copy)",
    inputs=lambda ctx: [ctx.spec.recording],
    params=lambda ctx: {"title": ctx.spec.title, "redact": ctx.spec.redaction.ranges,
                        "fill": ctx.spec.redaction.fill},
    run=_master,
)


# -- transcribe ------------------------------------------------------------------------------

def _engine_settings(ctx: Context) -> tuple[str, str, int]:
    """Engine, model and beam size: learninglab.toml's [transcribe], overridden on the command line."""
    show = ctx.project.show.transcribe
    return ctx.options.get("engine") or show.engine, ctx.options.get("model") or show.model, show.beam_size


def _hotwords(ctx: Context) -> list[str]:
    return keep_names(load_glossary(ctx.project.glossary_dir))


def _transcribe(ctx: Context, out: Path, progress: Progress) -> list[str]:
    from .redact import redact_transcript
    from .transcribe import load_engine, transcribe_file, untranscribed_lines

    engine = load_engine(*_engine_settings(ctx))
    result = transcribe_file(ctx.spec.recording, engine, ctx.spec.language, _hotwords(ctx), progress,
                             workdir=out)
    redaction = ctx.spec.redaction      # what Whisper heard of a redacted name never reaches the disk
    write_transcript_files(redact_transcript(result, redaction.forms, redaction.ranges), out)
    return untranscribed_lines(result)     # shown by the run and by `learninglab status`


TRANSCRIBE = Stage(
    name="transcribe", version=2, description="transcribing speech",
    inputs=lambda ctx: [ctx.spec.recording],
    # only names (kind=keep) spell the transcript, so editing glossary terms never reruns transcription
    params=lambda ctx: {"engine": _engine_settings(ctx), "language": ctx.spec.language,
                        "hotwords": _hotwords(ctx)},
    run=_transcribe,
)

# -- redact ----------------------------------------------------------------------------------

def _redact(ctx: Context, out: Path, progress: Progress) -> None:
    """Apply the episode's current redaction to the transcript (with its voices, from diarize/), and
    scrub diarize/ and transcribe/ too: a name added to the list later must not linger in the work
    area. (Taking a name off the list does not bring it back: `learninglab transcribe --force` does.)
    Each transcript is read as a stream, a window of segments at a time: none is held whole."""
    from . import atomic
    from .redact import changes, redact_transcript

    redaction = ctx.spec.redaction

    def scrubbed(folder: Path) -> tuple[TranscriptLike, bool]:
        """The folder's transcript redacted, and whether that changes it."""
        before = transcript_io.open_stream(folder / "transcript.json")
        after = redact_transcript(before, redaction.forms, redaction.ranges)
        return after, changes(before, after)

    voiced, changed = scrubbed(ctx.stage_dir("diarize"))
    write_transcript_files(voiced, out)
    if changed:                                  # diarize/ holds what redact/ now holds
        for path in out.glob("transcript.*"):
            atomic.copy_file(path, ctx.stage_dir("diarize") / path.name)
    raw, changed = scrubbed(ctx.stage_dir("transcribe"))
    if changed:                    # rendered beside, then swapped in: the stream reads the old file
        scratch = out / ".scrubbed"
        write_transcript_files(raw, scratch)
        for path in scratch.iterdir():
            atomic.copy_file(path, ctx.stage_dir("transcribe") / path.name)
        atomic.remove_tree(scratch)
    progress(voiced.duration)


REDACT = Stage(
    name="redact", version=3, description="redacting names and silenced ranges",
    # a scrub changes these bytes: diarize (from its kept embeddings) and redact then rerun once, to
    # the same output
    inputs=lambda ctx: [ctx.stage_dir("diarize") / "transcript.json"],
    params=lambda ctx: {"words": sorted(ctx.spec.redaction.forms), "ranges": ctx.spec.redaction.ranges},
    run=_redact,
)

# Order matters: each stage may read the folders of the ones before it.
STAGES: list[Stage] = [MASTER, TRANSCRIBE, DIARIZE, REDACT, TRANSLATE, LOCALIZE, SUMMARIZE, SHARE]

