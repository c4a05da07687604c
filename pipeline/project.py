"""Where things live: the project's folders and each episode's work area.

    episodes/<slug>/episode.toml + recording      the sources (never modified)
    output/episodes/<slug>/<stage>/...            the work area: one folder per stage
    output/episodes/<slug>/.state/<stage>.json    what each stage last did, with its key
    output/site/                                  the published, deployable site
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .episode import Discovery, EpisodeSpec, discover
from .show import Show, load_show

OUTPUT_DIR = "output"
GLOSSARY_DIR = "glossary"


@dataclass(frozen=True)
class Project:
    root: Path
    show: Show

    @classmethod
    def load(cls, root: Path | str = ".") -> Project:
        root = Path(root).resolve()
        return cls(root, load_show(root))

    @property
    def output(self) -> Path:
        return self.root / OUTPUT_DIR

    @property
    def work(self) -> Path:
        return self.output / "episodes"

    @property
    def site(self) -> Path:
        return self.output / "site"

    @property
    def glossary_dir(self) -> Path:
        return self.root / GLOSSARY_DIR

    @property
    def models_dir(self) -> Path:
        """Translation packages the project ships or installs (beside argos's own folder)."""
        return self.root / "models"

    def episodes(self) -> Discovery:
        return discover(self.root)

    def workdir(self, spec: EpisodeSpec) -> Path:
        return self.work / spec.slug

    def stage_dir(self, spec: EpisodeSpec, stage: str) -> Path:
        return self.workdir(spec) / stage
