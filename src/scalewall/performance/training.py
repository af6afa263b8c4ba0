"""Training estimator: time, memory, energy, carbon, water and cost of training a model.

:func:`estimate_training` answers for one request; :func:`job_metrics` evaluates many plans at
once (the planner's hot path) and returns the same quantities as arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scalewall.catalog import assumption, calibration
from scalewall.catalog.schema import Accelerator, Model, Region, Source
from scalewall.errors import InfeasiblePlanError, InputError
from scalewall.facility.footprint import embodied_co2e_t, hardware_cost_usd, water_m3
from scalewall.facility.power import accelerator_power_w
from scalewall.performance.constraints import structural_violations
from scalewall.performance.plan import RECOMPUTE, STACKS, Plan, PlanArrays
from scalewall.performance.step import BREAKDOWN_PARTS, evaluate
from scalewall.workload.transformer import ModelDims, model_dims, six_n_flops_per_token

__all__ = [
    "TrainingRequest",
    "TrainingResult",
    "estimate_training",
    "job_metrics",
    "Site",
    "resolve_site",
]

SECONDS_PER_DAY = 86400.0


class TrainingRequest(BaseModel):
    """What the user asks: model, hardware, cluster size and optional overrides.

    Parallel sizes left as ``None`` are chosen by the planner (fastest feasible plan with the
    given sizes held fixed).
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    model: Model
    accelerator: Accelerator
    devices: int = Field(ge=1, le=10_000_000, description="accelerators [-]")
    tokens: float | None = Field(default=None, gt=0, le=1e16, description="training tokens [-]")
    days: float | None = Field(default=None, gt=0, le=3650, description="wall-clock duration [d]")
    device_hours: float | None = Field(default=None, gt=0, le=1e11, description="[device·h]")
    global_batch: int | None = Field(default=None, ge=1, le=10_000_000, description="[sequences]")
    seq_len: int | None = Field(default=None, ge=1, le=10_000_000, description="[tokens]")
    micro_batch: int | None = Field(default=None, ge=1, le=65536)
    tp: int | None = Field(default=None, ge=1)
    pp: int | None = Field(default=None, ge=1)
    dp: int | None = Field(default=None, ge=1)
    cp: int | None = Field(default=None, ge=1)
    ep: int | None = Field(default=None, ge=1)
    interleave: int | None = Field(default=None, ge=1)
    recompute: Literal["none", "selective", "full"] | None = None
    sequence_parallel: bool | None = None
    zero: int | None = Field(default=None, ge=0, le=3)
    precision: Literal["fp16", "bf16", "fp8"] = "bf16"
    stack: Literal["modern", "megatron-2021"] = "modern"
    pue: float | None = Field(default=None, ge=1.0, le=3.0, description="[-]")
    region: Region | None = None
    grid_gco2_kwh: float | None = Field(default=None, ge=0, le=2000, description="[gCO2e/kWh]")
    power_per_device_w: float | None = Field(
        default=None, gt=0, le=20000, description="measured average per device, node boundary [W]"
    )
    power_model: Literal["modelled", "tdp"] = "modelled"
    electricity_usd_mwh: float | None = Field(default=None, ge=0, le=10000)

    @model_validator(mode="after")
    def _one_duration(self) -> TrainingRequest:
        given = [x is not None for x in (self.tokens, self.days, self.device_hours)]
        if sum(given[1:]) > 1:
            raise ValueError("give at most one of --days and --device-hours")
        if self.precision not in self.accelerator.peak_tflops:
            have = ", ".join(sorted(self.accelerator.peak_tflops))
            raise ValueError(
                f"{self.accelerator.id} has no {self.precision} peak in the catalogue; it has {have}"
            )
        return self


class TrainingResult(BaseModel):
    """The answer of ``scalewall train`` (its JSON is the CLI's ``--json`` output)."""

    model: str
    accelerator: str
    devices: int
    plan: dict
    seq_len: int
    tokens: float
    step_time_s: float
    tokens_per_s: float
    mfu: float
    hfu: float
    wall_clock_days: float
    device_hours: float
    memory_per_device_gb: float
    memory_capacity_gb: float
    memory_breakdown_gb: dict[str, float]
    breakdown_s: dict[str, float]
    bottleneck: str
    power_per_device_w: dict[str, float]
    energy_mwh: dict[str, float]
    avg_power_mw: dict[str, float]
    co2e_t: dict[str, float]
    water_m3: float
    cost_usd: float | None
    cost_breakdown_usd: dict[str, float | None]
    flops: dict[str, float]
    assumptions: list[str]
    sources: list[dict]


