"""``scalewall plan``: the planner's request and its answer as the documented JSON object."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scalewall.catalog.schema import Accelerator, Model, Region
from scalewall.performance.planner import search
from scalewall.performance.training import (
    TrainingRequest,
    _defaults,
    estimate_training,
    resolve_site,
)

__all__ = ["PlanRequest", "plan_training"]


class PlanRequest(BaseModel):
    """What ``scalewall plan`` takes."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    model: Model
    accelerator: Accelerator
    devices: int = Field(ge=1, le=10_000_000)
    global_batch: int | None = Field(default=None, ge=1)
    seq_len: int | None = Field(default=None, ge=1)
    tokens: float | None = Field(default=None, gt=0)
    precision: Literal["fp16", "bf16", "fp8"] = "bf16"
    stack: Literal["modern", "megatron-2021"] = "modern"
    objective: Literal["time", "energy", "cost"] = "time"
    top: int = Field(default=5, ge=1, le=100)
    max_days: float | None = Field(default=None, gt=0)
    max_memory_fraction: float = Field(default=1.0, gt=0, le=1.0)
    allow_uneven_layers: bool = False
    allow_tp_beyond_domain: bool = False
    pue: float | None = Field(default=None, ge=1.0, le=3.0)
    region: Region | None = None
    grid_gco2_kwh: float | None = Field(default=None, ge=0)


def plan_training(req: PlanRequest) -> dict:
    """Search the plans and return ``best``, ``top``, ``candidates_evaluated``, ``feasible``,
    ``rejected`` and ``search_s`` (the ``scalewall plan --json`` object)."""
    base = TrainingRequest(
        model=req.model, accelerator=req.accelerator, devices=req.devices, tokens=req.tokens,
        global_batch=req.global_batch, seq_len=req.seq_len, precision=req.precision,
        stack=req.stack, pue=req.pue, region=req.region, grid_gco2_kwh=req.grid_gco2_kwh,
    )
    seq, B, _ = _defaults(base)
    site = resolve_site(req.region, req.pue, req.grid_gco2_kwh)
    tokens = req.tokens or req.model.train_tokens
    res = search(
        req.model, req.accelerator, req.devices, global_batch=B, seq_len=seq,
        precision=req.precision, stack=req.stack, site=site, objective=req.objective,
        top=req.top, max_memory_fraction=req.max_memory_fraction, max_days=req.max_days,
        tokens=tokens, allow_uneven_layers=req.allow_uneven_layers,
        allow_tp_beyond_domain=req.allow_tp_beyond_domain,
    )
    top = []
    for plan, metrics in zip(res.top_plans, res.top_metrics):
        r = estimate_training(
            base.model_copy(update={**{k: getattr(plan, k) for k in (
                "tp", "pp", "dp", "cp", "ep", "micro_batch", "interleave", "recompute",
                "sequence_parallel", "zero")}, "global_batch": B, "seq_len": seq,
                "tokens": tokens})
        )
        d = r.model_dump()
        d["binding"] = metrics["binding"]
        d["energy_per_step_kwh"] = metrics["energy_step_j"] / 3.6e6
        d["cost_per_step_usd"] = metrics["cost_step_usd"]
        top.append(d)
    return {
        "objective": req.objective,
        "best": top[0],
        "top": top,
        "candidates_evaluated": res.candidates_evaluated,
        "feasible": res.feasible,
        "rejected": res.rejected,
        "search_s": res.search_s,
    }
