"""Serving validation: measured inter-token latency, energy per token and energy boundaries."""

from __future__ import annotations

from scalewall import catalog
from scalewall.catalog.calibration import Calibration
from scalewall.facility.power import accelerator_power_w
from scalewall.units import MS_PER_S
from scalewall.validate.rows import Row, cases, row, source_of
from scalewall.workload.transformer import model_dims

__all__ = ["serving_rows", "mlenergy_rows", "predict_mlenergy_case"]


#: ML.ENERGY rows whose figures FIT calibration factors (see calibration.yaml); the rest CHECK
MLENERGY_FIT = {
    "8b H100x1 b8": ("itl", "j"),
    "8b H100x1 b128": ("itl", "j"),
    "8b H100x1 b512": ("itl", "j"),
    "70b H100x4 b8": ("itl",),
}


def predict_mlenergy_case(c: dict, cal: Calibration | None = None, input_tokens: float | None = None) -> dict:
    """The serving model on one ML.ENERGY row: ``itl_ms`` [ms], ``power_w`` (instance) [W],
    ``j_per_output_token`` [J/token] and ``tokens_per_s`` (instance) [tokens/s]."""
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
    )
    p_acc = float(accelerator_power_w(acc, r["flop_utilisation"], r["hbm_utilisation"], cal)[0]) * c["gpus"]
    tok_s = float(r["tokens_per_s"][0])
    return {
        "itl_ms": float(r["itl_s"][0]) * MS_PER_S,
        "power_w": p_acc,
        "tokens_per_s": tok_s,
        "j_per_output_token": p_acc / tok_s,
    }


def mlenergy_rows() -> list[Row]:
    """Median ITL and accelerator J per output token of every ML.ENERGY v3 row (Llama-3.1-8B
    and 70B on H100 and B200, vLLM); each row is named with its engine and is FIT or CHECK."""
    blk = cases("serving_mlenergy")["mlenergy_v3"]
    src = source_of(blk)
    rows = []
    for c in blk["cases"]:
        g = predict_mlenergy_case(c)
        fit = MLENERGY_FIT.get(c["name"], ())
        name = f"{blk['engine']} {c['name']}"
        rows.append(
            row(
                "mlenergy_v3",
                name,
                "median ITL [ms]",
                c["median_itl_ms"],
                g["itl_ms"],
                blk["bar"]["itl"],
                "fit" if "itl" in fit else "check",
                src,
            )
        )
        rows.append(
            row(
                "mlenergy_v3",
                name,
                "accelerator J per output token",
                c["j_per_output_token"],
                g["j_per_output_token"],
                blk["bar"]["j_per_token"],
                "fit" if "j" in fit else "check",
                src,
            )
        )
    return rows


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
    return [*mlenergy_rows(), *google_boundary_rows()]