@dataclass(frozen=True)
class Site:
    """Where the job runs: PUE, grid, water and electricity price, with their provenance."""

    pue: float
    grid_gco2_kwh: float
    wue_l_kwh: float
    water_l_kwh_electricity: float
    electricity_usd_mwh: float
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


def resolve_site(
    region: Region | None,
    pue: float | None,
    grid_gco2_kwh: float | None,
    electricity_usd_mwh: float | None = None,
) -> Site:
    """Site figures from explicit values, else the region, else sourced defaults."""
    notes: list[str] = []
    sources: list[Source] = []
    if region is not None:
        base = dict(
            pue=region.pue,
            grid=region.grid_gco2_kwh,
            wue=region.wue_l_kwh,
            ewif=region.water_l_kwh_electricity,
            price=region.price_usd_mwh,
        )
        notes.append(f"site figures from region {region.id} (grid {region.grid_year})")
        sources.extend(region.source)
    else:
        base = dict(
            pue=assumption("default-pue"),
            grid=assumption("default-grid-gco2-kwh"),
            wue=assumption("default-wue-l-kwh"),
            ewif=assumption("default-water-l-kwh-electricity"),
            price=assumption("default-electricity-usd-mwh"),
        )
        notes.append("no region given: default PUE, world-average grid, default water and price")
    if pue is not None:
        base["pue"] = pue
        notes.append(f"PUE {pue} given")
    if grid_gco2_kwh is not None:
        base["grid"] = grid_gco2_kwh
        notes.append(f"grid intensity {grid_gco2_kwh} gCO2e/kWh given")
    if electricity_usd_mwh is not None:
        base["price"] = electricity_usd_mwh
    return Site(
        pue=base["pue"],
        grid_gco2_kwh=base["grid"],
        wue_l_kwh=base["wue"],
        water_l_kwh_electricity=base["ewif"],
        electricity_usd_mwh=base["price"],
        notes=notes,
        sources=sources,
    )


def job_metrics(
    d: ModelDims,
    acc: Accelerator,
    P: PlanArrays,
    seq_len: int,
    precision: str,
    stack_name: str,
    site: Site,
    power_model: str = "modelled",
) -> dict[str, np.ndarray]:
    """Step time, utilisation, power and per-step energy/cost for every plan (vectorised).

    Returns the arrays of :func:`~scalewall.performance.step.evaluate` plus ``mfu``, ``hfu``,
    ``tokens_per_s``, ``power_acc_w``, ``power_node_w``, ``power_facility_w`` per device [W],
    ``energy_step_j`` at the facility boundary for the whole cluster [J], ``cost_step_usd``.
    """
    r = evaluate(d, acc, P, seq_len, precision, STACKS[stack_name])
    n = (P.tp * P.pp * P.dp * P.cp * P.ep).astype(float)
    step = r["step_time_s"]
    peak = acc.peak_tflops[precision] * 1e12
    r["mfu"] = r["model_flops"] / (step * n * peak)
    r["hfu"] = r["hardware_flops"] / (step * n * peak)
    r["tokens_per_s"] = P.global_batch * float(seq_len) / step
    if power_model == "tdp":
        p_acc = np.full_like(step, acc.tdp_w)
    else:
        u_flop = r["flops_per_device"] / (step * peak)
        u_hbm = r["hbm_bytes_per_device"] / (step * acc.memory_bandwidth_tb_s * 1e12)
        p_acc = accelerator_power_w(acc, u_flop, u_hbm)
    r["power_acc_w"] = p_acc
    r["power_node_w"] = p_acc + acc.host_power_w
    r["power_facility_w"] = r["power_node_w"] * site.pue
    r["energy_step_j"] = r["power_facility_w"] * n * step
    hours = n * step / 3600.0
    hw = hardware_cost_usd(acc, hours)
    hw = np.where(np.isnan(hw), 0.0, hw)
    r["cost_step_usd"] = hw + r["energy_step_j"] / 3.6e9 * site.electricity_usd_mwh
    return r


def _defaults(req: TrainingRequest) -> tuple[int, int, list[str]]:
    notes = []
    seq = req.seq_len
    if seq is None:
        cap = int(assumption("default-train-seq-len"))
        seq = min(req.model.seq_len, cap)
        if seq < req.model.seq_len:
            notes.append(
                f"sequence length {seq} (most pre-training tokens use a short context; "
                f"the model's {req.model.seq_len} is reached in a late stage)"
            )
    B = req.global_batch
    if B is None:
        B = max(1, round(assumption("default-batch-tokens") / seq))
        notes.append(f"global batch {B} sequences ≈ {B * seq / 1e6:.1f} M tokens (default)")
    return seq, B, notes


