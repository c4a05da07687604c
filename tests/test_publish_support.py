"""Shared by the publish tests (no tests here): a small real project, published once per session.

The project holds five episodes made from the real speech clips in tests/data/speech: the master
stage really runs on each (real MP3s, real sizes and durations); transcripts, hand-written
translations and a summary are written with the pipeline's own dataclasses and writers, in the
shapes the transcribe, translate and summarize stages write. One episode carries every awkward
character a feed can meet in its title and description.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEECH = Path(__file__).resolve().parent / "data" / "speech"
JS = Path(__file__).resolve().parent / "js"

SPECIAL_TITLE = "Tom & Jerry <b>\"quoted\"</b> 'single' — café, niño, garçon 🎧 مرحبا بالعالم שלום"
SPECIAL_DESCRIPTION = (
    'Opens with <script>alert("x")</script> & keeps going: naïve façade, «citas», '
    "👩🏽‍💻 and السلام عليكم (right to left) — 5 < 6 > 4 \"ok\" 'yes'."
)
TEST_ENGINE = "hand-written test translation"


@dataclass(frozen=True)
class Clip:
    """One episode of the fixture project."""

    slug: str
    clip: str
    language: str
    title: str
    date: str
    status: str
    guid: str
    season: int | None
    episode: int | None
    description: str
    segments: tuple[tuple[float, float, str], ...]  # start, end, text (the diarize stage finds who)
    translations: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lang -> one text per segment
    speakers: tuple[tuple[str, str, str], ...] = ()
    topics: tuple[str, ...] = ()
    redact: tuple[str, ...] = ()                                        # words never to publish


CLIPS = (
    Clip(
        "special-chars",
        "en_jfk_ask_not.wav",
        "en",
        SPECIAL_TITLE,
        "2026-04-01",
        "public",
        "0b6f3c2e-8a41-4c1e-9d7a-5e2f1a3b4c5d",
        1,
        4,
        SPECIAL_DESCRIPTION,
        (
            (0.3, 4.9, "And so my fellow Americans,"),
            (
                5.1,
                10.6,
                "ask not what your country can do for you, ask what you can do for your country.",
            ),
        ),
        {
            "es": (
                "Y así, mis compatriotas estadounidenses,",
                "no pregunten qué puede hacer su país por ustedes, "
                "pregunten qué pueden hacer ustedes por su país.",
            ),
            "fr": (
                "Et donc, mes chers compatriotes américains,",
                "ne demandez pas ce que votre pays peut faire pour vous, "
                "demandez ce que vous pouvez faire pour votre pays.",
            ),
        },
        (("Ana <Tester> & Co", 'Women\'s Fund "Équité"', "host"), ("Zoë Ñúñez", "Red de Mujeres", "guest")),
        ("gender-based violence", "peer learning"),
        redact=("Americans",),
    ),
    Clip(
        "fr-introduction",
        "fr_ej-fra_readalongs.m4a",
        "fr",
        "Présentation d'Éric",
        "2026-03-15",
        "public",
        "6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        1,
        3,
        "Un programmeur du CNRC présente son travail sur les langues autochtones.",
        (
            (0.5, 6.9, "Bonjour. Je m'appelle Éric Joanis. Je suis programmeur au CNRC."),
            (
                7.6,
                20.0,
                "J'ai fait une bonne partie de ma carrière en traduction automatique statistique.",
            ),
            (
                20.5,
                33.5,
                "En parallèle, j'aide à écrire des tests pour rendre le ReadAlong-Studio plus robuste.",
            ),
        ),
        speakers=(("Éric Joanis", "CNRC", "guest"),),
    ),
    Clip(
        "three-voices",
        "en_picovoice_three_speakers.wav",
        "en",
        "Three voices on one line",
        "2026-02-10",
        "public",
        "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
        1,
        2,
        "Three short turns from three speakers.",
        (
            (0.2, 2.5, "And so it begins."),
            (
                2.6,
                11.0,
                "This is what a crocodile sounds like. It's like meditating in the water, and it's like",
            ),
            (
                11.2,
                19.5,
                "Ladies and gentlemen, please fasten your seat belts. We are expecting some turbulence. "
                "Thank you.",
            ),
        ),
        {
            "es": (
                "Y así comienza.",
                "Así suena un cocodrilo. Es como meditar en el agua, y es como",
                "Señoras y señores, abróchense los cinturones. Esperamos algo de turbulencia. Gracias.",
            )
        },
        (("Speaker 1", "", ""), ("Speaker 2", "", ""), ("Speaker 3", "", "")),
    ),
    Clip(
        "unlisted-call",
        "en_picovoice_quilter.wav",
        "en",
        "An unlisted call",
        "2026-03-20",
        "unlisted",
        "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
        None,
        None,
        "Shared by link only.",
        (
            (
                0.3,
                5.6,
                "Mr. Quilter is the apostle of the middle classes and we are glad to welcome his gospel.",
            ),
        ),
    ),
    Clip(
        "draft-call",
        "en_picovoice_quilter.wav",
        "en",
        "A draft call",
        "2026-03-25",
        "draft",
        "8d9e0f1a-2b3c-4d4e-9f5a-6b7c8d9e0f1a",
        None,
        None,
        "Not ready.",
        (
            (
                0.3,
                5.6,
                "Mr. Quilter is the apostle of the middle classes and we are glad to welcome his gospel.",
            ),
        ),
    ),
)
LISTED = ("special-chars", "fr-introduction", "three-voices")  # public, newest first


def clip_titles() -> dict[str, str]:
    return {c.slug: c.title for c in CLIPS}


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def episode_toml(clip: Clip, recording: str) -> str:
    lines = [
        f"title = {toml_string(clip.title)}",
        f"date = {clip.date}",
        f"recording = {toml_string(recording)}",
        f"language = {toml_string(clip.language)}",
        f"description = {toml_string(clip.description)}",
        f"status = {toml_string(clip.status)}",
        f"guid = {toml_string(clip.guid)}",
        f"topics = [{', '.join(toml_string(t) for t in clip.topics)}]",
    ]
    if clip.season:
        lines.append(f"season = {clip.season}")
    if clip.episode:
        lines.append(f"episode = {clip.episode}")
    for name, org, role in clip.speakers:
        lines += [
            "",
            "[[speakers]]",
            f"name = {toml_string(name)}",
            f"organization = {toml_string(org)}",
            f"role = {toml_string(role)}",
        ]
    if clip.redact:
        lines += ["", "[redact]", f"words = [{', '.join(toml_string(w) for w in clip.redact)}]"]
    return "\n".join(lines) + "\n"


def add_episode(root: Path, clip: Clip) -> None:
    """The episode folder, its mastered audio and voice note (the real master and share stages) and
    its transcripts: the raw one in transcribe/, the real diarize and redact stages' output, and
    hand-written translations of it."""
    from pipeline import transcript as transcript_io
    from pipeline.project import Project
    from pipeline.runner import Context, run_stage
    from pipeline.stages import DIARIZE, MASTER, REDACT, SHARE
    from pipeline.transcript import Segment, Transcript
    from pipeline.workarea import write_transcript_files

    folder = root / "episodes" / clip.slug
    folder.mkdir(parents=True)
    recording = "recording" + Path(clip.clip).suffix
    shutil.copy(SPEECH / clip.clip, folder / recording)
    (folder / "episode.toml").write_text(episode_toml(clip, recording), encoding="utf-8")
    project = Project.load(root)
    spec = next(s for s in project.episodes().episodes if s.slug == clip.slug)
    ctx = Context(project, spec)
    for stage in (MASTER, SHARE):
        result = run_stage(stage, ctx, lambda seconds: None)
        assert result.status == "ran", result.error
    duration = json.loads((ctx.stage_dir("master") / "audio.json").read_text())["duration"]
    segments = tuple(Segment(s, e, text, clip.language) for s, e, text in clip.segments)
    source = Transcript(clip.language, duration, segments, "faster-whisper", "base")
    write_transcript_files(source, ctx.stage_dir("transcribe"))
    for stage in (DIARIZE, REDACT):        # the real stages: voices found in the real recording
        result = run_stage(stage, ctx, lambda seconds: None)
        assert result.status == "ran", result.error
    voiced = transcript_io.load(ctx.stage_dir("redact") / "transcript.json")
    for lang, texts in clip.translations.items():
        translated = voiced.with_segments(            # the translate stage keeps every segment's speaker
            [
                Segment(seg.start, seg.end, text, lang, speaker=seg.speaker)
                for seg, text in zip(voiced.segments, texts, strict=True)
            ],
            language=lang,
            translated_from=clip.language,
            extra={"translation_engine": TEST_ENGINE},
        )
        write_transcript_files(translated, ctx.stage_dir("translate") / lang)


def add_summary(root: Path, slug: str) -> None:
    """summarize/<lang>/summary.json + chapters.json for the special episode, with the summarize
    stage's own dataclasses and writer."""
    from pipeline.summarize.model import Chapter, Line, Summary, Topic, save

    texts = {
        "en": (
            "Kennedy asks citizens what they can do <em>for</em> their country & not the reverse.",
            "Ask what you can do",
            "Opening",
            "Service",
            ("gender-based violence", "peer learning", "civic duty"),
        ),
        "es": (
            "Kennedy pide a la ciudadanía qué puede hacer <em>por</em> su país y no al revés.",
            "Pregunten qué pueden hacer",
            "Apertura",
            "Servicio",
            ("violencia de género", "aprendizaje entre pares", "deber cívico"),
        ),
        "fr": (
            "Kennedy demande aux citoyens ce qu'ils peuvent faire <em>pour</em> leur pays.",
            "Demandez ce que vous pouvez faire",
            "Ouverture",
            "Service",
            ("violence basée sur le genre", "apprentissage entre pairs", "devoir civique"),
        ),
    }
    for lang, (summary, point, first, second, (gbv, peers, duty)) in texts.items():
        save(
            Summary(
                language=lang,
                source_language="en",
                summary=(Line(summary, 0.3, 10.6, 0, "en"),),
                key_points=(Line(point, 5.1, 10.6, 1, "en"),),
                topics=(Topic(gbv, "episode", 0, None, "en"), Topic(peers, "episode", 0, None, "en"),
                        Topic(duty, "keyword", 1, 5.1, "en")),
                chapters=(Chapter(0.0, first, "en"), Chapter(5.1, second, "en")),
                method="test fixture",
                translation=None if lang == "en" else TEST_ENGINE,
            ),
            root / "output" / "episodes" / slug / "summarize" / lang,
        )


