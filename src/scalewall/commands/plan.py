"""``scalewall plan``: the best parallel plans of a model on a cluster, and why the rest lost."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator, Model, Region
from scalewall.commands.options import ClusterRunOptions, Count, resolve_options
from scalewall.commands.train import TrainingRequest, TrainResult, estimate_training
from scalewall.performance.plan import StackId

__all__ = ["PlanOptions", "PlanRequest", "PlanResult", "PlannedRun", "plan_training", "run_plan"]


class PlanOptions(ClusterRunOptions):
    """Options of ``scalewall plan`` (the one declaration: CLI flags, web form, sweeps)."""

    tokens: Count | None = Field(
        default=None,
        description="training tokens [tokens] for days, energy and cost (300e9, 15T); "
        "default: the model's published figure",
    )
    objective: Literal["time", "energy", "cost"] = Field(
        default="time", description="what to minimise: step time, energy or cost per step"
    )
    top: int = Field(default=5, ge=1, le=100, description="plans to list [-]")
    max_days: float | None = Field(
        default=None, description="reject plans slower than this [d]; default: no limit"
    )
    max_memory_fraction: float = Field(
        default=1.0, gt=0, le=1.0, description="usable share of device memory [-]"
    )
    allow_uneven_layers: bool = Field(
        default=False, description="allow pp × interleave not dividing the layers"
    )
    allow_tp_beyond_domain: bool = Field(
        default=False, description="allow tensor parallelism across the scale-up domain"
    )
    pue: float | None = Field(
        default=None,
        description="power usage effectiveness [-]; default: the region's, else the catalogue's",
        json_schema_extra={"default_from": "default-pue"},
    )


class PlanRequest(BaseModel):
    """What ``scalewall plan`` takes."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    model: Model
    accelerator: Accelerator
    devices: int = Field(ge=1, le=10_000_000)
    global_batch: int | None = Field(default=None, ge=1)
    seq_len: int | None = Field(default=None, ge=1)
    tokens: float | None = Field(default=None, gt=0)
    precision: Literal["fp16", "bf16", "fp8", "mxfp8"] = "bf16"
    stack: StackId = "modern"
    objective: Literal["time", "energy", "cost"] = "time"
    top: int = Field(default=5, ge=1, le=100)
    max_days: float | None = Field(default=None, gt=0)
    max_memory_fraction: float = Field(default=1.0, gt=0, le=1.0)
    allow_uneven_layers: bool = False
    allow_tp_beyond_domain: bool = False
    pue: float | None = Field(default=None, ge=1.0, le=3.0)
    region: Region | None = None
    grid_gco2_kwh: float | None = Field(default=None, ge=0)
    calibration: Calibration | None = Field(
        default=None, description="efficiency factors of the physics (None: the catalogue's)"
    )


class PlannedRun(TrainResult):
    """One of the best plans: the full ``train`` result plus the planner's per-step figures."""

    binding: str = Field(description="the largest non-compute part of the step")
    energy_per_step_kwh: float = Field(description="facility energy of one step [kWh]")
    cost_per_step_usd: float = Field(description="owner's cost of one step [USD]")


class Rejection(BaseModel):
    """A reason plans were rejected and how many."""

    reason: str = Field(description="why the plans were rejected, in words")
    count: int = Field(description="plans rejected for this reason [-]")


class PlanResult(BaseModel):
    """The answer of ``scalewall plan`` (its JSON is the CLI's ``--json`` output)."""

    objective: str = Field(description="what was minimised: time, energy or cost")
    best: PlannedRun = Field(description="the best plan: a full train result plus the planner's figures")
    top: list[PlannedRun] = Field(description="the best plans, best first")
    candidates_evaluated: int = Field(description="plans enumerated [-]")
    feasible: int = Field(description="plans that pass every check [-]")
    rejected: list[Rejection] = Field(description="reasons plans were rejected, with counts")
    search_s: float = Field(description="time of the search [s]")


def plan_training(req: PlanRequest) -> PlanResult:
    """Search the plans; the best ``top`` as full ``train`` results, and the rejections."""
    from scalewall.facility.job import step_power_metrics
    from scalewall.facility.site import resolve_site
    from scalewall.performance.plan import PLAN_CHOICES
    from scalewall.performance.planner import search
    from scalewall.performance.training import default_shape
    from scalewall.units import J_PER_KWH
    from scalewall.workload.params import param_count

    base = TrainingRequest(
        model=req.model,
        accelerator=req.accelerator,
        devices=req.devices,
        tokens=req.tokens,
        global_batch=req.global_batch,
        seq_len=req.seq_len,
        precision=req.precision,
        stack=req.stack,
        pue=req.pue,
        region=req.region,
        grid_gco2_kwh=req.grid_gco2_kwh,
        calibration=req.calibration,
    )
    run_tokens = req.tokens or req.model.train_tokens
    flops = 6.0 * param_count(req.model).active * run_tokens if run_tokens else None
    seq, B, _ = default_shape(req.model, req.seq_len, req.global_batch, req.devices, flops)
    site = resolve_site(req.region, req.pue, req.grid_gco2_kwh)
    tokens = req.tokens or req.model.train_tokens

    def power(r, P):
        return step_power_metrics(
            req.accelerator, r, P.tp * P.pp * P.dp * P.cp * P.ep, site, cal=req.calibration
        )

    res = search(
        req.model,
        req.accelerator,
        req.devices,
        global_batch=B,
        seq_len=seq,
        precision=req.precision,
        stack=req.stack,
        objective=req.objective,
        top=req.top,
        max_memory_fraction=req.max_memory_fraction,
        max_days=req.max_days,
        tokens=tokens,
        allow_uneven_layers=req.allow_uneven_layers,
        allow_tp_beyond_domain=req.allow_tp_beyond_domain,
        extra_metrics=power,
        cal=req.calibration,
    )
    top = []
    for plan, metrics in zip(res.top_plans, res.top_metrics, strict=True):
        r = estimate_training(
            base.model_copy(
                update={
                    **{k: getattr(plan, k) for k in PLAN_CHOICES},
                    "global_batch": B,
                    "seq_len": seq,
                    "tokens": tokens,
                }
            )
        )
        top.append(
            PlannedRun(
                **r.model_dump(),
                binding=metrics["binding"],
                energy_per_step_kwh=metrics["energy_step_j"] / J_PER_KWH,
                cost_per_step_usd=metrics["cost_step_usd"],
            )
        )
    return PlanResult(
        objective=req.objective,
        best=top[0],
        top=top,
        candidates_evaluated=res.candidates_evaluated,
        feasible=res.feasible,
        rejected=[Rejection(**x) for x in res.rejected],
        search_s=res.search_s,
    )


def run_plan(o: PlanOptions) -> PlanResult:
    """Run ``plan`` on its options."""
    kw = o.model_dump(exclude={"model", "model_file", "accelerator", "accelerator_file", "region"})
    return plan_training(PlanRequest(**resolve_options(o), **kw))
