"""Re-derive the fitted calibration factors from the published cases they were fitted on.

``gemm-efficiency`` is fitted on Korthikanti 2022 Table 5 (full recomputation column) by
minimising the mean absolute relative error of the iteration time; every other case in
``scalewall validate`` is a check it has not seen. Tests assert that the value shipped in
``calibration.yaml`` is the one this fit returns, so the catalogue cannot drift from its note.

Each trial value reaches the model as a :class:`~scalewall.catalog.Calibration` variant of the
catalogue's (only the factor being fitted changed); nothing is patched.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scalewall import catalog
from scalewall.catalog.calibration import Calibration
from scalewall.catalog.engines import EngineProfile
from scalewall.performance.plan import STACKS, PlanArrays
from scalewall.validate.rows import case_plan, cases, gpt_model
from scalewall.workload.transformer import model_dims

__all__ = [
    "korthikanti_full_errors",
    "fit_gemm_efficiency",
    "modern_errors",
    "modern_objective",
    "fit_modern_training",
    "fit_flash_attention",
    "attention_kernel_curves",
]


def korthikanti_full_errors(eta: float) -> np.ndarray:
    """Relative errors of the full-recomputation iteration times at GEMM efficiency ``eta`` [-]."""
    import scalewall.performance.step as step

    blk = cases("training_performance")["korthikanti_2022_table5"]
    acc = catalog.accelerator(blk["accelerator"])
    cal = Calibration.from_catalog().replace(gemm_efficiency=eta)

    errs = []
    for c in blk["cases"]:
        d = model_dims(gpt_model(c["model"], c["name"]))
        plan = case_plan(c, recompute="full", zero=0)  # Table 5's full-recomputation column
        r = step.evaluate(
            d,
            acc,
            PlanArrays.from_plans([plan]),
            c["model"]["s"],
            blk["precision"],
            STACKS[blk["stack"]],
            cal,
        )
        errs.append(float(r["step_time_s"][0]) / c["full_s"] - 1.0)
    return np.array(errs)


def fit_gemm_efficiency(lo: float = 0.5, hi: float = 0.95, tol: float = 1e-4) -> float:
    """GEMM efficiency minimising mean |error| on Korthikanti Table 5 (full) [-].

    Golden-section search; the objective is unimodal in ``eta`` because every case's time
    falls monotonically as ``eta`` rises.
    """
    g = (np.sqrt(5) - 1) / 2
    f = lambda x: float(np.mean(np.abs(korthikanti_full_errors(x))))  # noqa: E731
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


#: the serving factors fitted jointly on ML.ENERGY's rows (calibration id, or engine factor
#: ``vllm/<accelerator>/<factor>``)
SERVING_FIT = (
    "kv-read-efficiency",
    "serving-step-overhead-s",
    "serving-kernel-overhead-s",
    "vllm/b200/kv_read_efficiency",
    "vllm/b200/step_overhead_s",
    "vllm/b200/kernel_overhead_s",
    "power-per-flop-utilisation",
    "power-per-hbm-utilisation",
    "power-per-busy-time",
)
#: FLOP utilisation below which FLOPs alone may not reach TDP (the bound on k_flop) [-]
MIN_FLOP_UTILISATION_AT_TDP = 0.4


def fit_mlenergy_input_tokens() -> float:
    """Mean input length of ML.ENERGY's lm-arena-chat task from its pre-emption onsets [tokens].

    Where vLLM pre-empted (running batch measured below the cap), the KV cache was full:
    capacity / running batch is the context in flight, and the input length is that minus the
    answer's share (:func:`~scalewall.performance.inference.in_flight_context`). The median over
    the pre-empted rows.
    """
    from scalewall.performance.inference import in_flight_context
    from scalewall.validate.serving import is_preempted, predict_mlenergy_case

    blk = cases("serving_mlenergy")["mlenergy_v3"]
    est = []
    for c in blk["cases"]:
        if not is_preempted(c):
            continue
        # capacity does not depend on the input length: read it off a prediction at any length
        g = predict_mlenergy_case(c, input_tokens=1.0)
        ctx_model = float(in_flight_context(1.0, c["avg_output_tokens"], blk["output_cv"]))
        capacity = g["preemption_batch"] * ctx_model  # tokens (to the rounding of floor)
        est.append(capacity / c["avg_batch"] - (ctx_model - 1.0))
    return float(np.median(est))


def _variant(x) -> tuple[Calibration, EngineProfile]:
    """Calibration and vLLM profile with the SERVING_FIT values ``x``."""
    vals = dict(zip(SERVING_FIT, map(float, x), strict=True))
    cal = Calibration.from_catalog().replace(**{k: v for k, v in vals.items() if "/" not in k})
    prof = catalog.engine("vllm")
    acc = dict(prof.accelerators)
    b200 = acc["b200"].model_copy(
        update={
            "kv_read_efficiency": vals["vllm/b200/kv_read_efficiency"],
            "step_overhead_s": vals["vllm/b200/step_overhead_s"],
            "kernel_overhead_s": vals["vllm/b200/kernel_overhead_s"],
        }
    )
    return cal, prof.model_copy(update={"accelerators": {**acc, "b200": b200}})


def fit_serving() -> dict[str, float]:
    """Fit the serving and power factors on ML.ENERGY's fit rows (median ITL and J per token).

    The input length comes first, from the pre-emption onsets (:func:`fit_mlenergy_input_tokens`);
    then the decode-attention efficiency and step overhead of vLLM on H100 (calibration) and on
    B200 (engine profile) and the three power factors minimise the squared log errors (plain
    least squares) of the fit rows' ITL and J per output token, ``k_flop`` bounded by
    :data:`MIN_FLOP_UTILISATION_AT_TDP`. Returns the values by factor name, and the input length
    under ``"lm-arena-chat input tokens"``.
    """
    from scipy.optimize import least_squares

    from scalewall.validate.serving import is_fit_row, predict_mlenergy_case

    blk = cases("serving_mlenergy")["mlenergy_v3"]
    rows = [c for c in blk["cases"] if is_fit_row(c)]
    p_in = fit_mlenergy_input_tokens()

    def residuals(x):
        cal, prof = _variant(x)
        out = []
        for c in rows:
            g = predict_mlenergy_case(c, cal, prof, p_in)
            out += [
                np.log(g["itl_ms"] / c["median_itl_ms"]),
                np.log(g["j_per_output_token"] / c["j_per_output_token"]),
            ]
        return out

    kf_max = 1.0 / MIN_FLOP_UTILISATION_AT_TDP
    # times in ms (step) and us (kernel) inside the solver so that every unknown is of order 1
    scale = np.array([1.0, 1e-3, 1e-6, 1.0, 1e-3, 1e-6, 1.0, 1.0, 1.0])
    x0 = [0.3, 1.0, 5.0, 0.3, 1.0, 5.0, 0.8 * kf_max, 1.0, 0.3]
    lo = [0.02, 0.0, 0.0, 0.02, 0.0, 0.0, 0.0, 0.0, 0.0]
    hi = [1.0, 20.0, 100.0, 1.0, 20.0, 100.0, kf_max, 5.0, 1.0]
    f = least_squares(lambda z: residuals(z * scale), x0, bounds=(lo, hi), loss="linear")
    f.x = f.x * scale
    return {"lm-arena-chat input tokens": p_in, **dict(zip(SERVING_FIT, map(float, f.x), strict=True))}


#: trtllm's H100 factors fitted on TensorRT-LLM's published table (engine/accelerator/factor)
TRTLLM_FIT = (
    "trtllm/h100-sxm/kv_read_efficiency",
    "trtllm/h100-sxm/step_overhead_s",
    "trtllm/h100-sxm/kernel_overhead_s",
    "trtllm/h100-sxm/gemm_efficiency",
)


def fit_trtllm() -> dict[str, float]:
    """Fit TensorRT-LLM's H100 factors on its published Llama 3.1 8B (TP1) and 70B (TP2) FP8 H100
    columns.

    Least squares on the log errors of the cells' output throughput; the decode-attention
    efficiency, the step and kernel overheads and the FP8 GEMM efficiency are the unknowns (times
    in ms and us inside the solver). Returns the values by ``trtllm/h100-sxm/<factor>``.
    """
    from scipy.optimize import least_squares

    from scalewall.validate.serving import is_trtllm_fit_row, predict_trtllm_case

    blk = cases("serving_trtllm")["trtllm_perf_overview"]
    rows = [c for c in blk["cases"] if is_trtllm_fit_row(c)]
    prof = catalog.engine("trtllm")
    scale = np.array([1.0, 1e-3, 1e-6, 1.0])

    def variant(x) -> EngineProfile:
        keys = [k.split("/")[-1] for k in TRTLLM_FIT]
        h100 = prof.accelerators["h100-sxm"].model_copy(update=dict(zip(keys, map(float, x), strict=True)))
        return prof.model_copy(update={"accelerators": {**prof.accelerators, "h100-sxm": h100}})

    def residuals(z):
        p = variant(z * scale)
        return [np.log(predict_trtllm_case(c, p)["tokens_per_s"] / c["output_tokens_per_s"]) for c in rows]

    f = least_squares(
        residuals, [0.5, 1.0, 5.0, 0.6], bounds=([0.02, 0.0, 0.0, 0.1], [1.0, 20.0, 100.0, 1.0])
    )
    return dict(zip(TRTLLM_FIT, map(float, f.x * scale), strict=True))


#: sglang's factors fitted on SGLang's published benchmark (engine/accelerator/factor)
SGLANG_FIT = (
    "sglang/a100-80gb/kv_read_efficiency",
    "sglang/a100-80gb/step_overhead_s",
    "sglang/a100-80gb/kernel_overhead_s",
)


def fit_sglang() -> dict[str, float]:
    """Fit SGLang's factors on its published Llama 3.1 8B one-A100 rows (median ITL at 4 and 8
    requests/s, offline throughput): three figures, three unknowns (decode-attention efficiency,
    step and kernel overheads). Returns the values by ``sglang/a100-80gb/<factor>``; the H100
    entry carries them and is checked on the 70B TP4 rows."""
    from scipy.optimize import least_squares

    from scalewall.validate.serving import is_sglang_fit_row, predict_sglang_case

    blk = cases("serving_sglang")["sglang_v030"]
    rows = [c for c in blk["cases"] if is_sglang_fit_row(c)]
    prof = catalog.engine("sglang")
    scale = np.array([1.0, 1e-3, 1e-6])
    keys = [k.split("/")[-1] for k in SGLANG_FIT]

    def residuals(z):
        vals = dict(zip(keys, map(float, z * scale), strict=True))
        a100 = prof.accelerators["a100-80gb"].model_copy(update=vals)
        p = prof.model_copy(update={"accelerators": {**prof.accelerators, "a100-80gb": a100}})
        out = []
        for c in rows:
            g = predict_sglang_case(c, p)
            out.append(
                np.log(g["itl_ms"] / c["median_itl_ms"])
                if "rps" in c
                else np.log(g["tokens_per_s"] / c["output_tokens_per_s"])
            )
        return out

    f = least_squares(residuals, [0.5, 1.0, 5.0], bounds=([0.02, 0.0, 0.0], [1.0, 20.0, 100.0]))
    return dict(zip(SGLANG_FIT, map(float, f.x * scale), strict=True))


#: vLLM's MI300X factors fitted on a published MI300X table (engine/accelerator/factor)
VLLM_MI300X_FIT = (
    "vllm/mi300x/gemm_efficiency",
    "vllm/mi300x/step_overhead_s",
    "vllm/mi300x/kernel_overhead_s",
)


def fit_vllm_mi300x() -> dict[str, float]:
    """Fit vLLM's MI300X factors (FP8 GEMM efficiency, step and kernel overheads) on the
    fit batches of Oracle's Llama 3.1 405B FP8 table on eight MI300X (output throughput, least
    squares on log errors). Returns the values by ``vllm/mi300x/<factor>``."""
    from scipy.optimize import least_squares

    from scalewall.validate.serving import predict_mi300x_case

    blk = cases("serving_mi300x")["oci_2024_mi300x"]
    rows = [c for c in blk["cases"] if c["batch"] in blk["fit_batches"]]
    prof = catalog.engine("vllm")
    scale = np.array([1.0, 1e-3, 1e-6])
    keys = [k.split("/")[-1] for k in VLLM_MI300X_FIT]

    def residuals(z):
        vals = dict(zip(keys, map(float, z * scale), strict=True))
        mi = prof.accelerators["mi300x"].model_copy(update=vals)
        p = prof.model_copy(update={"accelerators": {**prof.accelerators, "mi300x": mi}})
        return [np.log(predict_mi300x_case(c, p) / c["output_tokens_per_s"]) for c in rows]

    f = least_squares(residuals, [0.3, 1.0, 5.0], bounds=([0.02, 0.0, 0.0], [1.0, 20.0, 100.0]))
    return dict(zip(VLLM_MI300X_FIT, map(float, f.x * scale), strict=True))


# ---- modern training factors (issue 13) ----------------------------------------------------------

#: the calibration factors of the modern-stack step model, fitted on the H100 rows of
#: ``validate/cases/training_modern.yaml`` and checked on its B200 and GB200 rows
MODERN_FACTORS = (
    "fp8-gemm-speedup",
    "grouped-gemm-half-rows",
    "moe-layer-overhead-s",
    "alltoall-dispatcher-copy-bytes",
)
#: the joint grid of the fit: FP8 speedup [-], rows per expert at half efficiency [-], fixed time
#: per MoE layer forward [s], HBM-equivalent bytes per token copy of the all-to-all dispatcher [B]
FP8_SPEEDUP_GRID = tuple(round(1.10 + 0.05 * i, 2) for i in range(7))
MOE_HALF_ROWS_GRID = (64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0)
MOE_OVERHEAD_GRID_S = tuple(
    round(x * 1e-3, 6) for x in (0, 0.25, 0.5, 0.75, 0.875, 1.0, 1.125, 1.25, 1.375, 1.5, 2.0, 2.5)
)
A2A_DISPATCHER_COPY_BYTES_GRID = tuple(
    x * 1e3 for x in (0, 50, 100, 150, 175, 200, 225, 250, 275, 300, 350, 400, 500, 700)
)


def modern_errors(cal: Calibration, *, fit_rows: bool = True, moe: bool | None = None) -> np.ndarray:
    """Relative errors of tokens/s per GPU on the modern set's rows [-].

    ``fit_rows`` picks the H100 (fit) rows, else the B200/GB200 (check) rows; ``moe`` keeps only
    MoE (True) or dense (False) models, ``None`` both.
    """
    import scalewall.performance.step as step
    from scalewall.validate.training import (
        MODERN_FIT_ACCELERATOR,
        MODERN_GROUPS,
        modern_model,
        modern_plan,
        modern_stack,
    )

    allc = cases("training_modern")
    errs = []
    for group in MODERN_GROUPS:
        blk = allc[group]
        for c in blk["cases"]:
            if (c["accelerator"] == MODERN_FIT_ACCELERATOR) != fit_rows:
                continue
            m = modern_model(c, allc)
            if moe is not None and (m.moe is not None) != moe:
                continue
            plan = modern_plan(c)
            r = step.evaluate(
                model_dims(m),
                catalog.accelerator(c["accelerator"]),
                PlanArrays.from_plans([plan]),
                c["seq_len"],
                c["precision"],
                modern_stack(c, blk),
                cal,
            )
            tok_s_gpu = plan.global_batch * c["seq_len"] / float(r["step_time_s"][0]) / plan.devices
            errs.append(tok_s_gpu / c["tokens_per_s_per_gpu"] - 1.0)
    return np.array(errs)


def modern_objective(cal: Calibration) -> float:
    """Mean |ln(predicted / published)| over the modern set's 18 H100 (fit) rows [-]."""
    return float(np.mean(np.abs(np.log1p(modern_errors(cal)))))