def _bottleneck(parts: dict[str, float], mfu: float) -> str:
    words = {
        "compute": "compute: the matrix multiplies and kernels themselves",
        "recompute": "activation recomputation (memory traded for compute)",
        "tp_comm": "tensor-parallel collectives on the scale-up network",
        "cp_comm": "context-parallel ring exchange",
        "ep_comm": "expert-parallel all-to-all",
        "pp_bubble": "pipeline bubble (too few micro-batches per pipeline stage)",
        "pp_p2p": "pipeline point-to-point sends",
        "dp_comm": "data-parallel gradient reduction on the scale-out network",
        "optimizer": "optimizer update (memory bandwidth)",
    }
    total = sum(parts.values())
    overhead = {k: v for k, v in parts.items() if k != "compute"}
    worst = max(overhead, key=overhead.get)
    share = parts[worst] / total
    if parts["compute"] / total >= 0.75 or share < 0.05:
        return f"compute-bound: {parts['compute'] / total:.0%} of the step in kernels (MFU {mfu:.0%})"
    return f"{words[worst]}: {share:.0%} of the step"


def _choose_plan(req: TrainingRequest, seq: int, B: int, site: Site) -> tuple[Plan, list[str]]:
    sizes = dict(tp=req.tp, pp=req.pp, dp=req.dp, cp=req.cp, ep=req.ep)
    given = {k: v for k, v in sizes.items() if v is not None}
    if len(given) == 5:
        plan = Plan(
            tp=req.tp, pp=req.pp, dp=req.dp, cp=req.cp, ep=req.ep,  # type: ignore[arg-type]
            micro_batch=req.micro_batch or 1,
            global_batch=B,
            interleave=req.interleave or 1,
            recompute=req.recompute or ("selective" if req.tp and req.tp > 1 else "none"),
            sequence_parallel=(req.tp > 1) if req.sequence_parallel is None else req.sequence_parallel,  # type: ignore[operator]
            zero=1 if req.zero is None else req.zero,
        )
        return plan, []
    from scalewall.performance.planner import search  # local: planner imports this module

    fixed = dict(given)
    for k in ("micro_batch", "interleave", "recompute", "sequence_parallel", "zero"):
        val = getattr(req, k)
        if val is not None:
            fixed[k] = val
    res = search(
        req.model, req.accelerator, req.devices, global_batch=B, seq_len=seq,
        precision=req.precision, stack=req.stack, site=site, fixed=fixed, top=1,
        power_model=req.power_model,
    )
    free = [k for k in sizes if k not in given]
    note = (
        f"parallel sizes {', '.join(free)} chosen by the planner (fastest feasible of "
        f"{res.candidates_evaluated} candidates)"
    )
    return res.best_plan, [note]


