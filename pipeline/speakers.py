"""`learninglab speakers SLUG [N=NAME …]`: the voices diarization found, and the names staff give them.

Listing shows each voice with its talk time and its first three quotes (from the redacted
transcript), so staff can tell who is who. Naming writes `[voices]` into the episode's episode.toml
by editing its text (comments, order and layout stay as they were), atomically, and only after the
new file has been read back and checked the way every run reads it. Only names from [[speakers]]
are accepted, and the mapping records which numbering it belongs to (pipeline.voices).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import atomic
from .diarize.stage import Voices
from .episode import EPISODE_FILE, EpisodeSpec, load_episode
from .errors import LearningLabError
from .project import Project
from .tomlfile import read_toml, tomllib
from .voices import NUMBERING_KEY, label, named_voices

QUOTES = 3
QUOTE_CHARS = 90


@dataclass(frozen=True)
class Voice:
    number: int
    seconds: float
    name: str | None                           # the name staff gave it, as published (None: not named)
    quotes: tuple[tuple[float, str], ...]      # (start, text) of its first segments
    redacted: bool = False                     # named after a person whose name is redacted


@dataclass(frozen=True)
class Listing:
    spec: EpisodeSpec
    voices: tuple[Voice, ...]
    numbering: str
    renumbered: bool                           # [voices] was written for another numbering

    def lines(self) -> list[str]:
        from .publish.i18n import clock

        slug = self.spec.slug
        if not self.voices:
            return [f"{slug}: no speech was found, so no voices"]
        out = [f"{slug}: {len(self.voices)} voice(s)"]
        if self.renumbered:
            out.append("the voices were numbered anew since [voices] was written: its names are not shown "
                       "until you name the voices again")
        for v in self.voices:
            who = v.name or (f"named after a redacted person: shown as {label(v.number, 'en')}" if v.redacted
                             else f"{label(v.number, 'en')}, not named")
            out.append(f"voice {v.number} ({who}): {clock(v.seconds)} of talk")
            out += [f"  [{clock(start)}] {text}" for start, text in v.quotes]
        names = [s.name for s in self.spec.speakers]
        if names:
            first = json.dumps(names[0], ensure_ascii=False)
            out.append(f"name them with: learninglab speakers {slug} 1={first} … "
                       f"(from [[speakers]]: {', '.join(names)})")
        else:
            out.append("add the people to [[speakers]] in episode.toml to name the voices")
        return out


def _episode(project: Project, slug: str) -> EpisodeSpec:
    folder = project.root / "episodes" / slug
    if not (folder / EPISODE_FILE).is_file():
        found = {s.slug: s for s in project.episodes().episodes}
        if slug in found:
            return found[slug]
        raise LearningLabError(folder, f"no episode {slug!r}", fix="`learninglab status` lists the episodes")
    return load_episode(folder)


def _voices(project: Project, spec: EpisodeSpec) -> Voices:
    from .diarize.stage import VOICES_FILE, load

    folder = project.stage_dir(spec, "diarize")
    if not (folder / VOICES_FILE).is_file():
        raise LearningLabError(folder / VOICES_FILE, "the voices are not found yet",
                               fix=f"run `learninglab run {spec.slug}` first")
    return load(folder)


def _quotes(project: Project, spec: EpisodeSpec) -> dict[int, tuple[tuple[float, str], ...]]:
    from .redact import redact_transcript
    from .transcript import load
    from .voices import voice_number

    path = project.stage_dir(spec, "redact") / "transcript.json"
    if not path.is_file():
        path = project.stage_dir(spec, "diarize") / "transcript.json"
    transcript = redact_transcript(load(path), spec.redaction.forms, spec.redaction.ranges)
    out: dict[int, list[tuple[float, str]]] = {}
    for seg in transcript.segments:
        voice, text = voice_number(seg.speaker), " ".join(seg.text.split())
        if voice is not None and text and len(out.setdefault(voice, [])) < QUOTES:
            cut = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1].rsplit(" ", 1)[0] + " …"
            out[voice].append((seg.start, cut))
    return {v: tuple(q) for v, q in out.items()}


def list_voices(project: Project, slug: str) -> Listing:
    spec = _episode(project, slug)
    found = _voices(project, spec)
    quotes = _quotes(project, spec)
    names = named_voices(spec, found.numbering)
    renumbered = bool(spec.voices.names and spec.voices.numbering
                      and spec.voices.numbering != found.numbering)
    voices = tuple(Voice(v, seconds, names.get(v), quotes.get(v, ()),
                         not renumbered and v not in names and spec.voices.speaker_index(v) is not None)
                   for v, seconds in found.diarization.talk_time().items())
    return Listing(spec, voices, found.numbering, renumbered)


# -- writing [voices] ------------------------------------------------------------------------------

_TABLE = re.compile(r"^\s*\[\s*voices\s*\]\s*(#.*)?$")
_HEADER = re.compile(r"^\s*\[")


def _is_key(line: str, key: str) -> bool:
    name = re.escape(key)
    return re.match(rf"""^\s*(?:{name}|"{name}"|'{name}')\s*=""", line) is not None


def set_voices(text: str, changes: dict[str, str | None]) -> str:
    """episode.toml's text with these keys of [voices] set (None: removed), everything else untouched."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.removeprefix(bom).splitlines()
    start = next((i for i, line in enumerate(lines) if _TABLE.match(line)), None)
    if start is None:
        lines += ([""] if lines and lines[-1].strip() else []) + ["[voices]"]
        start = len(lines) - 1
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    table = lines[start + 1:end]
    for key, value in changes.items():
        at = next((j for j, line in enumerate(table) if _is_key(line, key)), None)
        if value is None:
            if at is not None:
                del table[at]
            continue
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        if at is not None:
            table[at] = line
        else:                              # after the table's last key, before blank lines and comments
            keys = [j for j, old in enumerate(table) if old.strip() and not old.lstrip().startswith("#")]
            table.insert(keys[-1] + 1 if keys else 0, line)
    return bom + newline.join(lines[:start + 1] + table + lines[end:]) + newline


