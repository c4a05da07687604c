"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path, only_if_changed: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` only on success (and, with
    `only_if_changed`, only when its bytes differ from the target's: an unchanged file keeps its
    modification time)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if only_if_changed and target.is_file() and filecmp.cmp(tmp, target, shallow=False):
            return
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def write_pieces(target: Path, pieces: Iterable[str], only_if_changed: bool = False) -> None:
    """Write text given in pieces (UTF-8, line breaks as given), never holding it whole."""
    with atomic_path(target, only_if_changed) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(pieces)


def copy_file(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Build a directory under a temporary name, then swap it in for `target`.

    The swap is two renames; a crash between them leaves `target` missing (never
    half-built), which the runner treats as "not done" and rebuilds.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def sweep(folder: Path) -> int:
    """Remove what a killed process left behind: temporary files and half-swapped folders.

    Only names this module makes (hidden, ending in .tmp or .old) are touched, and symlinks are never
    followed (a link is removed, never what it points at)."""
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return 0
    removed = 0
    for parent, dirs, files in os.walk(folder, topdown=False, followlinks=False):
        for name in dirs + files:
            if name.startswith(".") and (name.endswith(".tmp") or name.endswith(".old")):
                remove_tree(Path(parent) / name)
                removed += 1
    return removed


def remove_symlinks(folder: Path) -> list[Path]:
    """Delete every symlink under `folder` (never what it points at): what learninglab writes is never
    a link, and a link could lead a later write or delete out of the project."""
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for parent, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(parent) / name
            if path.is_symlink():
                path.unlink()
                found.append(path)
    return found


def remove_tree(path: Path) -> None:
    """Delete a file or a folder without ever following a symlink: a link is removed, not its target."""
    path = Path(path)
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path)
