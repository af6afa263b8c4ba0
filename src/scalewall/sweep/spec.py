"""Sweep specifications: parse a SPEC, expand it to scenarios, give each a stable key.

A SPEC names one ``command`` of :mod:`scalewall.commands`, the ``base`` options every scenario
shares, and a ``grid`` (option -> list of values, crossed) and/or ``cases`` (a list of option
sets). Every scenario is validated with :func:`scalewall.commands.check_options` when the SPEC is
expanded, so an invalid option fails before any work starts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from scalewall.errors import ScenarioError

__all__ = ["SweepSpec", "Scenario", "load_spec", "parse_spec", "expand_spec", "scenario_key", "KEY_LENGTH"]

#: hex digits of the SHA-256 kept in a scenario key (64 bits: a collision among a million
#: scenarios has a probability below 1e-7)
KEY_LENGTH = 16


class SweepSpec(BaseModel):
    """A sweep: one command, shared options, a grid and/or explicit cases."""

    model_config = ConfigDict(extra="forbid")

    command: str
    base: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    cases: list[dict[str, Any]] = []


@dataclass(frozen=True)
class Scenario:
    """One scenario of a sweep.

    Attributes
    ----------
    key : str
        Stable scenario key: a hash of the command and its canonical options.
    options : dict
        Canonical options: validated, JSON-typed, options equal to their default left out.
    inputs : dict
        The value of every option the SPEC names anywhere (defaults filled in), as recorded in
        the ``in.<option>`` columns of the results.
    """

    key: str
    options: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)


def scenario_key(command: str, canonical_options: dict[str, Any]) -> str:
    """Stable key of a scenario: SHA-256 of its canonical JSON, first ``KEY_LENGTH`` hex digits.

    Parameters
    ----------
    command : str
        The scalewall command (``train``, ``plan``...).
    canonical_options : dict
        Validated options in JSON mode with defaults left out, so ``{"precision": "bf16"}``
        (the default) and ``{}`` are the same scenario, and so is ``devices: "64"`` and ``64``.
    """
    text = json.dumps(
        {"command": command, "options": canonical_options},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=True,
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:KEY_LENGTH]


def parse_spec(data: Any, where: str = "sweep spec") -> SweepSpec:
    """Validate a SPEC already read into Python objects; ScenarioError names what is wrong."""
    from scalewall.catalog.loader import validate_as

    if not isinstance(data, dict):
        raise ScenarioError(f"{where} must be a mapping with keys command, base, grid, cases")
    spec = validate_as(SweepSpec, data, where)
    for name, values in spec.grid.items():
        if not values:
            raise ScenarioError(f"{where}: grid option {name!r} has no values; give at least one")
    for i, case in enumerate(spec.cases):
        both = sorted(set(case) & set(spec.grid))
        if both:
            raise ScenarioError(
                f"{where}: case {i + 1} sets {', '.join(both)}, which the grid "
                "also varies; set each option in the grid or in the cases"
            )
    return spec


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a SPEC YAML file."""
    from scalewall.files import load_yaml

    p = Path(path)
    return parse_spec(load_yaml(p, "sweep spec", error=ScenarioError), f"sweep spec {p.name}")


def _describe(opts: dict[str, Any], varying: list[str]) -> str:
    shown = [f"{k}={opts[k]}" for k in varying if k in opts][:6]
    return ", ".join(shown)


def _column_value(v: Any) -> Any:
    return json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v


def expand_spec(spec: SweepSpec) -> list[Scenario]:
    """All scenarios of a SPEC, validated, in SPEC order, duplicates (same key) dropped.

    Each scenario's options are ``base``, then its case, then its grid point (later ones win).
    With both ``grid`` and ``cases``, every case is crossed with every grid point.

    Raises
    ------
    ScenarioError
        On an unknown command or the first scenario with an unknown or invalid option, naming
        the scenario and the option. Nothing has run yet when it is raised.
    """
    from scalewall import commands as api

    api.options_model(spec.command)  # an unknown command fails here
    names = list(spec.grid)
    points = [dict(zip(names, values, strict=True)) for values in itertools.product(*spec.grid.values())]
    cases = spec.cases or [{}]
    varying = names + sorted({k for c in spec.cases for k in c})
    named = list(dict.fromkeys([*spec.base, *varying]))
    n = len(points) * len(cases)
    out: list[Scenario] = []
    seen: set[str] = set()
    i = 0
    for point in points:
        for case in cases:
            i += 1
            opts = {**spec.base, **case, **point}
            try:
                model = api.check_options(spec.command, opts)
            except ScenarioError as exc:
                where = _describe(opts, varying)
                raise ScenarioError(
                    f"scenario {i} of {n}" + (f" ({where})" if where else "") + f": {exc}"
                ) from None
            canonical = model.model_dump(mode="json", exclude_defaults=True)
            key = scenario_key(spec.command, canonical)
            if key in seen:
                continue
            seen.add(key)
            full = model.model_dump(mode="json")
            inputs = {k: _column_value(full.get(k)) for k in named}
            out.append(Scenario(key=key, options=canonical, inputs=inputs))
    return out
