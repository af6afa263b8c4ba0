"""One entry point per command, taking the CLI's options as a dict of snake_case names.

``run("train", {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024})`` returns
exactly the JSON object ``scalewall train --json`` prints. The CLI, the web API and sweeps all go
through here, so they cannot drift apart. Each command's options are a pydantic model with
``extra="forbid"``: an unknown or invalid option raises :class:`~scalewall.errors.ScenarioError`
naming it, before any work starts.

Commands implemented in other packages register here by module path (imported lazily, so the CLI
starts fast).
"""

from __future__ import annotations

import importlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scalewall.errors import ScenarioError

__all__ = [
    "COMMANDS",
    "ModelAccOptions",
    "TrainOptions",
    "PlanOptions",
    "run",
    "options_model",
    "check_options",
    "resolve_options",
]


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelAccOptions(_Options):
    model: str | None = Field(default=None, description="catalogue model id")
    model_file: str | None = Field(default=None, description="model YAML file")
    accelerator: str | None = Field(default=None, description="catalogue accelerator id")
    accelerator_file: str | None = Field(default=None, description="accelerator YAML file")


class TrainOptions(ModelAccOptions):
    """Options of ``scalewall train`` (see the README's CLI reference)."""

    devices: int
    tokens: float | None = None
    days: float | None = None
    device_hours: float | None = None
    global_batch: int | None = None
    seq_len: int | None = None
    micro_batch: int | None = None
    tp: int | None = None
    pp: int | None = None
    dp: int | None = None
    cp: int | None = None
    ep: int | None = None
    interleave: int | None = None
    recompute: Literal["none", "selective", "full"] | None = None
    sequence_parallel: bool | None = None
    zero: int | None = None
    precision: Literal["fp16", "bf16", "fp8"] = "bf16"
    stack: Literal["modern", "megatron-2021"] = "modern"
    plan: Literal["auto"] | None = None
    pue: float | None = None
    region: str | None = None
    grid_gco2_kwh: float | None = None
    power_per_device_w: float | None = None
    power_model: Literal["modelled", "tdp"] = "modelled"


class PlanOptions(ModelAccOptions):
    """Options of ``scalewall plan``."""

    devices: int
    global_batch: int | None = None
    seq_len: int | None = None
    tokens: float | None = None
    precision: Literal["fp16", "bf16", "fp8"] = "bf16"
    stack: Literal["modern", "megatron-2021"] = "modern"
    objective: Literal["time", "energy", "cost"] = "time"
    top: int = 5
    max_days: float | None = None
    max_memory_fraction: float = 1.0
    allow_uneven_layers: bool = False
    allow_tp_beyond_domain: bool = False
    pue: float | None = None
    region: str | None = None
    grid_gco2_kwh: float | None = None


def resolve_options(o: ModelAccOptions) -> dict:
    """Catalogue objects (model, accelerator, region) named by a command's options."""
    from scalewall import catalog
    from scalewall.catalog.schema import Accelerator, Model

    if (o.model is None) == (o.model_file is None):
        raise ScenarioError("give exactly one of model or model_file")
    if (o.accelerator is None) == (o.accelerator_file is None):
        raise ScenarioError("give exactly one of accelerator or accelerator_file")
    m = catalog.load_file(o.model_file, Model) if o.model_file else catalog.model(o.model)
    a = (catalog.load_file(o.accelerator_file, Accelerator) if o.accelerator_file
         else catalog.accelerator(o.accelerator))
    region = catalog.region(o.region) if getattr(o, "region", None) else None
    return {"model": m, "accelerator": a, "region": region}


def train_request(o: TrainOptions):
    """The library request of a ``train`` option set."""
    from scalewall.performance.training import TrainingRequest

    kw = o.model_dump(exclude={"model", "model_file", "accelerator", "accelerator_file", "region", "plan"})
    if o.plan == "auto":
        for k in ("tp", "pp", "dp", "cp", "ep", "micro_batch", "interleave", "recompute",
                  "sequence_parallel", "zero"):
            kw[k] = None
    return TrainingRequest(**resolve_options(o), **kw)


def _train(o: TrainOptions) -> dict:
    from scalewall.performance.training import estimate_training

    return estimate_training(train_request(o)).model_dump()


def _plan(o: PlanOptions) -> dict:
    from scalewall.performance.plan_api import PlanRequest, plan_training

    kw = o.model_dump(exclude={"model", "model_file", "accelerator", "accelerator_file", "region"})
    return plan_training(PlanRequest(**resolve_options(o), **kw))


#: command -> (options model, runner) or "module:attribute" of a (options model, runner) pair
COMMANDS: dict[str, Any] = {
    "train": (TrainOptions, _train),
    "plan": (PlanOptions, _plan),
    "infer": "scalewall.performance.inference_api:COMMAND",
    "site": "scalewall.supply.api:COMMAND",
    "outlook": "scalewall.outlook.api:COMMAND",
}


def _entry(command: str) -> tuple[type[BaseModel], Any]:
    if command not in COMMANDS:
        raise ScenarioError(f"unknown command {command!r}; commands: {', '.join(COMMANDS)}")
    e = COMMANDS[command]
    if isinstance(e, str):
        mod, attr = e.split(":")
        try:
            e = getattr(importlib.import_module(mod), attr)
        except ModuleNotFoundError as exc:
            if exc.name and mod.startswith(exc.name):
                raise ScenarioError(f"command {command!r} is not available in this version") from None
            raise
    return e


def options_model(command: str) -> type[BaseModel]:
    """The pydantic model of a command's options."""
    return _entry(command)[0]


def check_options(command: str, options: dict) -> BaseModel:
    """Validate options; an unknown or invalid one raises ScenarioError naming it."""
    from scalewall.catalog.loader import validate_as

    return validate_as(options_model(command), options, f"{command} options")


def run(command: str, options: dict) -> dict:
    """Run a command on its options; returns its ``--json`` object."""
    opts = check_options(command, options)
    return _entry(command)[1](opts)
