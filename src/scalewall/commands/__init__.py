"""The command layer: one module per command, each with its options model, runner and result.

``execute("train", {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024})``
returns the typed :class:`~scalewall.commands.train.TrainResult`; :func:`run` returns its JSON
object, exactly what ``scalewall train --json`` prints. The CLI, the web API, reports and sweeps
all go through here, so they cannot drift apart. Each command's options are a pydantic model with
``extra="forbid"``: an unknown or invalid option raises :class:`~scalewall.errors.ScenarioError`
naming it, before any work starts.

The registry names each command's module and classes; a command's module is imported the first
time its options, result or runner is asked for, so importing this package is cheap, ``scalewall
--help`` stays fast and ``scalewall train`` never loads the outlook's statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scalewall.errors import ScenarioError, closest_hint

if TYPE_CHECKING:
    from pydantic import BaseModel

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
    """A command: its options model (declared once), its runner and its result model.

    ``options``, ``result`` and ``runner`` are read from the module ``scalewall.commands.<name>``
    (classes ``<Name>Options``, ``<Name>Result``, function ``run_<name>``) when first used.
    """

    name: str
    summary: str

    @property
    def module(self) -> Any:
        return _command_module(self.name)

    @property
    def options(self) -> type[BaseModel]:
        return getattr(self.module, f"{self.name.capitalize()}Options")

    @property
    def result(self) -> type[BaseModel]:
        return getattr(self.module, f"{self.name.capitalize()}Result")

    @property
    def runner(self) -> Callable[..., BaseModel]:
        return getattr(self.module, f"run_{self.name}")


def _command_module(name: str) -> Any:
    """The module of a command, imported on first use (plain imports, so import-linter sees them
    and the CLI's ``--help`` loads none of them)."""
    if name == "train":
        from scalewall.commands import train

        return train
    if name == "plan":
        from scalewall.commands import plan

        return plan
    if name == "infer":
        from scalewall.commands import infer

        return infer
    if name == "site":
        from scalewall.commands import site

        return site
    if name == "outlook":
        from scalewall.commands import outlook

        return outlook
    raise ScenarioError(f"unknown command {name!r}")


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("train", "time, MFU, memory, plan, energy, carbon, water and cost of a training run"),
        Command("plan", "the best parallel plans for a model on a cluster, and why the rest lost"),
        Command("infer", "latency, throughput, energy per token and per query of serving; fleet sizing"),
        Command("site", "the least-cost hourly power supply for a data-centre load at a site"),
        Command("outlook", "2024-2050 trajectories, the year each wall binds, what each lever buys"),
    )
}


class _ResultModels(Mapping):
    """{command: result model}, importing a command's module only when its model is read."""

    def __getitem__(self, name: str) -> type[BaseModel]:
        return COMMANDS[name].result

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)

    def __repr__(self) -> str:
        return f"RESULT_MODELS({', '.join(COMMANDS)})"


#: result model of every command, by command name (``scalewall schema NAME`` prints its schema)
RESULT_MODELS: Mapping[str, type[BaseModel]] = _ResultModels()


def _command(command: str) -> Command:
    if command not in COMMANDS:
        raise ScenarioError(
            f"unknown command {command!r}; commands: {', '.join(COMMANDS)}" + closest_hint(command, COMMANDS)
        )
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
    model = c.options
    opts = options if isinstance(options, model) else check_options(command, dict(options))
    return c.runner(opts, **kwargs)


def run(command: str, options: dict | BaseModel, **kwargs: Any) -> dict:
    """Run a command on its options; its ``--json`` object."""
    return execute(command, options, **kwargs).model_dump()
