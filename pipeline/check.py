"""`learninglab check`: validate the whole project without running any stage.

Each check returns problems instead of raising, so one run lists everything to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import LearningLabError


@dataclass(frozen=True)
class Finding:
    level: str          # "error" or "warning"
    line: str


def _errors(found: Iterable[LearningLabError]) -> list[Finding]:
    return [Finding("error", e.line()) for e in found]


def check_show(root: Path):
    from .show import load_show
    try:
        return load_show(root), []
    except LearningLabError as exc:
        return None, _errors([exc])


def check_artwork(project) -> list[Finding]:
    from .publish.site import check_artwork as artwork_rules

    try:
        artwork_rules(project)
    except LearningLabError as exc:
        return _errors([exc])
    return []


def check_episodes(project) -> list[Finding]:
    from .audio import verify

    found = project.episodes()
    findings = _errors(found.errors)
    for spec in found.episodes:
        if spec.status == "withdrawn":       # its recording may rightly be gone
            continue
        try:
            verify(spec.recording)        # streams through it: a cut-off file shows at its end
        except LearningLabError as exc:
            findings += _errors([exc])
        if spec.guid is None and spec.status in ("public", "unlisted"):
            findings.append(Finding("error", LearningLabError(
                spec.spec_path, "is missing", field="guid",
                fix="add guid = \"<a new UUID>\" (python -c 'import uuid; print(uuid.uuid4())')").line()))
    return findings


def check_glossary(project) -> list[Finding]:
    from .glossary import load_glossary
    try:
        load_glossary(project.glossary_dir)
    except LearningLabError as exc:
        return _errors([exc])
    return []


def check_models(project) -> list[Finding]:
    from .diarize.encoder import read_weights
    from .models import resolve_whisper
    settings = project.show.transcribe
    try:
        resolve_whisper(settings.model, allow_download=False)
        read_weights()                      # the speaker encoder (diarize), checked by its SHA-256
    except LearningLabError as exc:
        return _errors([exc])
    if settings.engine == "openai-whisper":
        import importlib.util
        if importlib.util.find_spec("whisper") is None or importlib.util.find_spec("torch") is None:
            return [Finding("error", LearningLabError(
                project.show.path, "engine openai-whisper is not installed", field="transcribe.engine",
                fix="run scripts/setup.sh --dev, or use engine = \"faster-whisper\"").line())]
    return []


def check_feed_guids(show) -> list[Finding]:
    from .publish.podcast_ns import feed_guid

    out = []
    for lang, text in show.text.items():
        if text.guid is None:
            value = feed_guid(f"{show.base_url}{lang}/feed.xml")
            out.append(Finding("warning", LearningLabError(
                show.path, "is not pinned: a new base_url would change the feed's podcast:guid",
                field=f"show.{lang}.guid", fix=f'add guid = "{value}" under [show.{lang}]').line()))
    return out


PODCAST = "{https://podcastindex.org/namespace/1.0}"


def check_site(project) -> list[Finding]:
    """The published feeds agree with the files beside them and with the episodes' consent."""
    import xml.etree.ElementTree as ET
    from urllib.parse import urlparse

    site, show = project.site, project.show
    statuses = {e.guid: e for e in project.episodes().episodes if e.guid}
    base_path = urlparse(show.base_url).path
    findings = []

    def problem(path, message, fix="run `learninglab publish`"):
        findings.append(Finding("error", LearningLabError(path, message, fix=fix).line()))

    for lang in show.languages:
        feed = site / lang / "feed.xml"
        if not feed.is_file():
            continue
        try:
            channel = ET.parse(feed).getroot().find("channel")
        except ET.ParseError as exc:
            problem(feed, f"is not well-formed XML ({exc})")
            continue
        for item in channel.findall("item"):
            guid = item.findtext("guid")
            spec = statuses.get(guid)
            if spec is not None and spec.status != "public":
                problem(feed, f"still lists {spec.slug}, whose status is {spec.status}")
            enclosure = item.find("enclosure")
            links = [(enclosure.get("url"), enclosure.get("length"))] if enclosure is not None else []
            links += [(t.get("url"), None) for t in item.findall(f"{PODCAST}transcript")]
            for url, length in links:
                path = urlparse(url or "").path
                local = site / path[len(base_path):] if path.startswith(base_path) else None
                if local is None or not local.is_file():
                    problem(feed, f"item {guid} links to {url}, which is not in {site}")
                elif length is not None and int(length) != local.stat().st_size:
                    problem(feed, f"item {guid}: enclosure length {length} but {local.name} has "
                                  f"{local.stat().st_size} bytes")
    return findings


CHECKS: list[Callable] = [check_artwork, check_feed_guids, check_episodes, check_glossary, check_models,
                          check_site]


def check_project(root: Path) -> list[Finding]:
    from .project import Project

    show, findings = check_show(root)
    if show is None:
        return findings
    project = Project(Path(root).resolve(), show)
    for check in CHECKS:
        findings += check(show) if check is check_feed_guids else check(project)
    return findings
