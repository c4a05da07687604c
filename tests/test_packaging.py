"""pyproject.toml declares every third-party module the package imports, and a build backend that can
read its own metadata."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def imported_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def test_every_third_party_import_is_declared():
    project = PYPROJECT["project"]
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    dists = importlib.metadata.packages_distributions()
    missing = []
    for module, path in imported_modules().items():
        if module in sys.stdlib_module_names or module in ("pipeline", "__future__", "tomli"):
            continue
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not owners & declared:
            missing.append(f"{module} ({path.relative_to(ROOT)}, from {sorted(owners)})")
    assert missing == []
    assert {"av", "lxml"} <= {_name(r) for r in project["dependencies"]}


def test_the_build_backend_can_read_an_spdx_license():
    assert isinstance(PYPROJECT["project"]["license"], str)       # SPDX string: setuptools 77 and newer
    floor = next(r for r in PYPROJECT["build-system"]["requires"] if _name(r) == "setuptools")
    assert int(re.search(r">=\s*(\d+)", floor).group(1)) >= 77