def _parse(pairs: tuple[str, ...] | list[str], voices: tuple[int, ...], names: list[str], path: Path
           ) -> dict[int, str | None]:
    wanted: dict[int, str | None] = {}
    for pair in pairs:
        number, sep, name = pair.partition("=")
        if not sep or not number.strip().isdigit():
            raise LearningLabError(None, f"{pair!r} is not VOICE=NAME", field="speakers",
                                   fix='write the voice number, "=", and the name, e.g. 1="Amina Diallo"')
        voice, name = int(number), name.strip()
        if voice not in voices:
            raise LearningLabError(path, f"there is no voice {voice} (voices: {', '.join(map(str, voices))})",
                                   field="voices", fix="use a number `learninglab speakers SLUG` lists")
        if name and name not in [n.strip() for n in names]:
            raise LearningLabError(path, f"{name!r} is not the name of anyone in [[speakers]]",
                                   field="voices", fix="add that person to [[speakers]] first, or write "
                                                       "the name exactly as it is written there")
        wanted[voice] = name or None
    return wanted


def assign_names(project: Project, slug: str, pairs: tuple[str, ...] | list[str]) -> list[str]:
    """Write `[voices]` (VOICE=NAME; VOICE= removes a name) into the episode's episode.toml."""
    spec = _episode(project, slug)
    found = _voices(project, spec)
    path = spec.spec_path
    raw_names = [str(s.get("name", "")) for s in read_toml(path).get("speakers", []) if isinstance(s, dict)]
    wanted = _parse(pairs, found.diarization.voices, raw_names, path)
    changes: dict[str, str | None] = {}
    out = []
    if spec.voices.numbering and spec.voices.numbering != found.numbering:
        changes = {str(v): None for v, _ in spec.voices.names}      # names of another numbering go
        out.append("the voices were numbered anew since [voices] was written: its earlier names were removed")
    changes.update({str(v): name for v, name in sorted(wanted.items())})
    changes[NUMBERING_KEY] = found.numbering
    text = path.read_bytes().decode("utf-8")
    new = set_voices(text, changes)
    table = tomllib.loads(new.removeprefix("\ufeff")).get("voices", {})
    expected = {k: v for k, v in changes.items() if v is not None}
    if any(table.get(k) != v for k, v in expected.items()) or any(k in table for k, v in changes.items()
                                                                    if v is None):
        raise LearningLabError(path, "could not edit [voices] safely (it is written in an unusual way)",
                               field="voices", fix="write it by hand as a [voices] table: "
                                                   '1 = "Amina" on its own line under [voices]')
    atomic.write_text(path, new)
    load_episode(path.parent)             # read back as every run reads it
    for voice, name in sorted(wanted.items()):
        out.append(f"voice {voice}: {name}" if name else f"voice {voice}: name removed")
    out.append(f"written to {path}; `learninglab publish` shows the names")
    return out