def fit_modern_training() -> dict[str, float]:
    """The modern-stack factors, fitted jointly on the H100 rows [each factor's unit].

    Grid search (:data:`FP8_SPEEDUP_GRID` × :data:`MOE_HALF_ROWS_GRID` ×
    :data:`MOE_OVERHEAD_GRID_S` × :data:`A2A_DISPATCHER_COPY_BYTES_GRID`) of
    :func:`modern_objective`, the mean absolute log error of tokens/s per GPU on the 18 DGX-H100
    rows (13 dense FP8; 5 MoE: three dropless on the all-to-all dispatcher, two token-drop) of
    NeMo 24.07, Megatron-Bridge 25.11 and the 25.09 token-drop runs. The log error weighs too fast
    and too slow alike. The B200 and GB200 rows are not seen by the fit; they check it (the
    dispatcher's time per token copy is fitted on the H100 MoE rows and checked on B200's).
    """
    base = Calibration.from_catalog()
    best = min(
        (
            modern_objective(
                base.replace(
                    fp8_gemm_speedup=g,
                    grouped_gemm_half_rows=hr,
                    moe_layer_overhead_s=ov,
                    alltoall_dispatcher_copy_bytes=eta,
                )
            ),
            g,
            hr,
            ov,
            eta,
        )
        for g in FP8_SPEEDUP_GRID
        for hr in MOE_HALF_ROWS_GRID
        for ov in MOE_OVERHEAD_GRID_S
        for eta in A2A_DISPATCHER_COPY_BYTES_GRID
    )
    return dict(zip(MODERN_FACTORS, best[1:], strict=True))