def build_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "learninglab.toml", root / "learninglab.toml")
    shutil.copy(ROOT / "artwork.png", root / "artwork.png")
    (root / "glossary").mkdir()
    for clip in CLIPS:
        add_episode(root, clip)
    add_summary(root, "special-chars")
    return root


_BUILT: dict[str, Path] = {}


def fixture_project(tmp_path_factory) -> Path:
    """The fixture project, built once per test session (never modify it: use copy_of)."""
    if "project" not in _BUILT:
        _BUILT["project"] = build_project(tmp_path_factory.mktemp("publish") / "project")
    return _BUILT["project"]


def published_project(tmp_path_factory) -> Path:
    """The fixture project with output/site published once per session (read-only for tests)."""
    if "published" not in _BUILT:
        from pipeline.project import Project
        from pipeline.publish.site import publish

        root = copy_of(fixture_project(tmp_path_factory), tmp_path_factory.mktemp("published") / "project")
        report = publish(Project.load(root), ready=[c.slug for c in CLIPS])
        assert not report.errors, report.errors
        _BUILT["published"] = root
    return _BUILT["published"]


def copy_of(project: Path, target: Path) -> Path:
    shutil.copytree(project, target)
    return target


def set_field(episode_toml_path: Path, key: str, value: str) -> None:
    """Replace one top-level `key = ...` line of an episode.toml (the way a person edits it)."""
    lines = episode_toml_path.read_text(encoding="utf-8").splitlines()
    lines = [f"{key} = {value}" if line.startswith(f"{key} = ") else line for line in lines]
    episode_toml_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the three independent feed parsers ----------------------------------------------------------


def parse_partytime(feed: Path) -> dict:
    """npm podcast-partytime, run with node (tests/js/parse_feed.js)."""
    done = subprocess.run(
        ["node", str(JS / "parse_feed.js"), str(feed)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def parse_podcastparser(feed: Path, url: str) -> dict:
    import podcastparser

    with open(feed, "rb") as handle:
        return podcastparser.parse(url, handle)


def parse_feedparser(feed: Path):
    import feedparser

    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """`learninglab serve` on a free port for the project at `root`; yields the site's base URL."""
    command = [str(Path(sys.executable).parent / "learninglab"), "--project", str(root), "serve",
               "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert "Serving" in line, line + server.stderr.read()
        yield line.split(" at ")[1].split()[0]
    finally:
        server.terminate()
        server.wait(timeout=10)
