"""Which engine translates a language pair, chosen automatically and loaded once per process.

Order: an argos package for the pair; argos through English (es->fr with es->en and en->fr);
an Apertium pair; Apertium through a pivot language (en<->fr). `prefer` ("argos" or "apertium")
restricts the choice to one engine; "auto" takes the first that is installed. Choosing is cheap
(a folder listing); loading a model happens once, when a pair is first translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import LearningLabError
from . import apertium
from .base import Engine, PivotEngine
from .packages import ArgosPackage, package_for

PREFERENCES = ("auto", "argos", "apertium")


@dataclass(frozen=True)
class Leg:
    kind: str                               # argos | apertium
    package: ArgosPackage | None = None
    mode: str = ""

    @property
    def identity(self) -> str:
        return self.package.identity if self.package else apertium.mode_identity(self.mode)


@dataclass(frozen=True)
class Route:
    legs: tuple[Leg, ...]
    via: str = ""

    @property
    def name(self) -> str:
        """What outputs record: "argos", "apertium", "apertium via ca", "argos via en"."""
        kinds = list(dict.fromkeys(leg.kind for leg in self.legs))
        return " + ".join(kinds) + (f" via {self.via}" if self.via else "")

    @property
    def identity(self) -> str:
        return " | ".join(leg.identity for leg in self.legs)


def _argos_route(source: str, target: str, models: Path | None) -> Route | None:
    direct = package_for(source, target, models)
    if direct:
        return Route((Leg("argos", direct),))
    if "en" in (source, target):
        return None
    first, second = package_for(source, "en", models), package_for("en", target, models)
    return Route((Leg("argos", first), Leg("argos", second)), "en") if first and second else None


def _apertium_route(source: str, target: str) -> Route | None:
    mode = apertium.mode_for(source, target)
    if mode:
        return Route((Leg("apertium", mode=mode),))
    for via in apertium.PIVOTS.get((source, target), ("en", "es", "ca")):
        first, second = apertium.mode_for(source, via), apertium.mode_for(via, target)
        if first and second:
            return Route((Leg("apertium", mode=first), Leg("apertium", mode=second)), via)
    return None


def find_route(source: str, target: str, models: Path | None = None, prefer: str = "auto") -> Route | None:
    if prefer not in PREFERENCES:
        raise LearningLabError(None, f"unknown translation engine {prefer!r}", field="engine",
                               fix=f"use one of {', '.join(PREFERENCES)}")
    route = _argos_route(source, target, models) if prefer in ("auto", "argos") else None
    if route is None and prefer in ("auto", "apertium"):
        route = _apertium_route(source, target)
    return route


def route_for(source: str, target: str, models: Path | None = None, prefer: str = "auto") -> Route:
    route = find_route(source, target, models, prefer)
    if route is None:
        which = {"auto": "", "argos": " (argos only)", "apertium": " (Apertium only)"}[prefer]
        raise LearningLabError(None, f"no translation engine for {source}->{target}{which}",
                               fix=f"{apertium.INSTALL_FIX}, or install an argos package: "
                                   f"`learninglab models install-translation {source} {target}`")
    return route


_loaded: dict[tuple, Engine] = {}


def _load_leg(leg: Leg) -> Engine:
    key = (leg.kind, str(leg.package.path) if leg.package else leg.mode, leg.identity)
    if key not in _loaded:
        if leg.package:
            from .argos import ArgosEngine
            _loaded[key] = ArgosEngine(leg.package)
        else:
            _loaded[key] = apertium.ApertiumEngine(leg.mode)
    return _loaded[key]


def load(route: Route) -> Engine:
    """The engine for a route; each model is loaded once per process and shared."""
    engines = [_load_leg(leg) for leg in route.legs]
    if len(engines) == 1:
        return engines[0]
    return PivotEngine(engines[0], engines[1], route.name)


def engine_identities(languages: list[str], models: Path | None = None,
                      prefer: str = "auto") -> dict[str, str]:
    """Per pair, the engine and its data (part of the translate stage's key: a new package reruns it)."""
    out = {}
    for source in languages:
        for target in languages:
            if source != target:
                route = find_route(source, target, models, prefer)
                out[f"{source}-{target}"] = f"{route.name}: {route.identity}" if route else "none"
    return out