#: grid of the MXFP8 / per-tensor FP8 GEMM throughput ratio [-]
MXFP8_RATIO_GRID = tuple(round(0.85 + 0.01 * i, 2) for i in range(21))


def mxfp8_ratio_objective(cal: Calibration) -> float:
    """Mean |ln(predicted / published)| of the MXFP8 / FP8-CS throughput ratio over the dense
    same-plan pairs (fit rows of ``megatron_bridge_mxfp8_pairs``) [-]."""
    from scalewall.validate.training import mxfp8_pair_ratio

    blk = cases("training_modern")["megatron_bridge_mxfp8_pairs"]
    errs = [
        np.log(mxfp8_pair_ratio(c, blk, cal) / (c["tokens_per_s_per_gpu"] / c["cs_tokens_per_s_per_gpu"]))
        for c in blk["cases"]
        if c["role"] == "fit"
    ]
    return float(np.mean(np.abs(errs)))


def fit_mxfp8_gemm_ratio() -> float:
    """``mxfp8-gemm-ratio`` fitted on Megatron-Bridge's dense same-plan FP8-CS / FP8-MX pairs [-].

    Grid search (:data:`MXFP8_RATIO_GRID`) of :func:`mxfp8_ratio_objective`. Fitting the ratio of
    each pair, not its throughput, leaves out the model's error on the plan itself, which both
    runs of a pair share.
    """
    base = Calibration.from_catalog()
    return min(MXFP8_RATIO_GRID, key=lambda r: mxfp8_ratio_objective(base.replace(mxfp8_gemm_ratio=r)))


