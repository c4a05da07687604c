"""Peak resident memory of a child process and everything it starts, measured from outside.

os.wait4's ru_maxrss is no good here: Linux counts in it the parent's memory at the moment of the
fork (the child shares the parent's pages until it execs), so a bench that holds an hour of audio
would charge it to every system it measures. Instead the child's own high-water mark (VmHWM,
which starts afresh at exec) is read by the child itself (`own_peak_mb`), and the whole process
tree (the child, its ffmpeg or Apertium helpers) is sampled from /proc ten times a second.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path


def status_mb(field: str) -> float:
    """One memory figure of this process from /proc/self/status, in MB: VmRSS (resident now) or
    VmHWM (its peak since it started, or since /proc/self/clear_refs was last given 5)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def own_peak_mb() -> float:
    """This process's peak resident memory since it started (VmHWM), in MB."""
    return status_mb("VmHWM")


def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            pages = int(Path(entry.path, "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        pid = int(entry.name)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run(command: list[str], **kwargs) -> tuple[int, float]:
    """Run `command`; (exit code, peak MB of its process tree sampled every 0.1 s)."""
    child = subprocess.Popen(command, **kwargs)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(child.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = child.wait()
    done.set()
    sampler.join()
    return code, peak[0] / 1024
