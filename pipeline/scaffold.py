"""`learninglab new`: a new episode folder with the recording and an episode.toml to fill in."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from pathlib import Path

from . import atomic
from .episode import EPISODE_FILE, EPISODES_DIR, SLUG_RE
from .errors import LearningLabError

TEMPLATE = '''# Episode: {slug}. Fields are explained in README.md ("Episode files").
title = {title}
date = {date}
recording = {recording}
# "auto" detects the language of every speech turn; or en, es, fr
language = "auto"
description = ""
topics = []
explicit = false
# draft: processed, never published. public: in feeds and portal. unlisted: link only.
# withdrawn: removed everywhere on the next publish.
status = "draft"
# The feed identity of this episode. Never change or reuse it.
guid = "{guid}"

# [[speakers]]
# name = ""
# organization = ""
# role = ""
'''


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escaping is valid TOML (quotes, backslashes, newlines, controls)."""
    return json.dumps(value, ensure_ascii=False)


def new_episode(root: Path, slug: str, recording: Path, title: str | None = None) -> Path:
    if not SLUG_RE.match(slug):
        raise LearningLabError(None, f"invalid slug {slug!r}", field="SLUG",
                               fix="use lowercase letters, digits and hyphens (e.g. 2026-03-peer-call)")
    folder = Path(root) / EPISODES_DIR / slug
    if folder.exists():
        raise LearningLabError(folder, "already exists", fix="choose another slug")
    from .audio import decode

    if recording.stat().st_size == 0:
        raise LearningLabError(recording, "is an empty file", field="--recording",
                               fix="export the recording again")
    decode(recording, 8000, field="--recording")      # refuse what the run would fail on, before copying
    folder.mkdir(parents=True)
    try:
        target = folder / f"recording{recording.suffix.lower()}"
        atomic.copy_file(recording, target)
        shutil.copystat(recording, target)
        spec = TEMPLATE.format(slug=slug, title=_toml_string(title or slug.replace("-", " ").capitalize()),
                               date=dt.date.today().isoformat(), recording=_toml_string(target.name),
                               guid=uuid.uuid4())
        atomic.write_text(folder / EPISODE_FILE, spec)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)   # a half-made folder would block the retry
        raise
    return folder / EPISODE_FILE
