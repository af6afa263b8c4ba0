"""Serving validation: measured inter-token latency, energy per token and energy boundaries."""

from __future__ import annotations

from scalewall import catalog
from scalewall.facility.power import accelerator_power_w
from scalewall.validate.rows import Row, cases, row, source_of
from scalewall.workload.transformer import model_dims

__all__ = ["serving_rows"]


def mlenergy_rows() -> list[Row]:
    """ITL and accelerator J per output token for every ML.ENERGY row (bars 15 % / 20 %)."""
    from scalewall.performance.inference import serve

    blk = cases("inference")["mlenergy_v3"]
    acc = catalog.accelerator(blk["accelerator"])
    P = blk["fitted_input_tokens"]
    rows = []
    for c in blk["cases"]:
        r = serve(
            model_dims(catalog.model(c["model"])),
            acc,
            tp=c["tp"],
            pp=1,
            ep=1,
            batch=[c["batch"]],
            prompt_tokens=P,
            output_tokens=c["avg_output_tokens"],
            precision=blk["precision"],
        )
        itl_ms = float(r["itl_s"][0]) * 1e3
        p_acc = accelerator_power_w(acc, r["flop_utilisation"], r["hbm_utilisation"])
        j = float(p_acc[0]) * c["gpus"] / float(r["tokens_per_s"][0])
        # the 8B rows fit the serving factors, the 70B ITL fits the small-collective latency;
        # the 70B energy is a check
        fit_itl = True
        fit_j = c["model"] == "llama-3.1-8b"
        rows.append(
            row(
                "mlenergy_v3",
                c["name"],
                "median ITL [ms]",
                c["median_itl_ms"],
                itl_ms,
                blk["bar"]["itl"],
                "fit" if fit_itl else "check",
                source_of(blk),
            )
        )
        rows.append(
            row(
                "mlenergy_v3",
                c["name"],
                "accelerator J per output token",
                c["j_per_output_token"],
                j,
                blk["bar"]["j_per_token"],
                "fit" if fit_j else "check",
                source_of(blk),
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