#: grids of the attention length law's half-throughput keys [keys]
FLASH_HALF_KEYS_GRID = np.arange(0.0, 401.0)
FLASH_BACKWARD_HALF_KEYS_GRID = np.arange(0.0, 1501.0)


def attention_kernel_curves() -> dict:
    """The FlashAttention-3 paper's H100 kernel curves (``cases/attention_kernels.yaml``), with
    each kernel's throughput as a share of the H100's dense 16-bit peak [-]."""
    blk = cases("attention_kernels")["flashattention3_paper_h100"]
    peak = catalog.accelerator(blk["accelerator"]).peak_tflops["bf16"]
    shares = {
        k: {part: np.asarray(v, dtype=float) / peak for part, v in parts.items()}
        for k, parts in blk["kernels"].items()
    }
    return {**blk, "seq": np.asarray(blk["seq_len"], dtype=float), "shares": shares}


def flash_forward_shape(seq, causal: bool, cal: Calibration) -> np.ndarray:
    """Forward efficiency of a kernel with long-sequence efficiency 1 at ``seq`` tokens [-]:
    the length law of :func:`scalewall.performance.step.flash_attention_rates`."""
    from scalewall.performance.step import flash_attention_rates

    s = np.asarray(seq, dtype=float)
    eta, _ = flash_attention_rates(s / 2.0 if causal else s, s if causal else np.inf, 1.0, cal)
    return np.asarray(eta, dtype=float)


