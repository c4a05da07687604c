"""Argos translation packages: where they live, what they hold, and how they are installed.

A package (`.argosmodel`) is a zip of one folder holding metadata.json, a CTranslate2 model in
model/ and sentencepiece.model. argostranslate unpacks packages into its package folder
(``$ARGOS_PACKAGES_DIR``, else ``$XDG_DATA_HOME/argos-translate/packages``, else
``~/.local/share/argos-translate/packages``); we read that folder, so packages installed with
argospm work here too, and the project's own models/ folder, where unpacked packages and
`.argosmodel` files both count (a file is unpacked into the model cache on first use).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..errors import LearningLabError

DEFAULT_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


@dataclass(frozen=True)
class ArgosPackage:
    path: Path
    from_code: str
    to_code: str
    version: str
    target_prefix: str = ""

    @property
    def identity(self) -> str:
        """Name, version and model size: enough to notice a package was replaced."""
        model = self.path / "model" / "model.bin"
        size = model.stat().st_size if model.is_file() else 0
        return f"argos {self.path.name} {self.version} {size}"


def version_key(version: str) -> tuple[int, ...]:
    """"1.10" sorts after "1.9"; anything unreadable sorts first."""
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.\-+]", version) if part)


def argos_package_dir() -> Path:
    """argostranslate's own package folder (the same rules argostranslate.settings uses)."""
    if os.environ.get("ARGOS_PACKAGES_DIR"):
        return Path(os.environ["ARGOS_PACKAGES_DIR"])
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "argos-translate" / "packages"


