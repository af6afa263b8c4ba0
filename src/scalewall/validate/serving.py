"""Serving validation: measured inter-token latency, energy per token and energy boundaries."""

from __future__ import annotations

from scalewall import catalog
from scalewall.catalog.calibration import Calibration
from scalewall.catalog.engines import EngineProfile
from scalewall.facility.power import accelerator_power_w
from scalewall.units import MS_PER_S, W_PER_KW
from scalewall.validate.rows import Row, cases, row, source_of
from scalewall.workload.transformer import model_dims

__all__ = [
    "serving_rows",
    "mlenergy_rows",
    "trtllm_rows",
    "sglang_rows",
    "mi300x_rows",
    "power_rows",
    "predict_mlenergy_case",
    "predict_trtllm_case",
]


#: ML.ENERGY admission caps whose ITL and energy FIT the serving and power factors (every model
#: and accelerator); the other caps CHECK them (see calibration.yaml and engines.yaml)
MLENERGY_FIT_CAPS = (8, 128, 512, 2048)
#: a row whose measured running batch is this far below its cap was pre-empted [-]
PREEMPTED_BELOW = 0.97


def is_fit_row(c: dict) -> bool:
    """Whether an ML.ENERGY row's ITL and J per token FIT the factors (else they CHECK them)."""
    return c["max_num_seqs"] in MLENERGY_FIT_CAPS


def is_preempted(c: dict) -> bool:
    """Whether ML.ENERGY measured a running batch below the row's cap (its input length fit)."""
    return c["avg_batch"] < PREEMPTED_BELOW * c["max_num_seqs"]


def predict_mlenergy_case(
    c: dict,
    cal: Calibration | None = None,
    engine: EngineProfile | None = None,
    input_tokens: float | None = None,
) -> dict:
    """The serving model on one ML.ENERGY row: ``itl_ms`` [ms], ``power_w`` (instance) [W],
    ``j_per_output_token`` [J/token], ``tokens_per_s`` (instance) [tokens/s], ``running_batch``
    and ``preemption_batch`` [-]."""
    from scalewall.performance.inference import serve

    blk = cases("serving_mlenergy")["mlenergy_v3"]
    acc = catalog.accelerator(c["accelerator"])
    r = serve(
        model_dims(catalog.model(c["model"])),
        acc,
        tp=c["tp"],
        pp=1,
        ep=1,
        batch=[c["max_num_seqs"]],
        prompt_tokens=blk["fitted_input_tokens"] if input_tokens is None else input_tokens,
        output_tokens=c["avg_output_tokens"],
        precision=blk["precision"],
        cal=cal,
        engine=engine if engine is not None else catalog.engine(blk["engine"]),
        output_cv=blk["output_cv"],
    )
    p_acc = accelerator_power_w(acc, r["flop_utilisation"], r["hbm_utilisation"], cal, r["busy_fraction"])
    p_inst = float(p_acc[0]) * c["gpus"]
    tok_s = float(r["tokens_per_s"][0])
    return {
        "itl_ms": float(r["itl_s"][0]) * MS_PER_S,
        "power_w": p_inst,
        "tokens_per_s": tok_s,
        "j_per_output_token": p_inst / tok_s,
        "running_batch": float(r["running_batch"][0]),
        "preemption_batch": float(r["preemption_batch"][0]),
    }


def mlenergy_rows() -> list[Row]:
    """Median ITL, accelerator J per output token and running batch of every ML.ENERGY v3 row
    (Llama-3.1-8B and 70B on H100 and B200, vLLM), each named with its engine, FIT or CHECK."""
    blk = cases("serving_mlenergy")["mlenergy_v3"]
    src = source_of(blk)
    bar = blk["bar"]
    rows = []
    for c in blk["cases"]:
        g = predict_mlenergy_case(c)
        role = "fit" if is_fit_row(c) else "check"
        name = f"{blk['engine']} {c['name']}"
        rows += [
            row(
                "mlenergy_v3", name, "median ITL [ms]", c["median_itl_ms"], g["itl_ms"], bar["itl"], role, src
            ),
            row(
                "mlenergy_v3",
                name,
                "accelerator J per output token",
                c["j_per_output_token"],
                g["j_per_output_token"],
                bar["j_per_token"],
                role,
                src,
            ),
            row(
                "mlenergy_v3",
                name,
                "running batch [-]",
                c["avg_batch"],
                g["running_batch"],
                bar["running_batch"],
                "fit" if is_preempted(c) else "check",
                src,
            ),
        ]
    return rows


