"""The localize stage: the words of episode.toml a partner reads, in every language of the show.

Title, description, every speaker's role and the descriptive parts of their organization ("Public
archive recording", never "National Research Council Canada": a part written in title case is a
name and stays as written; glossary names are never translated). Publish reads the result
(localize/<lang>/texts.json) and never asks an engine anything; human text written in episode.toml
for a language (`[es] title = ...`) still wins there.

Which language the texts are in is read from the texts themselves (stop words): a bilingual
session may be spoken mostly in French under an English title. Each text is translated once per
engine and glossary: the stage keeps what it made (localize/cache.json), so a retitle sends the
new title alone to the engine. The key covers the texts, the glossary and each pair's engine, so
installing a better engine remakes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .. import atomic
from ..episode import EpisodeSpec
from ..errors import LearningLabError
from ..glossary import glossary_files
from ..runner import Context, Progress, Stage

VERSION = 1
TEXTS_FILE = "texts.json"
CACHE_FILE = "cache.json"
_PARTS = re.compile(r"(\s*(?:[,;:(){}\[\]/|]|\s[-–—]\s)\s*)")
_SMALL = 3          # words this short may stay lower case inside a name ("Red de Mujeres")


@dataclass(frozen=True)
class Text:
    text: str
    lang: str                   # the language it is in
    machine: bool = False       # a machine translation
    flagged: bool = False       # its glossary terms could not be enforced


@dataclass(frozen=True)
class SpeakerText:
    role: Text
    organization: Text


@dataclass(frozen=True)
class EpisodeTexts:
    """One language's texts (localize/<lang>/texts.json)."""
    language: str
    source_language: str        # the language episode.toml is written in
    title: Text
    description: Text
    speakers: tuple[SpeakerText, ...]
    engines: dict[str, str]     # per language pair, the route that translated (for the record)

    @property
    def machine(self) -> bool:
        return any(t.machine for t in self.all_texts())

    def all_texts(self) -> list[Text]:
        return [self.title, self.description, *(t for s in self.speakers for t in (s.role, s.organization))]

    def to_json(self) -> str:
        data = {"version": VERSION, **asdict(self)}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def load(path: Path) -> EpisodeTexts:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}")
        return EpisodeTexts(
            data["language"], data["source_language"], Text(**data["title"]), Text(**data["description"]),
            tuple(SpeakerText(Text(**s["role"]), Text(**s["organization"])) for s in data["speakers"]),
            dict(data["engines"]))
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise LearningLabError(path, f"not a learninglab texts file ({exc})",
                               fix="rerun `learninglab translate --force`") from exc


# -- what is in which language ------------------------------------------------------------------

def text_language(texts: list[str], spoken: str, languages: tuple[str, ...]) -> str:
    """The language most of `texts` is written in, by the stop words only that language has (then by
    all its stop words); where nothing tells, the language spoken."""
    from ..summarize.text import stop_words, words

    said = [w for text in texts for w in words(text)]
    lists = {lang: stop_words(lang) for lang in languages}
    scores = {}
    for lang in languages:
        own = lists[lang] - set().union(*(lists[o] for o in languages if o != lang))
        scores[lang] = (sum(w in own for w in said), sum(w in lists[lang] for w in said), lang == spoken)
    best = max(languages, key=lambda lang: scores[lang])
    return best if scores[best][:2] != (0, 0) else spoken


def is_name(part: str) -> bool:
    """A part of an organization written as a name: every longer word starts with a capital."""
    words = re.findall(r"[^\W\d_][\w'’-]*", part)
    return bool(words) and all(w[0].isupper() for w in words if len(w) > _SMALL or w[0].isupper())


def organization_parts(organization: str) -> list[tuple[str, bool]]:
    """(text, translate?) pieces of an organization: separators and names as written, descriptive
    parts translated."""
    out = []
    for piece in _PARTS.split(organization):
        if piece:
            out.append((piece, bool(piece.strip()) and not _PARTS.fullmatch(piece) and not is_name(piece)))
    return out


# -- the stage ----------------------------------------------------------------------------------

