"""Scenarios: the presets shipped in ``outlook/presets`` and users' YAML files of the same form.

A scenario file::

    name: my-scenario
    description: slower compute growth
    drivers:                      # any trend id of `scalewall catalog list trends`
      frontier-compute-growth: {low: 2.5, central: 3.0, high: 3.5}
      sites-per-run: {value: 2}
    walls: [site_power, grid, chips, cost, data, latency, data_movement]   # optional subset
    levers: [distributed-training]                                           # optional, always on

Errors name the field: an unknown driver, a range with low > high, an unknown wall or lever.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from scalewall import catalog
from scalewall.catalog.loader import validate_as
from scalewall.catalog.outlook import Scenario
from scalewall.errors import ScenarioError, closest_hint
from scalewall.files import load_yaml
from scalewall.outlook.model import WALLS

__all__ = ["PRESETS", "PRESET_ALIASES", "load_scenario", "overrides"]

PRESETS = (
    "baseline",
    "epoch-2030",
    "iea-2025",
    "iea-2025-lift-off",
    "iea-2025-high-efficiency",
    "iea-2025-headwinds",
    "lbnl-2024",
    "constrained",
    "accelerated",
)
#: earlier names of presets
PRESET_ALIASES = {"epoch-2024": "epoch-2030"}


def _parse(raw: object, where: str) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where} must hold one mapping (name, drivers, walls, levers)")
    sc = validate_as(Scenario, raw, where)
    known = list(catalog.entries("trends"))
    for key in sc.drivers:
        if key not in known:
            raise ScenarioError(
                f"{where}: drivers.{key} is not a known driver{closest_hint(key, known)}; "
                "see `scalewall catalog list trends`"
            )
    for w in sc.walls or []:
        if w not in WALLS:
            raise ScenarioError(f"{where}: walls has unknown wall {w!r}; walls: {', '.join(WALLS)}")
    if sc.levers:
        from scalewall.outlook.levers import get_lever

        for name in sc.levers:
            try:
                get_lever(name)
            except Exception as exc:  # InputError -> name the scenario field
                raise ScenarioError(f"{where}: levers: {exc}") from None
    return sc


def load_scenario(name_or_file: str | None) -> Scenario:
    """A preset by name, or a user's scenario YAML file by path.

    Raises
    ------
    ScenarioError
        Unknown preset, missing file, invalid YAML, or a field that does not validate.
    """
    key = (name_or_file or "baseline").strip()
    key = PRESET_ALIASES.get(key, key)
    if key in PRESETS:
        text = resources.files("scalewall.outlook").joinpath("presets", f"{key}.yaml").read_text("utf-8")
        return _parse(yaml.safe_load(text), f"preset {key}")
    path = Path(key)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return _parse(load_yaml(path, "scenario file", error=ScenarioError), path.name)
    raise ScenarioError(
        f"--scenario {key!r} is neither a preset ({', '.join(PRESETS)}) nor a .yaml file"
        f"{closest_hint(key, PRESETS)}"
    )


def overrides(sc: Scenario) -> dict[str, tuple[float, float, float]]:
    """The scenario's driver ranges {trend id: (low, central, high)} [driver units]."""
    return {k: v.triple() for k, v in sc.drivers.items()}
