"""The summarize stage: redact/transcript.json + glossary + episode.toml texts ->
summarize/<lang>/summary.json and chapters.json for each of the show's languages.

It runs after translate and calls the same engines (`translate_texts`) for its own lines. The
key covers the transcript, the glossary, the settings and which engine serves each language pair:
installing a better one (an argos package) redoes the summaries on the next run.
"""

from __future__ import annotations

from pathlib import Path

from ..glossary import glossary_files, load_glossary
from ..runner import Context, Progress, Stage


def lengths(ctx: Context) -> tuple[int, int]:
    """Summary sentences and key points: command-line options, else [summary] in learninglab.toml
    (both checked where they are read: click's ranges and pipeline/show.py)."""
    show = ctx.project.show.summary
    return (ctx.options.get("sentences") or show.sentences, ctx.options.get("key_points") or show.key_points)


def _transcript_path(ctx: Context) -> Path:
    """The redacted transcript in the language(s) spoken: what every stage after redact reads."""
    from ..workarea import source_transcript

    return source_transcript(ctx)


def _params(ctx: Context) -> dict:
    from ..translate.choose import engine_identities

    local = {lang: repr(text) for lang, text in sorted(ctx.spec.local.items())}
    languages = list(ctx.project.show.languages)
    return {"lengths": lengths(ctx), "languages": languages,
            "topics": list(ctx.spec.topics), "human": local,
            # the engines that carry summaries into other languages: a better one remakes them
            "engines": engine_identities(languages, ctx.project.models_dir)}


def _run(ctx: Context, out: Path, progress: Progress) -> None:
    from .. import transcript as transcript_io
    from ..translate import translate_texts
    from .carry import human_texts, localize
    from .generate import summarize_transcript
    from .model import save

    transcript = transcript_io.load(_transcript_path(ctx))
    entries = load_glossary(ctx.project.glossary_dir)
    sentences, key_points = lengths(ctx)
    source = summarize_transcript(transcript, entries, sentences=sentences, key_points=key_points,
                                  episode_topics=ctx.spec.topics)
    human = human_texts(ctx.spec.local, transcript.language)

    def translate(texts, src, target):
        return translate_texts(texts, src, target, project=ctx.project)

    for lang in ctx.project.show.languages:
        save(localize(source, lang, translate, entries, human), out / lang)
    progress(transcript.duration)


SUMMARIZE = Stage(
    name="summarize", version=1, description="summarizing (summary, key points, topics, chapters)",
    inputs=lambda ctx: [_transcript_path(ctx), *glossary_files(ctx.project.glossary_dir)],
    params=_params,
    run=_run,
)
