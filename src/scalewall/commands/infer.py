"""``scalewall infer``: the serving estimator's request, answer and fleet sizing.

Performance (:func:`scalewall.performance.inference.serve`) gives time and utilisation; the
facility gives the rest through the same functions as ``train``: accelerator power
(:mod:`~scalewall.facility.power`), the boundary chain accelerator → node → facility
(:mod:`~scalewall.facility.boundaries`), the PUE (:mod:`~scalewall.facility.pue`, via
:func:`~scalewall.facility.site.resolve_site`) and carbon and water
(:func:`~scalewall.facility.footprint.job_footprint`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scalewall import catalog
from scalewall.catalog.schema import Accelerator, Model
from scalewall.commands.options import Count, IntOrMax, ModelAccOptions, climate_of, resolve_options
from scalewall.commands.requests import SiteAndCalibration
from scalewall.errors import InfeasiblePlanError, InputError
from scalewall.facility.boundaries import boundary_chain
from scalewall.facility.footprint import job_footprint
from scalewall.facility.power import accelerator_power_w
from scalewall.facility.site import resolve_site
from scalewall.performance.inference import COMPUTE_PRECISION, latency_percentiles, serve
from scalewall.units import (
    BYTES_PER_GB,
    G_PER_T,
    HOURS_PER_YEAR,
    J_PER_WH,
    KWH_PER_MWH,
    L_PER_M3,
    ML_PER_L,
    MS_PER_S,
    MWH_PER_TWH,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    W_PER_MW,
    WH_PER_KWH,
)
from scalewall.workload.transformer import model_dims

if TYPE_CHECKING:
    from scalewall.catalog.outlook import Paradigm

__all__ = [
    "InferenceRequest",
    "InferResult",
    "InferenceResult",
    "estimate_inference",
    "InferOptions",
    "run_infer",
]

#: largest batch the search tries (engines cap concurrent sequences well below it) [-]
MAX_BATCH_SEARCH = 4096


class InferenceRequest(SiteAndCalibration):
    """What ``scalewall infer`` takes (catalogue objects resolved)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    model: Model
    accelerator: Accelerator
    devices: int = Field(ge=1, le=10_000_000, description="accelerators serving [-]")
    tp: int | None = Field(default=None, ge=1, description="tensor-parallel size of an instance")
    ep: int = Field(default=1, ge=1, description="expert-parallel size of an instance")
    batch: int | Literal["max"] = "max"
    engine: str = Field(default="vllm", description="serving-engine profile id (catalogue engines)")
    output_cv: float | None = Field(default=None, ge=0, le=10, description="answer-length spread [-]")
    prompt_cv: float | None = Field(default=None, ge=0, le=10, description="prompt-length spread [-]")
    prompt_tokens: float | None = Field(default=None, gt=0, le=10_000_000)
    output_tokens: float | None = Field(default=None, gt=0, le=10_000_000)
    precision: Literal["bf16", "fp8", "int4"] = "bf16"
    itl_slo_ms: float | None = Field(default=None, gt=0)
    queries_per_day: float | None = Field(default=None, gt=0, le=1e15)
    utilisation: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _checks(self) -> InferenceRequest:
        if isinstance(self.batch, int) and self.batch < 1:
            raise ValueError("batch must be ≥ 1 or 'max'")
        if self.ep > 1 and self.model.moe is None:
            raise ValueError(f"ep={self.ep} needs a mixture-of-experts model; {self.model.id} is dense")
        need = COMPUTE_PRECISION[self.precision]
        if need not in self.accelerator.peak_tflops:
            raise ValueError(f"{self.accelerator.id} has no {need} peak in the catalogue")
        context = (self.prompt_tokens or 0) + (self.output_tokens or 0)
        if context > self.model.context_limit:
            raise ValueError(
                f"prompt + output = {context:,.0f} tokens exceeds {self.model.id}'s context of "
                f"{self.model.context_limit:,} tokens"
            )
        return self


