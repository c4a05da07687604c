"""`learninglab serve`: preview output/site/ over HTTP on this machine.

The standard library's file server, plus what a podcast site needs from it: the right types
for captions and transcripts, and byte ranges so the audio player can seek.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..errors import LearningLabError

TYPES = {".vtt": "text/vtt; charset=utf-8", ".srt": "application/x-subrip; charset=utf-8",
         ".md": "text/markdown; charset=utf-8", ".json": "application/json",
         ".xml": "application/rss+xml; charset=utf-8", ".mp3": "audio/mpeg", ".opus": "audio/ogg",
         ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


class SiteHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}
    quiet = False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if not self.quiet:
            super().log_message(format, *args)

    def send_head(self):
        """A single `Range: bytes=a-b` is answered with 206 and that slice; anything else as usual."""
        match = RANGE_RE.match(self.headers.get("Range", "").strip())
        path = self.translate_path(self.path)
        if not match or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        elif last:
            start, end = max(0, size - int(last)), size - 1
        else:
            return super().send_head()
        if start > end or start >= size:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = open(path, "rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Slice(handle, end - start + 1)

    def end_headers(self) -> None:
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


class _Slice:
    """A file object that stops after `remaining` bytes (what copyfile sends for a range)."""

    def __init__(self, handle, remaining: int) -> None:
        self.handle, self.remaining = handle, remaining

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def make_server(site: Path, host: str = "127.0.0.1", port: int = 8000,
                quiet: bool = False) -> ThreadingHTTPServer:
    site = Path(site)
    if not (site / "index.html").is_file():
        raise LearningLabError(site, "nothing published yet", fix="run `learninglab publish` first")
    handler = type("Handler", (SiteHandler,), {"quiet": quiet})
    try:
        return ThreadingHTTPServer((host, port), partial(handler, directory=str(site)))
    except OSError as exc:
        raise LearningLabError(None, f"cannot listen on {host}:{port} ({exc.strerror})",
                               field="--host/--port",
                               fix="choose another port, or --port 0 for any free one") from exc


def serve(site: Path, host: str, port: int, announce: Callable[[str], None], quiet: bool = False) -> None:
    server = make_server(site, host, port, quiet)
    bound_host, bound_port = server.server_address[:2]
    announce(f"http://{bound_host}:{bound_port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