def predict_trtllm_case(c: dict, engine: EngineProfile | None = None) -> dict:
    """The serving model on one cell of TensorRT-LLM's throughput table: ``tokens_per_s``
    (instance) [tokens/s] and ``running_batch`` [-]."""
    from scalewall.performance.inference import serve

    blk = cases("serving_trtllm")["trtllm_perf_overview"]
    prof = engine if engine is not None else catalog.engine(blk["engine"])
    prof = prof.model_copy(update={"memory_fraction": blk["kv_memory_fraction"]})
    r = serve(
        model_dims(catalog.model(c["model"])),
        catalog.accelerator(c["accelerator"]),
        tp=c["tp"],
        pp=1,
        ep=1,
        batch=[blk["batch"]],
        prompt_tokens=c["input_tokens"],
        output_tokens=c["output_tokens"],
        precision=blk["precision"],
        engine=prof,
        output_cv=blk["output_cv"],
    )
    return {"tokens_per_s": float(r["tokens_per_s"][0]), "running_batch": float(r["running_batch"][0])}


def is_trtllm_fit_row(c: dict) -> bool:
    """Whether a TensorRT-LLM table cell FITS trtllm's H100 factors (8B TP1 and 70B TP2 on H100)."""
    return c["model"] in ("llama-3.1-8b", "llama-3.1-70b") and c["accelerator"] == "h100-sxm"


def trtllm_rows() -> list[Row]:
    """Output throughput of every cell of TensorRT-LLM's published FP8 table (H100, H200)."""
    blk = cases("serving_trtllm")["trtllm_perf_overview"]
    src = source_of(blk)
    return [
        row(
            "trtllm_perf_overview",
            f"{blk['engine']} {c['name']}",
            "output tokens/s",
            c["output_tokens_per_s"],
            predict_trtllm_case(c)["tokens_per_s"],
            blk["bar"]["tokens_per_s"],
            "fit" if is_trtllm_fit_row(c) else "check",
            src,
        )
        for c in blk["cases"]
    ]


def predict_sglang_case(c: dict, engine: EngineProfile | None = None) -> dict:
    """The serving model on one row of SGLang's published benchmark: ``itl_ms`` [ms] at the
    Little's-law batch of an online row, ``tokens_per_s`` (instance) [tokens/s] of an offline one."""
    from scalewall.performance.inference import serve

    blk = cases("serving_sglang")["sglang_v030"]
    prof = engine if engine is not None else catalog.engine(blk["engine"])
    prof = prof.model_copy(update={"memory_fraction": blk["memory_fraction"]})
    online = "rps" in c
    batch = c["rps"] * c["median_e2e_ms"] / MS_PER_S if online else blk["offline_batch"]
    r = serve(
        model_dims(catalog.model(c["model"])),
        catalog.accelerator(c["accelerator"]),
        tp=c["tp"],
        pp=1,
        ep=1,
        batch=[batch],
        prompt_tokens=blk["prompt_tokens"],
        output_tokens=blk["output_tokens"],
        precision=blk["precision"],
        engine=prof,
        output_cv=blk["output_cv"],
    )
    return {"itl_ms": float(r["itl_s"][0]) * MS_PER_S, "tokens_per_s": float(r["tokens_per_s"][0])}


def is_sglang_fit_row(c: dict) -> bool:
    """Whether a row of SGLang's benchmark FITS sglang's factors (the 8B A100 rows)."""
    return c["accelerator"] == "a100-80gb"