class InferResult(BaseModel):
    """The answer of ``scalewall infer`` (its JSON is the CLI's ``--json`` output)."""

    model: str = Field(description="model id")
    accelerator: str = Field(description="accelerator id")
    devices: int = Field(description="accelerators serving [-]")
    tp: int = Field(description="tensor-parallel size of one instance [-]")
    ep: int = Field(description="expert-parallel size of one instance [-]")
    instances: int = Field(description="model instances on the devices [-]")
    precision: str = Field(description="weight (and KV cache) precision")
    prompt_tokens: float = Field(description="prompt length [tokens]")
    output_tokens: float = Field(description="answer length [tokens]")
    ttft_s: float = Field(description="time to first token [s]")
    latency_percentiles_ms: dict[str, dict[str, float]] = Field(
        description="p50, p90, p99 of time to first token (ttft) and inter-token latency (itl) from "
        "the prompt-length spread and the prefill chunks in steps, no queueing [ms]"
    )
    itl_s: float = Field(description="inter-token latency [s]")
    output_tokens_per_s: float = Field(description="output throughput of all instances [tokens/s]")
    tokens_per_s_per_user: float = Field(description="output speed seen by one request [tokens/s]")
    request_latency_s: float = Field(description="time to answer one query [s]")
    engine: str = Field(description="serving-engine profile id")
    engine_factors: str = Field(description="where the engine's factors on this accelerator come from")
    batch: int = Field(description="admission cap per instance, the engine's max_num_seqs [-]")
    running_batch: int = Field(
        description="requests the instance holds in steady state: the cap, or fewer where the paged "
        "KV cache fills and the engine pre-empts [-]"
    )
    max_batch: int = Field(
        description="largest cap held without pre-emption (the KV cache at the in-flight context) [-]"
    )
    preempted: bool = Field(
        description="whether the engine holds fewer requests than the cap (pre-empting a paged cache, "
        "or queueing where its scheduler never evicts)"
    )
    kv_cache_utilisation: float = Field(description="share of the KV-cache capacity in use [-]")
    context_tokens: float = Field(description="time-averaged context of a request in flight [tokens]")
    kv_cache_gb: float = Field(description="KV cache in use per instance [GB]")
    memory_per_device_gb: float = Field(description="weights + KV cache + overhead per device [GB]")
    memory_capacity_gb: float = Field(description="memory of one device [GB]")
    bottleneck: str = Field(description="what bounds a decode step, in words")
    power_w: dict[str, float] = Field(
        description="power of the serving devices at accelerator, node, facility boundaries [W]"
    )
    power_per_device_w_by_phase: dict[str, float] = Field(
        description="accelerator power of one device in a prefill (one prompt alone), a decode step "
        "(no prefill chunk) and on average [W]"
    )
    energy_j_per_output_token: dict[str, float] = Field(
        description="energy per output token at each boundary [J/token]"
    )
    energy_wh_per_query: dict[str, float] = Field(description="energy per query at each boundary [Wh]")
    co2e_g_per_query: float = Field(description="operational emissions per query [gCO2e]")
    water_ml_per_query: float = Field(
        description="water consumed per query, on site and for the electricity [mL]"
    )
    fleet: dict | None = Field(
        description="with queries_per_day: queries_per_day, utilisation [-], instances, devices, "
        "avg_power_mw {boundary: MW}, energy_twh_per_year {boundary: TWh/yr}, "
        "co2e_t_per_year [tCO2e/yr]; null without"
    )
    extrapolated_paradigms: list[dict] = Field(
        description="non-GPU designs with published efficiency applied to this result "
        "(energy_j_per_output_token_accelerator [J/token]; extrapolated)"
    )
    assumptions: list[str] = Field(description="what the estimate assumed, in words")
    sources: list[dict] = Field(description="sources of the catalogue figures used")


