"""The command layer: one module per command, each with its options model, runner and result.

``execute("train", {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024})``
returns the typed :class:`~scalewall.commands.train.TrainResult`; :func:`run` returns its JSON
object, exactly what ``scalewall train --json`` prints. The CLI, the web API, reports and sweeps
all go through here, so they cannot drift apart. Each command's options are a pydantic model with
``extra="forbid"``: an unknown or invalid option raises :class:`~scalewall.errors.ScenarioError`
naming it, before any work starts.

Command modules import their stages inside their runners, so importing this package is cheap and
the CLI starts fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from scalewall.commands.infer import InferOptions, InferResult, run_infer
from scalewall.commands.outlook import OutlookOptions, OutlookResult, run_outlook
from scalewall.commands.plan import PlanOptions, PlanResult, run_plan
from scalewall.commands.site import SiteOptions, SiteResult, run_site
from scalewall.commands.train import TrainOptions, TrainResult, run_train
from scalewall.errors import ScenarioError

__all__ = [
    "Command",
    "COMMANDS",
    "RESULT_MODELS",
    "execute",
    "run",
    "options_model",
    "check_options",
]


@dataclass(frozen=True)
class Command:
    """A command: its options model (declared once), its runner and its result model."""

    name: str
    options: type[BaseModel]
    result: type[BaseModel]
    runner: Callable[..., BaseModel]
    summary: str


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("train", TrainOptions, TrainResult, run_train,
                "time, MFU, memory, plan, energy, carbon, water and cost of a training run"),
        Command("plan", PlanOptions, PlanResult, run_plan,
                "the best parallel plans for a model on a cluster, and why the rest lost"),
        Command("infer", InferOptions, InferResult, run_infer,
                "latency, throughput, energy per token and per query of serving; fleet sizing"),
        Command("site", SiteOptions, SiteResult, run_site,
                "the least-cost hourly power supply for a data-centre load at a site"),
        Command("outlook", OutlookOptions, OutlookResult, run_outlook,
                "2024-2050 trajectories, the year each wall binds, what each lever buys"),
    )
}

#: result model of every command, by command name (``scalewall schema NAME`` prints its schema)
RESULT_MODELS: dict[str, type[BaseModel]] = {name: c.result for name, c in COMMANDS.items()}


def _command(command: str) -> Command:
    if command not in COMMANDS:
        raise ScenarioError(f"unknown command {command!r}; commands: {', '.join(COMMANDS)}")
    return COMMANDS[command]


def options_model(command: str) -> type[BaseModel]:
    """The pydantic model of a command's options."""
    return _command(command).options


def check_options(command: str, options: dict) -> BaseModel:
    """Validate options; an unknown or invalid one raises ScenarioError naming it."""
    from scalewall.catalog.loader import validate_as

    return validate_as(options_model(command), options, f"{command} options")


def execute(command: str, options: dict | BaseModel, **kwargs: Any) -> BaseModel:
    """Run a command on its options (a mapping, or its options model); the typed result.

    ``kwargs`` go to the runner (``progress=`` for ``site`` and ``outlook``).
    """
    c = _command(command)
    opts = options if isinstance(options, c.options) else check_options(command, dict(options))
    return c.runner(opts, **kwargs)


def run(command: str, options: dict | BaseModel, **kwargs: Any) -> dict:
    """Run a command on its options; its ``--json`` object."""
    return execute(command, options, **kwargs).model_dump()
