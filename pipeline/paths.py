"""No file outside the project is ever read or written: the one test for "inside"."""

from __future__ import annotations

from pathlib import Path


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink resolved, stays inside `root`."""
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):        # a symlink loop
        return False


def check_output(root: Path) -> Path:
    """The project's output/ folder, refused when it is a link that leads out of the project."""
    from .errors import LearningLabError

    output = Path(root) / "output"
    if output.is_symlink() or (output.exists() and not inside(output, root)):
        raise LearningLabError(output, "is a link that leaves the project folder",
                               fix="make output/ a plain folder inside the project (learninglab writes "
                                   "only there)")
    return output