def _default_tp(m: Model, acc: Accelerator, devices: int, ep: int, precision: str) -> int:
    """Smallest TP (a divisor of the devices within the scale-up domain, dividing the heads)
    whose weights leave at least half of each device's memory for the KV cache."""
    from scalewall.performance.inference import WEIGHT_BYTES

    d = model_dims(m)
    weights = d.params_total * WEIGHT_BYTES[precision]
    for tp in range(1, min(devices // ep, acc.scale_up.domain) + 1):
        if (devices // ep) % tp or m.n_heads % tp or (m.kv_heads % tp and tp % m.kv_heads):
            continue
        if weights / (tp * ep) <= 0.5 * acc.memory_gb * BYTES_PER_GB:
            return tp
    raise InfeasiblePlanError(
        f"{m.id} in {precision} ({weights / BYTES_PER_GB:.0f} GB of weights) does not fit {acc.id} "
        f"({acc.memory_gb:.0f} GB) even with tp={min(devices // ep, acc.scale_up.domain)} "
        "in one scale-up domain; use more devices per instance (--ep for MoE), fp8 or int4"
    )


def _paradigms(j_acc: float) -> list[dict]:
    """Non-GPU designs with published efficiency, applied to this result (extrapolated)."""
    out = []
    for p in cast("dict[str, Paradigm]", catalog.entries("paradigms")).values():
        mult = p.efficiency_multiplier
        if "inference" not in p.applies_to:
            continue
        out.append(
            {
                "id": p.id,
                "name": p.name,
                "demonstrated": p.demonstrated.model_dump(),
                "efficiency_multiplier": mult.model_dump(),
                "energy_j_per_output_token_accelerator": j_acc / mult.central,
                "status": "extrapolated: demonstrated on the workload named, not on this model",
            }
        )
    return out


def estimate_inference(req: InferenceRequest) -> InferResult:
    """Latency, throughput, energy per token and per query, and the fleet for a demand.

    Raises
    ------
    InfeasiblePlanError
        If TP does not divide the heads or the devices, or the weights leave no room for one
        request's KV cache. A batch beyond what the KV cache holds is not refused: the engine
        pre-empts, and the result reports the running batch.
    """
    m, acc = req.model, req.accelerator
    notes: list[str] = []
    P = req.prompt_tokens or catalog.assumption("default-prompt-tokens")
    O = req.output_tokens or catalog.assumption("default-output-tokens")  # noqa: E741 (O = output tokens, as in the docs)
    if req.prompt_tokens is None or req.output_tokens is None:
        notes.append(f"prompt {P:g} / output {O:g} tokens: LMSYS-Chat-1M means (default)")
    if req.calibration is not None and req.calibration.changed():
        notes.append(
            "calibration variant: " + ", ".join(f"{k} {v:g}" for k, v in req.calibration.changed().items())
        )
    tp = req.tp or _default_tp(m, acc, req.devices, req.ep, req.precision)
    if m.n_heads % tp:
        raise InfeasiblePlanError(f"tp={tp}: {m.n_heads} attention heads not divisible by tp")
    if req.devices % (tp * req.ep):
        raise InfeasiblePlanError(
            f"tp×ep = {tp * req.ep} does not divide {req.devices} devices into whole instances"
        )
    if m.moe is not None and m.moe.n_experts % req.ep:
        raise InfeasiblePlanError(f"ep={req.ep}: {m.moe.n_experts} experts not divisible by ep")
    instances = req.devices // (tp * req.ep)
    n_inst = tp * req.ep
    d = model_dims(m)
    prof = catalog.engine(req.engine)
    f_eng = prof.factors(acc.id)
    if f_eng is not None:
        factors_from = f"{prof.id} on {acc.id}: {f_eng.fitted_on}"
    else:
        factors_from = (
            f"{prof.id} has no factors of its own for {acc.id}: the calibration's reference "
            "(vLLM on H100, ML.ENERGY v3) stands in"
        )
    notes.append(f"engine {prof.name}; " + factors_from)
    cv = req.output_cv if req.output_cv is not None else catalog.assumption("default-output-length-cv")
    if req.output_cv is None:
        notes.append(f"answer-length coefficient of variation {cv:g} (assumption; --output-cv to change)")
    site = resolve_site(req.region, req.pue, req.grid_gco2_kwh, climate=req.climate, cooling=req.cooling)

    batches = np.arange(1, MAX_BATCH_SEARCH + 1)
    r = serve(
        d,
        acc,
        tp=tp,
        pp=1,
        ep=req.ep,
        batch=batches,
        prompt_tokens=P,
        output_tokens=O,
        precision=req.precision,
        cal=req.calibration,
        engine=prof,
        output_cv=cv,
    )
    max_batch = int(r["preemption_batch"][0])
    if max_batch < 1:
        raise InfeasiblePlanError(
            f"{m.id} leaves no room for one request's KV cache on {acc.id}: weights "
            f"{r['weights_per_device_gb'][0]:.0f} GB per device of {acc.memory_gb:.0f} GB "
            f"({prof.memory_fraction:.0%} taken by {prof.id}); use a larger tp or ep, fp8 or int4"
        )
    fits = batches <= max_batch
    if req.batch == "max":
        ok = fits.copy()
        if req.itl_slo_ms is not None:
            ok &= r["itl_s"] * MS_PER_S <= req.itl_slo_ms
            if not ok.any():
                raise InfeasiblePlanError(
                    f"no batch meets --itl-slo-ms {req.itl_slo_ms:g}: batch 1 already takes "
                    f"{r['itl_s'][0] * MS_PER_S:.1f} ms per token; use a larger --tp, fp8 or int4"
                )
        B = int(batches[ok][-1])
        notes.append(
            f"batch {B}: the largest the KV cache holds without pre-emption"
            + (f" and meets ITL ≤ {req.itl_slo_ms:g} ms" if req.itl_slo_ms else "")
        )
        g = {k: float(v[B - 1]) for k, v in r.items()}
    else:
        B = int(req.batch)
        if B <= MAX_BATCH_SEARCH:
            g = {k: float(v[B - 1]) for k, v in r.items()}
        else:
            one = serve(
                d,
                acc,
                tp=tp,
                pp=1,
                ep=req.ep,
                batch=[B],
                prompt_tokens=P,
                output_tokens=O,
                precision=req.precision,
                cal=req.calibration,
                engine=prof,
                output_cv=cv,
            )
            g = {k: float(v[0]) for k, v in one.items()}
        if B > max_batch:
            notes.append(
                f"batch {B} exceeds what the KV cache holds at the in-flight context "
                f"({g['context_tokens']:.0f} tokens): {prof.id} "
                + ("pre-empts" if prof.admission == "current" else "queues the rest (it never evicts)")
                + f", {max_batch} requests run"
            )
    phase_w = {
        ph: float(
            accelerator_power_w(
                acc,
                g[f"{pre}flop_utilisation"],
                g[f"{pre}hbm_utilisation"],
                req.calibration,
                g[f"{pre}busy_fraction"],
            )
        )
        for ph, pre in (("prefill", "prefill_"), ("decode", "decode_"), ("average", ""))
    }
    g["power_acc_w"] = phase_w["average"]
    pcv = req.prompt_cv if req.prompt_cv is not None else catalog.assumption("default-prompt-length-cv")
    if req.prompt_cv is None:
        notes.append(f"prompt-length coefficient of variation {pcv:g} (assumption; --prompt-cv to change)")
    pct = latency_percentiles({k: np.array([v]) for k, v in g.items()}, P, pcv)
    pct_ms = {
        kind: {f"p{round(q * 100)}": v * MS_PER_S for q, v in pct[f"{kind}_s"].items()}
        for kind in ("ttft", "itl")
    }

    # ---- power and energy at three boundaries (one busy instance) -------------------------------
    inst = boundary_chain(g["power_acc_w"] * n_inst, host=acc.host_power_w * n_inst, pue=site.pue)  # [W]
    acc_w, node_w, fac_w = inst["accelerator"], inst["node"], inst["facility"]
    tok_s = g["tokens_per_s"]
    power = {"accelerator": acc_w * instances, "node": node_w * instances, "facility": fac_w * instances}
    j_tok = {"accelerator": acc_w / tok_s, "node": node_w / tok_s, "facility": fac_w / tok_s}
    wh_q = {k: v * O / J_PER_WH for k, v in j_tok.items()}
    wh_per_mwh = WH_PER_KWH * KWH_PER_MWH
    per_query = job_footprint(
        acc, {k: v / wh_per_mwh for k, v in wh_q.items()}, n_inst * O / tok_s / SECONDS_PER_HOUR, site
    )
    co2_g = per_query.co2e_t["operational"] * G_PER_T
    water_ml = per_query.water_m3 * L_PER_M3 * ML_PER_L

    bottleneck = (
        f"{'compute' if g['bound'] else 'memory bandwidth'}: "
        f"{g['compute_s'] / g['step_s']:.0%} of a step in compute-bound kernels, "
        f"{g['memory_s'] / g['step_s']:.0%} streaming weights and KV cache, "
        f"{(g['overhead_s'] + g['comm_s']) / g['step_s']:.0%} engine overhead and collectives"
    )
    if B >= max_batch:
        bottleneck += (
            f"; running batch limited by the paged KV cache ({g['kv_cache_utilisation']:.0%} of "
            f"{g['kv_capacity_tokens']:,.0f} tokens in use)"
        )

    fleet = None
    if req.queries_per_day is not None:
        util = req.utilisation or catalog.assumption("default-serving-utilisation")
        if req.utilisation is None:
            notes.append(f"fleet utilisation {util:g} (assumption; --utilisation to change)")
        q_s = req.queries_per_day / SECONDS_PER_DAY
        inst_busy = q_s * O / tok_s  # instances fully busy on average
        n_instances = math.ceil(inst_busy / util)
        devices = n_instances * n_inst
        idle_inst = n_instances - inst_busy
        # the fleet counts its idle instances explicitly (accelerators at idle power, hosts on),
        # so they enter the chain inside the accelerator and host terms, not as an idle share
        chain = boundary_chain(
            inst_busy * acc_w + idle_inst * acc.idle_w * n_inst, host=devices * acc.host_power_w, pue=site.pue
        )  # [W]
        avg = {k: chain[k] / W_PER_MW for k in ("accelerator", "node", "facility")}
        e_mwh = {k: v * HOURS_PER_YEAR for k, v in avg.items()}  # MW · h
        year = job_footprint(acc, e_mwh, devices * HOURS_PER_YEAR, site)
        e_twh = {k: v / MWH_PER_TWH for k, v in e_mwh.items()}
        fleet = {
            "queries_per_day": req.queries_per_day,
            "utilisation": util,
            "instances": n_instances,
            "devices": devices,
            "avg_power_mw": avg,
            "energy_twh_per_year": e_twh,
            "co2e_t_per_year": year.co2e_t["operational"],
        }

    para = _paradigms(j_tok["accelerator"])
    sources = [s.model_dump() for s in [*m.source, *acc.source, *site.sources]]
    return InferResult(
        model=m.id,
        accelerator=acc.id,
        devices=req.devices,
        tp=tp,
        ep=req.ep,
        instances=instances,
        precision=req.precision,
        prompt_tokens=P,
        output_tokens=O,
        ttft_s=g["ttft_s"],
        latency_percentiles_ms=pct_ms,
        itl_s=g["itl_s"],
        output_tokens_per_s=tok_s * instances,
        tokens_per_s_per_user=1.0 / g["itl_s"],
        request_latency_s=g["ttft_s"] + O * g["step_s"],
        engine=prof.id,
        engine_factors=factors_from,
        batch=B,
        running_batch=int(g["running_batch"]),
        max_batch=max_batch,
        preempted=B > max_batch,
        kv_cache_utilisation=g["kv_cache_utilisation"],
        context_tokens=g["context_tokens"],
        kv_cache_gb=g["kv_cache_gb"],
        memory_per_device_gb=g["memory_per_device_gb"],
        memory_capacity_gb=acc.memory_gb,
        bottleneck=bottleneck,
        power_w=power,
        power_per_device_w_by_phase=phase_w,
        energy_j_per_output_token=j_tok,
        energy_wh_per_query=wh_q,
        co2e_g_per_query=co2_g,
        water_ml_per_query=water_ml,
        fleet=fleet,
        extrapolated_paradigms=para,
        assumptions=notes
        + site.notes
        + [
            "continuous batching in steady state: the running batch at its time-averaged context "
            f"(prompt + answer x (1 + cv^2)/2 = {g['context_tokens']:.0f} tokens) in a paged KV "
            "cache; each step also prefills the requests that replace finished ones",
            "serving factors: see `scalewall catalog list calibration` and `scalewall catalog list engines`",
        ],
        sources=sources,
    )


class InferOptions(ModelAccOptions):
    """Options of ``scalewall infer`` (the one declaration: CLI flags, web form, sweeps)."""

    devices: int = Field(description="accelerators serving [-]")
    tp: int | None = Field(
        default=None,
        description="tensor-parallel size of one instance [-]; default: the smallest that leaves "
        "half of each device's memory for the KV cache",
    )
    ep: int = Field(default=1, description="expert-parallel size of one instance [-] (MoE)")
    batch: IntOrMax = Field(
        default="max",
        description="admission cap per instance, the engine's max_num_seqs [-] (beyond what the KV "
        "cache holds the engine pre-empts), or 'max': the largest held without pre-emption (and "
        "meeting --itl-slo-ms)",
    )
    engine: Literal["vllm", "sglang", "trtllm"] = Field(
        default="vllm", description="serving engine whose profile (catalogue engines) sets the factors"
    )
    output_cv: float | None = Field(
        default=None,
        description="coefficient of variation of the answer length [-]; default: the catalogue's "
        "(assumption)",
        json_schema_extra={"default_from": "default-output-length-cv"},
    )
    prompt_cv: float | None = Field(
        default=None,
        description="coefficient of variation of the prompt length, for the latency percentiles [-]; "
        "default: the catalogue's (assumption)",
        json_schema_extra={"default_from": "default-prompt-length-cv"},
    )
    prompt_tokens: Count | None = Field(
        default=None,
        description="prompt length [tokens]; default: the catalogue's (LMSYS-Chat-1M)",
        json_schema_extra={"default_from": "default-prompt-tokens"},
    )
    output_tokens: Count | None = Field(
        default=None,
        description="answer length [tokens]; default: the catalogue's (LMSYS-Chat-1M)",
        json_schema_extra={"default_from": "default-output-tokens"},
    )
    precision: Literal["bf16", "fp8", "int4"] = Field(
        default="bf16", description="bf16, fp8 (weights and KV cache) or int4 (weights)"
    )
    itl_slo_ms: float | None = Field(
        default=None,
        description="with batch 'max': the largest batch meeting this inter-token latency [ms]; "
        "default: no target",
    )
    queries_per_day: Count | None = Field(
        default=None, description="size a fleet for this demand [queries/d] (1e9, 2B); default: no fleet"
    )
    utilisation: float | None = Field(
        default=None,
        description="fleet average utilisation [-]; default: the catalogue's (assumption)",
        json_schema_extra={"default_from": "default-serving-utilisation"},
    )
    pue: float | None = Field(
        default=None,
        description="power usage effectiveness [-]; default: the hourly weather's with cooling, else "
        "the region's, else the catalogue's",
        json_schema_extra={"default_from": "default-pue"},
    )
    region: str | None = Field(default=None, description="catalogue region id (grid carbon, PUE, water)")
    grid_gco2_kwh: float | None = Field(
        default=None,
        description="grid carbon intensity [gCO2e/kWh]; default: the region's, else the catalogue's",
        json_schema_extra={"default_from": "default-grid-gco2-kwh"},
    )
    weather: str | None = Field(
        default=None,
        description="bundled weather (greensboro, sand-point, miami) or a TMY3/TMY2/EPW/PVGIS file: "
        "the PUE follows its hourly climate; default: none (region or catalogue PUE)",
    )
    cooling: Literal["air", "evaporative", "liquid"] | None = Field(
        default=None, description="cooling type for the weather's PUE; default: air"
    )


def run_infer(o: InferOptions) -> InferResult:
    """Run ``infer`` on its options."""
    kw = o.model_dump(exclude={"model", "model_file", "accelerator", "accelerator_file", "region", "weather"})
    kw["climate"] = climate_of(o.weather)
    if isinstance(kw["batch"], str) and kw["batch"] != "max":
        raise InputError(f"batch must be a number or 'max', not {kw['batch']!r}")
    return estimate_inference(InferenceRequest(**resolve_options(o), **kw))


#: the name this result had before the commands layer (kept for users' scripts)
InferenceResult = InferResult