def source_texts(spec: EpisodeSpec) -> list[str]:
    """Every text this stage translates, in order (title, description, then per speaker)."""
    out = [spec.title, spec.description]
    for s in spec.speakers:
        out += [s.role, s.organization]
    return out


def _prefer(ctx: Context) -> str:
    return ctx.options.get("translator") or "auto"


def _params(ctx: Context) -> dict:
    from .choose import engine_identities

    languages = list(ctx.project.show.languages)
    return {"texts": source_texts(ctx.spec), "language": ctx.spec.language, "languages": languages,
            "prefer": _prefer(ctx),
            "engines": engine_identities(languages, ctx.project.models_dir, _prefer(ctx))}


def _inputs(ctx: Context) -> list[Path]:
    from ..workarea import source_transcript

    return [source_transcript(ctx), *glossary_files(ctx.project.glossary_dir)]


def localize_texts(spec: EpisodeSpec, source: str, target: str, translate) -> EpisodeTexts:
    """`translate(texts) -> list[Text]` carries texts from `source` to `target` (one batch)."""
    wanted: list[str] = []
    organizations = [organization_parts(s.organization) for s in spec.speakers]
    if source != target:
        wanted = [spec.title, spec.description, *(s.role for s in spec.speakers)]     # roles: all description
        wanted += [text for pieces in organizations for text, todo in pieces if todo]
    unique = [w for w in dict.fromkeys(wanted) if w.strip()]
    done = dict(zip(unique, translate(unique), strict=True)) if unique else {}

    def text(value: str) -> Text:
        made = done.get(value)
        return replace(made, text=first_case(value, made.text)) if made else Text(value, source)

    def composed(pieces: list[tuple[str, bool]], written: str) -> Text:
        made = [text(p) if todo else Text(p, source) for p, todo in pieces]
        if not any(t.machine for t in made):
            return Text(written, source)
        return Text("".join(t.text for t in made), target, machine=True,
                    flagged=any(t.flagged for t in made))

    speakers = tuple(SpeakerText(text(s.role), composed(o, s.organization))
                     for s, o in zip(spec.speakers, organizations, strict=True))
    return EpisodeTexts(target, source, text(spec.title), text(spec.description), speakers, {})


def first_case(source: str, out: str) -> str:
    """A text that starts in lower case ("speaker") is not capitalised by the engine ("Ponente")."""
    first = next((c for c in source if c.isalpha()), "")
    at = next((i for i, c in enumerate(out) if c.isalpha()), None)
    if first.islower() and at is not None and out[at].isupper():
        return out[:at] + out[at].lower() + out[at + 1:]
    return out


def _run(ctx: Context, out: Path, progress: Progress) -> None:
    from .. import transcript as transcript_io
    from ..workarea import source_transcript
    from .service import Memory, glossary_in, translate_remembered

    project, spec = ctx.project, ctx.spec
    languages = project.show.languages
    transcript = transcript_io.read_head(source_transcript(ctx))      # its language; segments unread
    spoken = spec.language if spec.language != "auto" else transcript.language
    source = text_language(source_texts(spec), spoken, languages)
    glossary = glossary_in(project.glossary_dir)
    memory = Memory.load(ctx.stage_dir("localize") / CACHE_FILE)
    for lang in languages:
        routes: dict[str, str] = {}

        def translate(texts: list[str], lang: str = lang, routes: dict = routes) -> list[Text]:
            made = translate_remembered(texts, source, lang, glossary=glossary, models=project.models_dir,
                                        prefer=_prefer(ctx), memory=memory)
            routes.update({f"{source}-{lang}": m.engine for m in made})
            return [Text(m.text, lang, machine=True, flagged=m.flagged) for m in made]

        texts = replace(localize_texts(spec, source, lang, translate), engines=routes)
        atomic.write_text(out / lang / TEXTS_FILE, texts.to_json())
    memory.save(out / CACHE_FILE)
    progress(transcript.duration)


LOCALIZE = Stage(
    name="localize", version=1,
    description="translating the episode's title, description and speakers' roles",
    inputs=_inputs, params=_params, run=_run,
)