def fit_flash_attention() -> dict[str, Any]:
    """The fused-attention length law fitted on the FlashAttention-3 paper's H100 curves.

    Forward: one ``flash-attention-half-keys`` shared by the fit kernels (cuDNN, FlashAttention-2)
    and a long-sequence efficiency per kernel, on their causal forward curves (least squares on
    log throughput; each kernel's efficiency is then the geometric mean of its ratios). Backward:
    ``flash-attention-backward-ratio`` and ``-backward-half-keys`` on the fit kernels' backward /
    forward ratios (non-causal, the shape the backward figure was measured at).

    Returns
    -------
    dict: ``flash_attention_half_keys``, ``flash_attention_backward_half_keys`` [keys],
    ``flash_attention_backward_ratio`` [-] and ``eta_inf`` per fit kernel [-].
    """
    cur = attention_kernel_curves()
    s, shares, fit = cur["seq"], cur["shares"], cur["fit_kernels"]
    base = Calibration.from_catalog()

    def forward_sse(kh: float) -> tuple[float, dict[str, float]]:
        shape = flash_forward_shape(s, True, base.replace(flash_attention_half_keys=kh))
        sse, etas = 0.0, {}
        for k in fit:
            resid = np.log(shares[k]["forward_causal"] / shape)
            etas[k] = float(np.exp(resid.mean()))
            sse += float(np.sum((resid - resid.mean()) ** 2))
        return sse, etas

    kh = float(min(FLASH_HALF_KEYS_GRID, key=lambda x: forward_sse(float(x))[0]))
    etas = forward_sse(kh)[1]
    from scalewall.performance.step import flash_attention_rates

    measured = np.concatenate([shares[k]["backward"] / shares[k]["forward"] for k in fit])

    def backward_resid(kb: float) -> np.ndarray:
        # the law's backward / forward rate at r_inf = 1, non-causal (as the figure was measured)
        trial = base.replace(
            flash_attention_half_keys=kh,
            flash_attention_backward_half_keys=kb,
            flash_attention_backward_ratio=1.0,
        )
        shape = flash_attention_rates(s, np.inf, 1.0, trial)[1]
        return np.log(measured / np.tile(shape, len(fit)))

    def backward_sse(kb: float) -> float:
        r = backward_resid(kb)
        return float(np.sum((r - r.mean()) ** 2))

    kb = float(min(FLASH_BACKWARD_HALF_KEYS_GRID, key=lambda x: backward_sse(float(x))))
    ratio = float(np.exp(backward_resid(kb).mean()))
    return {
        "flash_attention_half_keys": kh,
        "flash_attention_backward_half_keys": kb,
        "flash_attention_backward_ratio": ratio,
        "eta_inf": etas,
    }
