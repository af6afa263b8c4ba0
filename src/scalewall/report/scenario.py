"""The scenario file: a title and the options of train, infer, site and outlook, in one YAML file.

A scenario is what ``scalewall report`` renders. Each command section holds that command's
options in snake_case, exactly the keys :func:`scalewall.commands.run` takes, and is validated by the
command's own options model (``extra="forbid"``), so a misspelt option fails with a
:class:`~scalewall.errors.ScenarioError` that names the section and the field, before any work
starts.

Schema (every section optional; at least one command section)::

    title: str                       # shown at the top of the report
    train:   {model, accelerator, devices, tokens, ...}    # scalewall train options
    infer:   {model, accelerator, devices, queries_per_day, ...}
    site:    {load_mw | load_from: train|infer, load_profile, weather, cfe, techs, year, ...}
    outlook: {scenario, samples, seed, lever: [...], sensitivity_samples, ...}
    report:  {cfe_curve: [0.5, 0.9, 0.99], dispatch_week_start_day: 182}
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scalewall.errors import ScenarioError
from scalewall.files import load_yaml_text, read_text

__all__ = [
    "COMMAND_SECTIONS",
    "LINKED_LOADS",
    "ReportSettings",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "default_scenario_text",
]

#: the command sections a scenario may hold, in report order
COMMAND_SECTIONS = ("train", "infer", "site", "outlook")
#: ``site.load_from`` values that take the site's IT load from another section's result
LINKED_LOADS = ("train", "infer")


class ReportSettings(BaseModel):
    """How the report draws a scenario (not options of any command)."""

    model_config = ConfigDict(extra="forbid")

    cfe_curve: list[float] = Field(
        default_factory=lambda: [0.5, 0.8, 0.9, 0.95, 0.99],
        max_length=12,
        description="CFE targets [-] at which the site is solved again for the cost-vs-CFE curve",
    )
    dispatch_week_start_day: int = Field(
        default=182, ge=0, le=358, description="first day of the year [d] of the dispatch week shown"
    )

    @field_validator("cfe_curve")
    @classmethod
    def _shares(cls, v: list[float]) -> list[float]:
        for x in v:
            if not 0.0 <= x <= 1.0:
                raise ValueError(f"CFE target {x} is not a share between 0 and 1")
        return sorted(set(v))


class Scenario(BaseModel):
    """A scenario file (see the module docstring for the schema)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="scalewall scenario", max_length=200)
    train: dict[str, Any] | None = None
    infer: dict[str, Any] | None = None
    site: dict[str, Any] | None = None
    outlook: dict[str, Any] | None = None
    report: ReportSettings = Field(default_factory=ReportSettings)

    def sections(self) -> dict[str, dict[str, Any]]:
        """The command sections present, in report order."""
        return {k: getattr(self, k) for k in COMMAND_SECTIONS if getattr(self, k) is not None}


def parse_scenario(data: Any, where: str = "scenario") -> Scenario:
    """Validate a scenario already read from YAML; raise ScenarioError naming the field."""
    from scalewall import commands as api
    from scalewall.catalog.loader import validate_as

    if not isinstance(data, dict):
        raise ScenarioError(
            f"{where} must be a mapping with sections "
            f"{', '.join(('title',) + COMMAND_SECTIONS + ('report',))}, "
            f"not {type(data).__name__}"
        )
    sc = validate_as(Scenario, data, where)
    if not sc.sections():
        raise ScenarioError(
            f"{where} has no section to report; give at least one of {', '.join(COMMAND_SECTIONS)}"
        )
    for command, opts in sc.sections().items():
        api.check_options(command, opts)  # raises "<command> options: field: problem"
    link = (sc.site or {}).get("load_from")
    if isinstance(link, str) and link in LINKED_LOADS and getattr(sc, link) is None:
        raise ScenarioError(f"{where}: site.load_from: {link} needs a {link} section in the scenario")
    return sc


def default_scenario_text() -> str:
    """The built-in default scenario shipped in the package [YAML text]."""
    return resources.files("scalewall.report").joinpath("scenarios", "default.yaml").read_text("utf-8")


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario file; ``None`` gives the built-in default."""
    if path is None:
        text, where = default_scenario_text(), "default scenario"
    else:
        p = Path(path)
        if not p.is_file():
            raise ScenarioError(
                f"scenario file {str(p)!r} does not exist; give a YAML file or "
                "leave it out for the built-in default"
            )
        text, where = read_text(p, "scenario file", error=ScenarioError), f"scenario {p.name}"
    return parse_scenario(load_yaml_text(text, where, ScenarioError), where)