def read_package(folder: Path) -> ArgosPackage:
    """Check an unpacked package and read its metadata; a clear error names what is wrong."""
    meta_path = folder / "metadata.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LearningLabError(meta_path, f"cannot read package metadata ({exc})",
                               fix="reinstall it with `learninglab models install-translation`") from exc
    for key in ("from_code", "to_code"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise LearningLabError(meta_path, "missing language code", field=key,
                                   fix="use a package from the argos index, or fix metadata.json")
    if meta.get("type", "translate") != "translate":
        raise LearningLabError(meta_path, f"not a translation package (type {meta.get('type')!r})",
                               field="type", fix="install a translation package (type 'translate')")
    if not (folder / "model" / "model.bin").is_file():
        raise LearningLabError(folder, "no CTranslate2 model (model/model.bin)", field="model",
                               fix="reinstall the package; it is incomplete")
    if not (folder / "sentencepiece.model").is_file():
        bpe = (folder / "bpe.model").is_file()
        hint = "BPE-tokenized packages are not supported" if bpe else "it is incomplete"
        raise LearningLabError(folder, "no sentencepiece.model", field="sentencepiece.model",
                               fix=f"use a SentencePiece package ({hint})")
    return ArgosPackage(folder, meta["from_code"], meta["to_code"], str(meta.get("package_version", "")),
                        str(meta.get("target_prefix") or ""))


def _unpacked(archive: Path) -> Path:
    """A `.argosmodel` file left in models/: unpacked once into the model cache."""
    from ..models import cache_root

    digest = hashlib.sha256(f"{archive.resolve()}:{archive.stat().st_size}:{archive.stat().st_mtime_ns}"
                            .encode()).hexdigest()[:12]
    target = cache_root() / "argos" / f"{archive.stem}-{digest}"
    if not target.is_dir():
        with atomic.atomic_dir(target) as tmp:
            _extract(archive, tmp)
    return _package_root(target, archive)


def find_packages(project_models: Path | None = None) -> list[ArgosPackage]:
    """Installed packages: argos's folder first, then the project's models/ folder."""
    found = []
    for base in [argos_package_dir()] + ([project_models] if project_models else []):
        if not base.is_dir():
            continue
        for item in sorted(base.iterdir()):
            if item.name.startswith("."):       # half-unpacked installs
                continue
            if item.is_dir() and (item / "metadata.json").is_file():
                found.append(read_package(item))
            elif item.is_file() and item.suffix == ".argosmodel":
                found.append(read_package(_unpacked(item)))
    return found


def package_for(source: str, target: str, project_models: Path | None = None) -> ArgosPackage | None:
    """The newest installed package for a pair."""
    matching = [p for p in find_packages(project_models) if (p.from_code, p.to_code) == (source, target)]
    return max(matching, key=lambda p: version_key(p.version)) if matching else None


# -- installing ---------------------------------------------------------------------------------

def _package_root(folder: Path, archive: Path) -> Path:
    roots = [p for p in folder.iterdir() if p.is_dir() and (p / "metadata.json").is_file()]
    if (folder / "metadata.json").is_file():
        return folder
    if len(roots) != 1:
        raise LearningLabError(archive, "not an argos package (no folder with metadata.json inside)",
                               fix="give a .argosmodel file from the argos package index")
    return roots[0]


def _extract(archive: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                dest = (into / name).resolve()
                if not dest.is_relative_to(into.resolve()):
                    raise LearningLabError(archive, f"unsafe path {name!r} in the archive",
                                           fix="get the package from a trusted source")
            zf.extractall(into)
    except zipfile.BadZipFile as exc:
        raise LearningLabError(archive, "not a zip archive", fix="give a .argosmodel file") from exc


def install_file(archive: Path, into: Path) -> ArgosPackage:
    """Unpack and check a `.argosmodel` file into `into`; an older copy of it is replaced."""
    archive = Path(archive)
    if not archive.is_file():
        raise LearningLabError(archive, "no such file", fix="give the path of a .argosmodel file")
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=into, prefix=".unpack-") as tmp:
        _extract(archive, Path(tmp))
        root = _package_root(Path(tmp), archive)
        read_package(root)
        name = root.name if root != Path(tmp) else archive.stem
        with atomic.atomic_dir(into / name) as target:
            shutil.copytree(root, target, dirs_exist_ok=True)
    return read_package(into / name)


def index_url(url: str | None = None) -> str:
    """--index, else $ARGOS_PACKAGE_INDEX (argos's variable: a base URL), else argos's public index."""
    url = url or os.environ.get("ARGOS_PACKAGE_INDEX") or DEFAULT_INDEX
    return url if url.endswith(".json") else url.rstrip("/") + "/index.json"


def _fetch(url: str, timeout: float = 60) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "learninglab"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


class IndexUnreachable(LearningLabError):
    """The package index could not be read (offline, or a wrong URL)."""


# What `learninglab models install-translation --all` (and scripts/setup.sh) installs: Spanish and
# French each way with English; Spanish<->French goes through English.
DEFAULT_PAIRS = (("en", "es"), ("es", "en"), ("en", "fr"), ("fr", "en"))


def read_index(url: str | None = None) -> tuple[str, list[dict]]:
    """The index's URL and its translation packages."""
    url = index_url(url)
    try:
        index = json.loads(_fetch(url, timeout=30))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise IndexUnreachable(url, f"cannot read the package index ({exc})",
                               fix="check the internet connection or give --index URL, "
                                   "or install a downloaded file with --file") from exc
    if not isinstance(index, list):
        raise LearningLabError(url, "the package index is not a list of packages", fix="check --index URL")
    return url, [m for m in index if isinstance(m, dict) and m.get("type", "translate") == "translate"]


def best_offer(index: list[dict], url: str, source: str, target: str) -> dict:
    offers = [m for m in index
              if m.get("from_code") == source and m.get("to_code") == target and m.get("links")]
    if not offers:
        raise LearningLabError(url, f"no package for {source}->{target} in the index",
                               fix="`learninglab translate` pivots through English: install "
                                   f"{source}->en and en->{target} instead")
    return max(offers, key=lambda m: version_key(str(m.get("package_version", ""))))


def download(offer: dict, url: str, into: Path) -> ArgosPackage:
    """Fetch an index entry's package (its links in order) and install it."""
    errors = []
    for link in offer["links"]:
        link = urllib.parse.urljoin(url, link)
        try:
            data = _fetch(link, timeout=600)
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{link}: {exc}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / Path(urllib.parse.urlparse(link).path).name
            archive.write_bytes(data)
            return install_file(archive, into)
    pair = f"{offer.get('from_code')}->{offer.get('to_code')}"
    raise LearningLabError(url, f"download of {pair} failed ({'; '.join(errors)})",
                           fix="check the internet connection and try again")


def install_from_index(source: str, target: str, into: Path, url: str | None = None) -> ArgosPackage:
    """Find the newest package for a pair in the argos index, download it and install it."""
    url, index = read_index(url)
    return download(best_offer(index, url, source, target), url, into)


@dataclass(frozen=True)
class Installed:
    package: ArgosPackage
    new: bool               # downloaded now (else: already installed, same version or newer)
    check: str              # what the package made of a test sentence


def verify(package: ArgosPackage) -> str:
    """Load the package with CTranslate2 and translate one sentence; a package that cannot is an error."""
    from .argos import ArgosEngine

    try:
        out = ArgosEngine(package).translate(["Thank you all for joining."])[0]
    except Exception as exc:       # a broken model: CTranslate2 and SentencePiece raise their own types
        raise LearningLabError(package.path, f"the package does not translate ({exc})",
                               fix="reinstall it: `learninglab models install-translation --all`") from exc
    if not out.strip():
        raise LearningLabError(package.path, "the package translated a test sentence to nothing",
                               fix="reinstall it: `learninglab models install-translation --all`")
    return out


def _unpacked_in(folder: Path) -> list[ArgosPackage]:
    if not folder.is_dir():
        return []
    return [read_package(item) for item in sorted(folder.iterdir())
            if not item.name.startswith(".") and (item / "metadata.json").is_file()]


def install_pairs(pairs, into: Path, url: str | None = None) -> list[Installed]:
    """Every pair from the index (one read), skipping those installed in `into` at the index's
    version or newer; each package is verified by translating a sentence."""
    url, index = read_index(url)
    done = []
    for source, target in pairs:
        offer = best_offer(index, url, source, target)
        have = [p for p in _unpacked_in(Path(into)) if (p.from_code, p.to_code) == (source, target)]
        current = max(have, key=lambda p: version_key(p.version), default=None)
        offered = version_key(str(offer.get("package_version", "")))
        fresh = current is None or version_key(current.version) < offered
        package = download(offer, url, into) if fresh else current
        done.append(Installed(package, fresh, verify(package)))
    return done
