"""One writer at a time: a lock file in output/ that a second run finds and names.

The lock is an advisory `flock` on output/.lock, so the kernel releases it when the holder exits,
however it exits (Ctrl-C, SIGKILL, a crash): a stale lock never blocks the next run. The file keeps
the holder's PID so the second run can say who holds it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LearningLabError

LOCK_FILE = ".lock"


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Hold the project's write lock for the length of the block, or fail in one line at once."""
    import fcntl

    from .paths import check_output

    output = check_output(root)
    output.mkdir(parents=True, exist_ok=True)
    path = output / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise LearningLabError(None, f"another learninglab (PID {holder}) is already working on this "
                                   "project", fix="wait for it to finish, then run this again") from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass            # a full disk: the lock holds all the same, the PID is only for the message
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