def sglang_rows() -> list[Row]:
    """Median ITL (online) and output throughput (offline) of SGLang v0.3.0's published rows."""
    blk = cases("serving_sglang")["sglang_v030"]
    src = source_of(blk)
    rows = []
    for c in blk["cases"]:
        g = predict_sglang_case(c)
        role = "fit" if is_sglang_fit_row(c) else "check"
        name = f"{blk['engine']} {c['name']}"
        if "rps" in c:
            rows.append(
                row(
                    "sglang_v030",
                    name,
                    "median ITL [ms]",
                    c["median_itl_ms"],
                    g["itl_ms"],
                    blk["bar"]["itl"],
                    role,
                    src,
                )
            )
        else:
            rows.append(
                row(
                    "sglang_v030",
                    name,
                    "output tokens/s",
                    c["output_tokens_per_s"],
                    g["tokens_per_s"],
                    blk["bar"]["tokens_per_s"],
                    role,
                    src,
                )
            )
    return rows


def predict_mi300x_case(c: dict, engine: EngineProfile | None = None) -> float:
    """Output throughput [tokens/s] of one batch of the MI300X vLLM table."""
    from scalewall.performance.inference import serve

    blk = cases("serving_mi300x")["oci_2024_mi300x"]
    r = serve(
        model_dims(catalog.model(blk["model"])),
        catalog.accelerator(blk["accelerator"]),
        tp=blk["tp"],
        pp=1,
        ep=1,
        batch=[c["batch"]],
        prompt_tokens=blk["prompt_tokens"],
        output_tokens=blk["output_tokens"],
        precision=blk["precision"],
        engine=engine if engine is not None else catalog.engine(blk["engine"]),
        output_cv=blk["output_cv"],
    )
    return float(r["tokens_per_s"][0])


def mi300x_rows() -> list[Row]:
    """Output throughput of vLLM on eight MI300X (Llama 3.1 405B FP8) by batch, FIT or CHECK."""
    blk = cases("serving_mi300x")["oci_2024_mi300x"]
    src = source_of(blk)
    return [
        row(
            "oci_2024_mi300x",
            f"{blk['engine']} 405b MI300Xx8 b{c['batch']}",
            "output tokens/s",
            c["output_tokens_per_s"],
            predict_mi300x_case(c),
            blk["bar"]["tokens_per_s"],
            "fit" if c["batch"] in blk["fit_batches"] else "check",
            src,
        )
        for c in blk["cases"]
    ]


def power_rows() -> list[Row]:
    """Measured training power that checks the power model: an 8x H100 node training
    Llama-2-13B (Latif et al. 2025), node boundary."""
    from scalewall.commands.train import TrainingRequest, estimate_training

    blk = cases("serving_power")["latif_2025_h100_training"]
    r = estimate_training(
        TrainingRequest(
            model=catalog.model(blk["model"]),
            accelerator=catalog.accelerator(blk["accelerator"]),
            devices=blk["devices"],
            tokens=1e9,  # any length: the power of a step does not depend on it
            pue=1.0,
        )
    )
    node_kw = r.power_per_device_w["node"] * blk["devices"] / W_PER_KW
    return [
        row(
            "latif_2025_h100_training",
            "8x H100 Llama-2-13B",
            "node power [kW]",
            blk["node_power_kw"],
            node_kw,
            blk["bar"],
            "check",
            source_of(blk),
        )
    ]


def google_boundary_rows() -> list[Row]:
    """Google's median Gemini prompt: the boundary chain accelerator → node → +idle → facility.

    Reproduces the published comprehensive figure from its published components (host share,
    idle provisioned capacity, PUE) with :func:`scalewall.facility.boundaries.boundary_chain`.
    """
    from scalewall.facility.boundaries import boundary_chain

    blk = cases("inference")["google_2025_gemini_prompt"]
    split = blk["comprehensive_split"]
    total = blk["comprehensive_wh"]
    acc_wh = split["accelerators"] * total
    chain = boundary_chain(
        acc_wh,
        host_ratio=split["host_cpu_dram"] / split["accelerators"],
        idle_share=split["idle_provisioned"] / (1 - split["datacentre_overhead"]),
        pue=blk["fleet_pue"],
    )
    return [
        row(
            "google_2025_gemini_prompt",
            "median prompt",
            "comprehensive Wh per prompt",
            total,
            chain["facility_with_idle"],
            0.03,
            "convention",
            source_of(blk),
        )
    ]


def serving_rows() -> list[Row]:
    """Every serving row, in a stable order."""
    return [
        *mlenergy_rows(),
        *trtllm_rows(),
        *sglang_rows(),
        *mi300x_rows(),
        *power_rows(),
        *google_boundary_rows(),
    ]
