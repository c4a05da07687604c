"""No file outside the project is ever read or written: the one test for "inside"."""

from __future__ import annotations

from pathlib import Path


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink resolved, stays inside `root`."""
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):        # a symlink loop
        return False