def estimate_training(req: TrainingRequest) -> TrainingResult:
    """Time, memory, energy, carbon, water and cost of one training run.

    Raises
    ------
    InfeasiblePlanError
        If the plan's sizes do not multiply to the devices, violate the model's divisibility,
        or need more memory per device than the accelerator has (the message gives the numbers).
    """
    m, acc = req.model, req.accelerator
    seq, B, notes = _defaults(req)
    site = resolve_site(req.region, req.pue, req.grid_gco2_kwh, req.electricity_usd_mwh)
    plan, plan_notes = _choose_plan(req, seq, B, site)
    notes += plan_notes
    P = PlanArrays.from_plans([plan])
    for mask, _fam, template in structural_violations(
        m, acc, P, req.devices, seq, allow_uneven_layers=True, allow_tp_beyond_domain=True
    ):
        if mask[0]:
            raise InfeasiblePlanError(
                template.format(**plan.to_dict(), prod=plan.devices, devices=req.devices,
                                dpemb=plan.dp * plan.ep * plan.micro_batch)
            )
    if m.n_layers % (plan.pp * plan.interleave):
        notes.append(
            f"{m.n_layers} layers over pp={plan.pp}×interleave={plan.interleave} is uneven: "
            "the slowest stage holds the rounded-up share"
        )
    if plan.tp > acc.scale_up.domain:
        notes.append(f"tp={plan.tp} crosses the {acc.scale_up.domain}-device scale-up domain")
    d = model_dims(m)
    r = job_metrics(d, acc, P, seq, req.precision, req.stack, site, req.power_model)
    g = {k: float(v[0]) for k, v in r.items()}
    cap = acc.memory_gb
    if g["memory_per_device_gb"] > cap:
        raise InfeasiblePlanError(
            f"memory per device {g['memory_per_device_gb']:.0f} GB > {cap:.0f} GB on {acc.id} "
            f"(weights {g['memory_weights_gb']:.0f}, gradients {g['memory_grads_gb']:.0f}, "
            f"optimizer {g['memory_optimizer_gb']:.0f}, activations {g['memory_activations_gb']:.0f} GB); "
            "try more devices, a larger pp or tp, --zero 3, or --recompute full"
        )

    # ---- duration ------------------------------------------------------------------------------
    n = req.devices
    tok_s = g["tokens_per_s"]
    if req.days is not None:
        wall_s = req.days * SECONDS_PER_DAY
        tokens = tok_s * wall_s
        notes.append(f"duration {req.days} days given; tokens implied by the modelled throughput")
    elif req.device_hours is not None:
        wall_s = req.device_hours * 3600.0 / n
        tokens = tok_s * wall_s
        notes.append(f"{req.device_hours:.4g} device-hours given; tokens implied by the throughput")
    else:
        tokens = req.tokens if req.tokens is not None else (m.train_tokens or 0.0)
        if not tokens:
            raise InputError(f"give --tokens (the catalogue has no training tokens for {m.id})")
        if req.tokens is None:
            notes.append(f"{tokens:.3g} tokens: the model's published training tokens")
        wall_s = tokens / tok_s
    device_hours = n * wall_s / 3600.0

    # ---- power and energy at three boundaries ----------------------------------------------------
    if req.power_per_device_w is not None:
        node_w = req.power_per_device_w
        share = g["power_acc_w"] / g["power_node_w"]
        acc_w = node_w * share
        notes.append(
            f"measured {node_w:g} W per device at the node boundary given; accelerator share "
            f"{share:.0%} from the power model"
        )
    else:
        acc_w, node_w = g["power_acc_w"], g["power_node_w"]
        if req.power_model == "tdp":
            notes.append("accelerator power = TDP (model-card convention; overstates real draw)")
    fac_w = node_w * site.pue
    power = {"accelerator": acc_w, "node": node_w, "facility": fac_w}
    energy = {k: w * device_hours / 1e6 for k, w in power.items()}
    avg_mw = {k: w * n / 1e6 for k, w in power.items()}

    # ---- carbon, water, cost ---------------------------------------------------------------------
    op = energy["facility"] * site.grid_gco2_kwh / 1000.0  # MWh · g/kWh = kg·1e3/1e3 → t
    emb = float(embodied_co2e_t(acc, device_hours))
    water = float(
        water_m3(energy["node"], energy["facility"], site.wue_l_kwh, site.water_l_kwh_electricity)
    )
    hw = float(hardware_cost_usd(acc, device_hours))
    energy_cost = energy["facility"] * site.electricity_usd_mwh
    rent = acc.hourly_usd * device_hours if acc.hourly_usd else None
    cost = None if math.isnan(hw) else hw + energy_cost

    parts = {k: g[f"{k}_s"] for k in BREAKDOWN_PARTS}
    assumptions = notes + site.notes + [
        f"software stack '{req.stack}': {STACKS[req.stack].description}",
        f"GEMM efficiency {calibration('gemm-efficiency')} of peak "
        "(fitted on Korthikanti 2022 Table 5, full recomputation)",
    ]
    sources = [s.model_dump() for s in [*m.source, *acc.source, *site.sources]]
    return TrainingResult(
        model=m.id,
        accelerator=acc.id,
        devices=n,
        plan=plan.to_dict(),
        seq_len=seq,
        tokens=float(tokens),
        step_time_s=g["step_time_s"],
        tokens_per_s=tok_s,
        mfu=g["mfu"],
        hfu=g["hfu"],
        wall_clock_days=wall_s / SECONDS_PER_DAY,
        device_hours=device_hours,
        memory_per_device_gb=g["memory_per_device_gb"],
        memory_capacity_gb=cap,
        memory_breakdown_gb={
            k: g[f"memory_{k}_gb"] for k in ("weights", "grads", "optimizer", "activations")
        },
        breakdown_s=parts,
        bottleneck=_bottleneck(parts, g["mfu"]),
        power_per_device_w=power,
        energy_mwh=energy,
        avg_power_mw=avg_mw,
        co2e_t={"operational": op, "embodied": emb, "total": op + emb},
        water_m3=water,
        cost_usd=cost,
        cost_breakdown_usd={
            "hardware_depreciation": None if math.isnan(hw) else hw,
            "energy": energy_cost,
            "cloud_rental_alternative": rent,
        },
        flops={
            "six_n_per_token": six_n_flops_per_token(d),
            "model_per_token": g["model_flops"] / (B * seq),
            "model_per_step": g["model_flops"],
            "hardware_per_step": g["hardware_flops"],
            "model_total": g["model_flops"] / (B * seq) * tokens,
        },
        assumptions=assumptions,
        sources=sources,
    )


__all__ += ["RECOMPUTE"]
