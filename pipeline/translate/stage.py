"""The translate stage: the (redacted) transcript -> translate/<lang>/ for every language of the show.

Its key covers the transcript, the glossary files and which engine (package version, Apertium
data) serves each pair, so editing the glossary or installing a package reruns translate and
what follows, never transcribe.
"""

from __future__ import annotations

from pathlib import Path

from .. import atomic
from ..glossary import glossary_files
from ..runner import Context, Progress, Stage


def _transcript_path(ctx: Context) -> Path:
    """The redacted transcript (redact/), the one every stage after transcribe reads."""
    from ..workarea import source_transcript
    return source_transcript(ctx)


def _prefer(ctx: Context) -> str:
    return ctx.options.get("translator") or "auto"


def _inputs(ctx: Context) -> list[Path]:
    return [_transcript_path(ctx), *glossary_files(ctx.project.glossary_dir)]


def _params(ctx: Context) -> dict:
    from .choose import engine_identities

    languages = list(ctx.project.show.languages)
    return {"languages": languages, "prefer": _prefer(ctx),
            "engines": engine_identities(languages, ctx.project.models_dir, _prefer(ctx))}


def _run(ctx: Context, out: Path, progress: Progress) -> None:
    from .. import transcript as transcript_io
    from ..workarea import write_transcript_files
    from .report import REPORT_NAME
    from .service import glossary_in
    from .transcripts import translate_transcript

    source = transcript_io.load(_transcript_path(ctx))
    glossary = glossary_in(ctx.project.glossary_dir)
    languages = list(ctx.project.show.languages)
    for n, lang in enumerate(languages, start=1):
        done = translate_transcript(source, lang, glossary, ctx.project.models_dir, _prefer(ctx))
        write_transcript_files(done.transcript, out / lang, timing=source)
        atomic.write_text(out / lang / REPORT_NAME, done.compliance.to_json())
        progress(source.duration * n / len(languages))


TRANSLATE = Stage(
    name="translate", version=2,
    description="translating transcripts (glossary enforced)",
    inputs=_inputs, params=_params, run=_run,
)
