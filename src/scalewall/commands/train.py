"""``scalewall train``: time, memory, energy, carbon, water and cost of one training run.

The command composes the stages: workload (model sizes) → performance (plan, step time,
utilisation, memory) → facility (power at three boundaries, energy, carbon, water, cost).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator, Model
from scalewall.commands.options import ClusterRunOptions, Count, climate_of, resolve_options
from scalewall.commands.requests import SiteAndCalibration
from scalewall.errors import InfeasiblePlanError, InputError
from scalewall.performance.plan import StackId

__all__ = [
    "TrainOptions",
    "TrainingRequest",
    "TrainResult",
    "estimate_training",
    "run_train",
    "train_request",
]


class TrainOptions(ClusterRunOptions):
    """Options of ``scalewall train`` (see the docs' CLI reference).

    The one declaration of the command's inputs: the CLI's flags and help, the web API's request
    body and form, and sweep SPECs are derived from these fields.
    """

    tokens: Count | None = Field(
        default=None,
        description="training tokens [tokens] (300e9, 15T); default: the model's published figure",
    )
    days: float | None = Field(
        default=None, description="fix the wall-clock duration [d]; tokens follow from the throughput"
    )
    device_hours: float | None = Field(
        default=None, description="fix the accelerator-hours [device·h]; tokens follow from the throughput"
    )
    micro_batch: int | None = Field(
        default=None, description="sequences per micro-batch [-]; default: chosen by the planner"
    )
    tp: int | None = Field(
        default=None, description="tensor-parallel size [-]; default: chosen by the planner"
    )
    pp: int | None = Field(
        default=None, description="pipeline-parallel size [-]; default: chosen by the planner"
    )
    dp: int | None = Field(default=None, description="data-parallel size [-]; default: chosen by the planner")
    cp: int | None = Field(
        default=None, description="context-parallel size [-]; default: chosen by the planner"
    )
    ep: int | None = Field(
        default=None, description="expert-parallel size [-]; default: chosen by the planner"
    )
    interleave: int | None = Field(
        default=None, description="virtual pipeline stages per device [-]; default: chosen by the planner"
    )
    recompute: Literal["none", "selective", "full"] | None = Field(
        default=None, description="activation recomputation; default: chosen by the planner"
    )
    sequence_parallel: bool | None = Field(
        default=None, description="sequence parallelism; default: on when tp > 1 (planner)"
    )
    zero: int | None = Field(
        default=None, description="ZeRO stage 0-3; default: chosen by the planner (1: sharded optimizer)"
    )
    offload_layers: int = Field(
        default=0,
        ge=0,
        description="layers per pipeline stage whose activations are offloaded to host memory "
        "(Megatron cpu_offloading_num_layers) [-]; default 0",
    )
    plan: Literal["auto"] | None = Field(
        default=None,
        description="'auto': let the planner choose every size and switch, ignoring the ones given",
    )
    pue: float | None = Field(
        default=None,
        description="power usage effectiveness [-]; default: the hourly weather's with cooling, else "
        "the region's, else the catalogue's",
        json_schema_extra={"default_from": "default-pue"},
    )
    power_per_device_w: float | None = Field(
        default=None,
        description="measured average power per device at the node boundary [W]; default: modelled",
    )
    power_model: Literal["modelled", "tdp"] = Field(
        default="modelled", description="accelerator power: modelled (utilisation-based) or tdp"
    )
    power_cap_w: float | None = Field(
        default=None,
        description="power cap per accelerator [W]: the clock falls until the cap holds, and the "
        "step slows with it; default: none (TDP)",
    )
    weather: str | None = Field(
        default=None,
        description="bundled weather (greensboro, sand-point, miami) or a TMY3/TMY2/EPW/PVGIS file: "
        "the PUE follows its hourly climate; default: none (region or catalogue PUE)",
    )
    cooling: Literal["air", "evaporative", "liquid"] | None = Field(
        default=None, description="cooling type for the weather's PUE; default: air"
    )


class TrainingRequest(SiteAndCalibration):
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
    offload_layers: int = Field(default=0, ge=0, le=100_000, description="[layers per stage]")
    precision: Literal["fp16", "bf16", "fp8", "mxfp8"] = "bf16"
    stack: StackId = "modern"
    power_per_device_w: float | None = Field(
        default=None, gt=0, le=20000, description="measured average per device, node boundary [W]"
    )
    power_model: Literal["modelled", "tdp"] = "modelled"
    power_cap_w: float | None = Field(default=None, gt=0, le=20000, description="per accelerator [W]")
    electricity_usd_mwh: float | None = Field(default=None, ge=0, le=10000)

    @model_validator(mode="after")
    def _one_duration(self) -> TrainingRequest:
        given = [x is not None for x in (self.tokens, self.days, self.device_hours)]
        if sum(given[1:]) > 1:
            raise ValueError("give at most one of --days and --device-hours")
        if self.precision not in self.accelerator.peak_tflops:
            have = ", ".join(sorted(self.accelerator.peak_tflops))
            why = (
                " (MXFP8 needs block-scaled FP8 tensor cores: Blackwell, e.g. b200, gb200, b300, gb300)"
                if self.precision == "mxfp8"
                else ""
            )
            raise ValueError(
                f"{self.accelerator.id} has no {self.precision} peak in the catalogue{why}; it has {have}"
            )
        if self.seq_len is not None and self.seq_len > self.model.context_limit:
            raise ValueError(
                f"sequence length {self.seq_len:,} exceeds {self.model.id}'s context of "
                f"{self.model.context_limit:,} tokens; to model a context extension, pass a --model-file "
                "with a larger seq_len"
            )
        return self


class TrainResult(BaseModel):
    """The answer of ``scalewall train`` (its JSON is the CLI's ``--json`` output)."""

    model: str = Field(description="model id")
    accelerator: str = Field(description="accelerator id")
    devices: int = Field(description="accelerators [-]")
    plan: dict = Field(
        description="parallel plan: tp, pp, dp, cp, ep, micro_batch, global_batch, "
        "interleave, recompute, sequence_parallel, zero"
    )
    seq_len: int = Field(description="tokens per sequence [tokens]")
    tokens: float | None = Field(description="training tokens (null: no plan fits) [tokens]")
    step_time_s: float | None = Field(description="time of one optimizer step (null: no plan fits) [s]")
    tokens_per_s: float | None = Field(description="cluster throughput (null: no plan fits) [tokens/s]")
    mfu: float | None = Field(
        description="model FLOPs utilisation (no recomputation; null: no plan fits) [-]"
    )
    hfu: float | None = Field(
        description="hardware FLOPs utilisation (with recomputation; null: no plan fits) [-]"
    )
    wall_clock_days: float = Field(description="duration of the run [d]")
    device_hours: float = Field(description="accelerator-hours [device·h]")
    memory_per_device_gb: float | None = Field(description="peak memory per device (null: no plan fits) [GB]")
    memory_capacity_gb: float = Field(description="memory of one device [GB]")
    memory_breakdown_gb: dict[str, float] = Field(description="weights, grads, optimizer, activations [GB]")
    breakdown_s: dict[str, float] = Field(description="parts of the step, summing to step_time_s [s]")
    bottleneck: str = Field(description="the binding part of the step, in words")
    power_per_device_w: dict[str, float] = Field(
        description="average power per device at accelerator, node, facility boundaries [W]"
    )
    energy_mwh: dict[str, float] = Field(description="energy of the run at each boundary [MWh]")
    avg_power_mw: dict[str, float] = Field(description="cluster average power at each boundary [MW]")
    co2e_t: dict[str, float] = Field(description="operational, embodied, total [tCO2e]")
    water_m3: float = Field(description="water consumed on site and for the electricity [m³]")
    cost_usd: float | None = Field(
        description="owner's cost: hardware depreciation (accelerators "
        "× cluster multiplier for servers and network) + energy [USD]"
    )
    cost_breakdown_usd: dict[str, float | None] = Field(
        description="hardware_depreciation, energy, cloud_rental_alternative [USD]"
    )
    flops: dict[str, float] = Field(
        description="six_n_per_token, model_per_token, model_per_step, hardware_per_step, model_total [FLOP]"
    )
    electricity_equivalent: dict | None = Field(
        default=None,
        description="the run's facility electricity as a country's use over a time, and in US "
        "households for a year",
    )
    energy_cost_share: float | None = Field(
        default=None, description="energy's share of the owner's cost (null: cost unknown) [-]"
    )
    assumptions: list[str] = Field(description="what the estimate assumed, in words")
    sources: list[dict] = Field(description="sources of the catalogue figures used")


def _check_plan(req: TrainingRequest, plan, seq: int, notes: list[str]) -> None:
    from scalewall.performance.constraints import structural_violations
    from scalewall.performance.plan import PlanArrays

    m, acc = req.model, req.accelerator
    P = PlanArrays.from_plans([plan])
    for mask, _fam, template in structural_violations(
        m, acc, P, req.devices, seq, allow_uneven_layers=True, allow_tp_beyond_domain=True
    ):
        if mask[0]:
            raise InfeasiblePlanError(
                template.format(
                    **plan.to_dict(),
                    prod=plan.devices,
                    devices=req.devices,
                    dpemb=plan.dp * plan.ep * plan.micro_batch,
                )
            )
    if m.n_layers % (plan.pp * plan.interleave):
        notes.append(
            f"{m.n_layers} layers over pp={plan.pp}×interleave={plan.interleave} is uneven: "
            "the slowest stage holds the rounded-up share"
        )
    if plan.tp > acc.scale_up.domain:
        notes.append(f"tp={plan.tp} crosses the {acc.scale_up.domain}-device scale-up domain")


def _energy_only(req: TrainingRequest, seq: int, site, notes: list[str], why: str) -> TrainResult:
    """Energy, carbon, water and cost of a run given by its duration and measured node power,
    when no parallel plan of the model fits: no step time, utilisation, tokens or memory."""
    from scalewall.facility.boundaries import facility
    from scalewall.facility.footprint import energy_mwh, job_footprint
    from scalewall.units import SECONDS_PER_DAY, SECONDS_PER_HOUR, W_PER_MW

    acc, n = req.accelerator, req.devices
    assert req.power_per_device_w is not None
    if req.device_hours is not None:
        device_hours = req.device_hours
    else:
        assert req.days is not None  # the caller checked that one duration is given
        device_hours = n * req.days * SECONDS_PER_DAY / SECONDS_PER_HOUR
    node_w = req.power_per_device_w
    acc_w = max(node_w - acc.host_power_w, 0.0)  # node = accelerator + host, by definition
    power = {"accelerator": acc_w, "node": node_w, "facility": facility(node_w, site.pue)}
    energy = {k: float(energy_mwh(w, device_hours)) for k, w in power.items()}
    fp = job_footprint(acc, energy, device_hours, site)
    notes = notes + [
        f"no parallel plan fits ({why}); energy, carbon, water and cost come from the duration "
        f"and the measured {node_w:g} W per device alone: no step time, utilisation or tokens",
        f"accelerator power = measured node power - the catalogue's host draw ({acc.host_power_w:g} W)",
    ]
    return TrainResult(
        model=req.model.id,
        accelerator=acc.id,
        devices=n,
        plan={},
        seq_len=seq,
        tokens=None,
        step_time_s=None,
        tokens_per_s=None,
        mfu=None,
        hfu=None,
        wall_clock_days=device_hours / n * SECONDS_PER_HOUR / SECONDS_PER_DAY,
        device_hours=device_hours,
        memory_per_device_gb=None,
        memory_capacity_gb=acc.memory_total_gb,
        memory_breakdown_gb={},
        breakdown_s={},
        bottleneck=f"no plan fits: {why}",
        power_per_device_w=power,
        energy_mwh=energy,
        avg_power_mw={k: w * n / W_PER_MW for k, w in power.items()},
        co2e_t=fp.co2e_t,
        water_m3=fp.water_m3,
        cost_usd=fp.cost_usd,
        cost_breakdown_usd=fp.cost_breakdown_usd,
        flops={},
        assumptions=notes + site.notes + fp.notes,
        sources=[s.model_dump() for s in [*req.model.source, *acc.source, *site.sources, *fp.sources]],
    )


def estimate_training(req: TrainingRequest) -> TrainResult:
    """Time, memory, energy, carbon, water and cost of one training run.

    Raises
    ------
    InfeasiblePlanError
        If the plan's sizes do not multiply to the devices, violate the model's divisibility,
        or need more memory per device than the accelerator has (the message gives the numbers).
    """
    from scalewall.facility.boundaries import facility
    from scalewall.facility.clocks import capped_accelerator
    from scalewall.facility.footprint import energy_mwh, job_footprint
    from scalewall.facility.job import step_power_metrics
    from scalewall.facility.site import resolve_site
    from scalewall.performance.plan import PLAN_CHOICES, STACKS, PlanArrays
    from scalewall.performance.planner import choose_plan
    from scalewall.performance.step import BREAKDOWN_PARTS, gemm_efficiency
    from scalewall.performance.training import bottleneck, default_shape, step_metrics
    from scalewall.units import SECONDS_PER_DAY, SECONDS_PER_HOUR, W_PER_MW
    from scalewall.workload.params import param_count
    from scalewall.workload.transformer import model_dims, six_n_flops_per_token

    m, acc = req.model, req.accelerator
    cal = req.calibration or Calibration.from_catalog()
    run_tokens = req.tokens or m.train_tokens
    flops = 6.0 * param_count(m).active * run_tokens if run_tokens else None
    seq, B, notes = default_shape(m, req.seq_len, req.global_batch, req.devices, flops)
    if cal.changed():
        notes.append("calibration variant: " + ", ".join(f"{k} {v:g}" for k, v in cal.changed().items()))
    site = resolve_site(
        req.region,
        req.pue,
        req.grid_gco2_kwh,
        req.electricity_usd_mwh,
        climate=req.climate,
        cooling=req.cooling,
    )
    given = {k: getattr(req, k) for k in PLAN_CHOICES}
    cap = acc.memory_total_gb
    try:
        plan, plan_notes = choose_plan(
            m,
            acc,
            req.devices,
            seq_len=seq,
            global_batch=B,
            precision=req.precision,
            stack=req.stack,
            given=given,
            cal=cal,
        )
        notes += plan_notes
        if req.offload_layers:
            # a recipe's setting, not searched: applied to the plan chosen or given
            plan = replace(plan, offload_layers=req.offload_layers)
            notes.append(
                f"activations of {req.offload_layers} layers per stage offloaded to host memory "
                "(copies assumed hidden behind compute)"
            )
        _check_plan(req, plan, seq, notes)
        d = model_dims(m)
        P = PlanArrays.from_plans([plan])
        r = step_metrics(d, acc, P, seq, req.precision, req.stack, cal)
        clock = 1.0
        if req.power_cap_w is not None:
            acc_run, clock = capped_accelerator(
                acc, req.power_cap_w, float(r["flop_utilisation"][0]), float(r["hbm_utilisation"][0]), cal
            )
            if clock < 1.0:
                r = step_metrics(d, acc_run, P, seq, req.precision, req.stack, cal)
                for k in ("mfu", "hfu", "flop_utilisation"):  # against the uncapped peak
                    r[k] = r[k] * clock
            r.update(step_power_metrics(acc_run, r, plan.devices, site, req.power_model, cal))
            notes.append(
                f"power cap {req.power_cap_w:g} W: clock {clock:.0%} of the uncapped clock "
                "(dynamic power ∝ f³ under voltage-frequency scaling; HBM bandwidth kept)"
                if clock < 1.0
                else f"power cap {req.power_cap_w:g} W: above the modelled draw, no effect"
            )
        else:
            r.update(step_power_metrics(acc, r, plan.devices, site, req.power_model, cal))
        g = {k: float(v[0]) for k, v in r.items()}
        if g["memory_per_device_gb"] > cap:
            raise InfeasiblePlanError(
                f"memory per device {g['memory_per_device_gb']:.0f} GB > {cap:.0f} GB on {acc.id} "
                f"(weights {g['memory_weights_gb']:.0f}, gradients {g['memory_grads_gb']:.0f}, "
                f"optimizer {g['memory_optimizer_gb']:.0f}, activations {g['memory_activations_gb']:.0f} GB); "
                "try more devices, a larger pp or tp, --zero 3, or --recompute full"
            )
    except InfeasiblePlanError as exc:
        # energy from a given duration and measured power needs no plan (Patterson et al. 2021
        # report runs this way); anything else does
        if req.power_per_device_w is None or (req.days is None and req.device_hours is None):
            raise
        return _energy_only(req, seq, site, notes, str(exc))

    # ---- duration ------------------------------------------------------------------------------
    n = req.devices
    tok_s = g["tokens_per_s"]
    # whole runs lose time to failures, restarts and checkpoints: steady-state throughput times
    # the goodput (share of wall-clock time spent training) is what the run achieves
    good = cal.training_goodput
    notes.append(
        f"goodput {good:.0%}: share of wall-clock time training (failures, restarts, "
        "checkpoints; Llama 3 405B); tokens_per_s is the steady state"
    )
    if req.days is not None:
        wall_s = req.days * SECONDS_PER_DAY
        tokens = tok_s * good * wall_s
        notes.append(f"duration {req.days} days given; tokens implied by the modelled throughput")
    elif req.device_hours is not None:
        wall_s = req.device_hours * SECONDS_PER_HOUR / n
        tokens = tok_s * good * wall_s
        notes.append(f"{req.device_hours:.4g} device-hours given; tokens implied by the throughput")
    else:
        tokens = req.tokens if req.tokens is not None else (m.train_tokens or 0.0)
        if not tokens:
            raise InputError(f"give --tokens (the catalogue has no training tokens for {m.id})")
        if req.tokens is None:
            notes.append(f"{tokens:.3g} tokens: the model's published training tokens")
        wall_s = tokens / (tok_s * good)
    device_hours = n * wall_s / SECONDS_PER_HOUR

    # ---- power and energy at three boundaries --------------------------------------------------
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
    fac_w = facility(node_w, site.pue)
    power = {"accelerator": acc_w, "node": node_w, "facility": fac_w}
    energy = {k: float(energy_mwh(w, device_hours)) for k, w in power.items()}
    avg_mw = {k: w * n / W_PER_MW for k, w in power.items()}

    # ---- carbon, water, cost -------------------------------------------------------------------
    fp = job_footprint(acc, energy, device_hours, site)

    parts = {k: g[f"{k}_s"] for k in BREAKDOWN_PARTS}
    assumptions = (
        notes
        + site.notes
        + fp.notes
        + [
            f"software stack '{req.stack}': {STACKS[req.stack].description}",
            f"GEMM efficiency {gemm_efficiency(acc, cal):.3f} of 16-bit peak "
            "(fitted on Korthikanti 2022 Table 5 on A100, full recomputation; scaled by the "
            "accelerator's measured matmul ceiling where it has one)",
        ]
    )
    sources = [s.model_dump() for s in [*m.source, *acc.source, *site.sources, *fp.sources]]
    return TrainResult(
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
        bottleneck=bottleneck(parts, g["mfu"]),
        power_per_device_w=power,
        energy_mwh=energy,
        avg_power_mw=avg_mw,
        co2e_t=fp.co2e_t,
        water_m3=fp.water_m3,
        cost_usd=fp.cost_usd,
        cost_breakdown_usd=fp.cost_breakdown_usd,
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


def train_request(o: TrainOptions) -> TrainingRequest:
    """The library request of a ``train`` option set."""
    from scalewall.performance.plan import PLAN_CHOICES

    kw = o.model_dump(
        exclude={"model", "model_file", "accelerator", "accelerator_file", "region", "plan", "weather"}
    )
    kw["climate"] = climate_of(o.weather)
    if o.plan == "auto":
        for k in PLAN_CHOICES:
            kw[k] = None
    return TrainingRequest(**resolve_options(o), **kw)


def run_train(o: TrainOptions) -> TrainResult:
    """Run ``train`` on its options, with the country comparison and energy's share of the cost."""
    from scalewall.facility.comparison import country_equivalent, energy_cost_share
    from scalewall.units import MWH_PER_TWH

    r = estimate_training(train_request(o))
    twh = r.energy_mwh["facility"] / MWH_PER_TWH
    return r.model_copy(
        update={
            "electricity_equivalent": country_equivalent(twh) if twh > 0 else None,
            "energy_cost_share": energy_cost_share(r.cost_breakdown_usd.get("energy"), r.cost_usd),
        }
    )
