"""Serving model: latency, throughput, memory and utilisation of continuous-batching inference.

Vectorised over batch sizes (and anything else passed as arrays). One *instance* serves a model on
``tp × pp × ep`` devices with a serving engine (:class:`~scalewall.catalog.engines.EngineProfile`).
In steady state it holds ``B`` requests; a request's context grows from ``P`` to ``P + O`` while it
is in flight, so the time-averaged context of the running batch is ``P + O·(1 + cv²)/2`` (longer
answers stay longer: ``cv`` is the coefficient of variation of the answer length), and every
decode step also prefills the ``B/O`` requests that replace the finished ones.

Paged KV cache and admission: the engine takes ``memory_fraction`` of each device; what the
weights and the runtime reserve leave holds the KV cache *at each request's current length*
(PagedAttention). The engine admits up to ``batch`` (``max_num_seqs``) requests; when their
cache would overflow it pre-empts, so the running batch is ``min(batch, capacity / context)``
and pre-emption starts at ``capacity / context``. A batch an engine runs is never refused.

Model
-----
Kernels by phase on their rooflines: the linear layers take ``max(FLOPs/(peak·η_gemm),
weights/(HBM·η_hbm))`` (weights of the dense layers and of the experts the batch touches);
decode attention takes ``max(FLOPs/(peak·η_flash), KV bytes/(HBM·η_kv))``, with ``η_kv`` the
engine's decode-attention efficiency on that accelerator. Prefill of a request alone (time to
first token) is compute-bound. To the kernels add the engine's time per step outside them
(``step_overhead_s``), a fixed time per kernel (``kernel_overhead_s`` × kernels per layer ×
layers: launch or graph replay, ramp-up and tail of small kernels) and TP all-reduces / EP all-to-alls (small messages: latency + bytes/bandwidth). The median
inter-token latency is a step without a prefill chunk while fewer than half of the steps carry
one (arrivals per step ``B/O`` < ½), else a mixed step. FLOP and HBM utilisation and the share of
the step the device runs kernels (``busy_fraction``), for decode and for prefill, feed
:func:`~scalewall.facility.power.accelerator_power_w` (the facility stage's power model).

References
----------
Kwon et al., "Efficient Memory Management for LLM Serving with PagedAttention", SOSP 2023 (KV cache,
continuous batching); Chung et al., "The ML.ENERGY Benchmark", NeurIPS 2025 D&B (measurements).
"""

from __future__ import annotations

from typing import cast

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.engines import EngineProfile
from scalewall.catalog.loader import get as catalog_get
from scalewall.catalog.schema import Accelerator
from scalewall.units import BYTES_PER_GB, BYTES_PER_TB, FLOPS_PER_TFLOPS
from scalewall.workload.transformer import ModelDims, attention_core_flops, kv_context_tokens

__all__ = [
    "WEIGHT_BYTES",
    "KV_BYTES",
    "serve",
    "kv_bytes_per_token",
    "experts_touched",
    "in_flight_context",
    "engine_factors",
    "latency_percentiles",
]

#: bytes per weight by serving precision (int4 = 4-bit weights, 16-bit activations)
WEIGHT_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int4": 0.5}
#: bytes per KV-cache element by precision (fp8 serving keeps an fp8 KV cache)
KV_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int4": 2.0}
#: precision whose peak the matrix multiplies run at (int4 weights are dequantised to 16 bit)
COMPUTE_PRECISION = {"bf16": "bf16", "fp16": "fp16", "fp8": "fp8", "int4": "bf16"}
KERNELS_PER_LAYER = 6  # QKV, attention, out-proj, FFN in, FFN out, norms/residual (fused)
#: arrivals per step above which the median step carries a prefill chunk (the median of a
#: two-valued step time) [-]
MEDIAN_PREFILL_SHARE = 0.5


def kv_bytes_per_token(d: ModelDims, precision: str) -> float:
    """KV-cache bytes one token occupies across all layers [B] (GQA/MQA: only KV heads; MLA:
    the compressed latent and RoPE key)."""
    return d.L * d.kv_cache_dim * KV_BYTES[precision]


def experts_touched(n_experts: int, top_k: int, tokens):
    """Expected number of distinct experts a batch of ``tokens`` routes to in one layer [-].

    Notes
    -----
    ``E·(1 - (1 - k/E)^T)`` for uniform routing: at small batch only the active experts' weights
    are read, at large batch all of them.
    """
    t = np.asarray(tokens, dtype=float)
    return n_experts * (1.0 - (1.0 - top_k / n_experts) ** t)


def in_flight_context(prompt_tokens, output_tokens, output_cv=1.0):
    """Time-averaged context of the requests in flight [tokens].

    Notes
    -----
    A request of answer length ``O_i`` stays ``O_i`` steps with context rising from ``P`` to
    ``P + O_i``; averaging over request-steps gives ``P + E[O²]/(2·E[O]) = P + O·(1 + cv²)/2``
    (``cv = 0``: every answer the same length, ``P + O/2``; ``cv = 1``: exponential lengths,
    ``P + O``).
    """
    cv = np.asarray(output_cv, dtype=float)
    return (
        np.asarray(prompt_tokens, dtype=float) + np.asarray(output_tokens, dtype=float) * (1.0 + cv**2) / 2.0
    )


def engine_factors(profile: EngineProfile, accelerator_id: str, cal: Calibration) -> dict[str, float]:
    """The serving factors of an engine on an accelerator: ``kv_read_efficiency`` [-],
    ``step_overhead_s`` [s], ``kernel_overhead_s`` [s] and ``gemm_efficiency`` [-]; each factor the
    profile does not give for it is the calibration's reference (vLLM on H100; training GEMMs)."""
    f = profile.factors(accelerator_id)
    ref = {
        "kv_read_efficiency": cal.kv_read_efficiency,
        "step_overhead_s": cal.serving_step_overhead_s,
        "kernel_overhead_s": cal.serving_kernel_overhead_s,
        "gemm_efficiency": cal.gemm_efficiency,
    }
    if f is None:
        return ref
    return {k: (v if getattr(f, k) is None else float(getattr(f, k))) for k, v in ref.items()}


def serve(
    d: ModelDims,
    acc: Accelerator,
    *,
    tp: int,
    pp: int,
    ep: int,
    batch,
    prompt_tokens: float,
    output_tokens: float,
    precision: str,
    cal: Calibration | None = None,
    engine: EngineProfile | None = None,
    output_cv: float = 1.0,
) -> dict[str, np.ndarray]:
    """Steady-state serving metrics of one instance for every admission cap in ``batch``.

    Parameters
    ----------
    d : model sizes (:class:`~scalewall.workload.transformer.ModelDims`)
    acc : accelerator (peaks [TFLOP/s], HBM [TB/s], memory [GB])
    tp, pp, ep : tensor-, pipeline- and expert-parallel sizes of one instance [-]
    batch : the engine's admission cap, ``max_num_seqs`` (array) [-]
    prompt_tokens, output_tokens : mean per request [tokens]
    precision : bf16 | fp8 | int4 (weights; fp8 also stores the KV cache in fp8)
    cal : efficiency factors (GEMM, HBM, FlashAttention, reference KV read and step overhead,
        latencies, runtime reserve); ``None`` uses the catalogue's
    engine : serving-engine profile; ``None`` uses the catalogue's ``vllm``
    output_cv : coefficient of variation of the answer length [-] (1: exponential lengths)

    Returns
    -------
    dict of arrays: ``running_batch`` (requests the engine holds after pre-emption) [-],
    ``preemption_batch`` (largest cap that runs without pre-emption) [-],
    ``kv_capacity_tokens`` (instance) [tokens], ``kv_cache_utilisation`` [-], ``ttft_s``,
    ``prefill_s``, ``itl_s`` (median inter-token latency), ``step_s`` (average step, with the
    prefill share), ``tokens_per_s`` (output, whole instance), ``memory_per_device_gb``,
    ``weights_per_device_gb``, ``kv_cache_gb`` (whole instance, in use), ``compute_s``,
    ``memory_s``, ``overhead_s``, ``comm_s`` [s], ``flop_utilisation``, ``hbm_utilisation`` and
    ``busy_fraction`` (per device, averaged over steps) and the same three for the ``decode_``
    and ``prefill_`` phases [-], ``bound`` (0 memory, 1 compute), ``context_tokens`` (in flight)
    [tokens]; for :func:`latency_percentiles`: ``decode_step_s`` [s], ``arrivals_per_step`` [-],
    ``prefill_s_per_token`` [s], ``prefill_s_per_token2`` [s] and ``prefill_floor_s`` [s].
    """
    cal = cal or Calibration.from_catalog()
    profile = engine if engine is not None else cast(EngineProfile, catalog_get("engines", "vllm"))
    ef = engine_factors(profile, acc.id, cal)
    eta_kv, t_step0, t_kernel = ef["kv_read_efficiency"], ef["step_overhead_s"], ef["kernel_overhead_s"]
    eta_gemm = ef["gemm_efficiency"]
    eta_hbm = cal.hbm_efficiency
    eta_flash = cal.flash_attention_efficiency
    a_ar = cal.small_collective_latency_s
    eta_up = cal.scale_up_efficiency
    eta_out = cal.scale_out_efficiency

    B_cap = np.asarray(batch, dtype=float)
    P, O = float(prompt_tokens), float(output_tokens)  # noqa: E741 (O = output tokens, as in the docs)
    n = tp * pp * ep
    peak = acc.peak_tflops[COMPUTE_PRECISION[precision]] * FLOPS_PER_TFLOPS
    # catalogue accelerators all have bf16 or fp16 (a file with neither fails here, as before)
    peak16 = cast(float, acc.peak_tflops.get("bf16", acc.peak_tflops.get("fp16"))) * FLOPS_PER_TFLOPS
    hbm_peak = acc.memory_bandwidth_tb_s * BYTES_PER_TB
    hbm = hbm_peak * eta_hbm
    wb = WEIGHT_BYTES[precision]

    # ---- weights per device (dense layers and the experts held) ----------------------------------
    dense_w = (d.dense_params_layer * d.L + d.embedding_params / (1 + d.untied)) * wb / (tp * pp)
    expert_held = d.expert_params_layer * d.L * wb / (tp * pp * ep) if d.n_experts > 1 else 0.0
    weights_dev = dense_w + expert_held
    reserve = cal.runtime_reserved_gb * BYTES_PER_GB

    # ---- paged KV cache: capacity, admission and pre-emption -------------------------------------
    # KV heads split over TP up to their number (beyond it they are replicated); MLA's latent is
    # replicated on every TP rank
    tp_kv = 1 if d.kv_cache_dim != 2 * d.k_dim else min(tp, d.kv)
    kv_tok = kv_bytes_per_token(d, precision)
    kv_tok_dev = kv_tok / (tp_kv * pp)  # bytes one token of context occupies on a device
    mem = acc.memory_gb * BYTES_PER_GB
    if profile.memory_fraction_of == "device":
        kv_free_dev = max(0.0, profile.memory_fraction * mem - weights_dev - reserve)
    else:
        kv_free_dev = profile.memory_fraction * max(0.0, mem - weights_dev - reserve)
    capacity = kv_free_dev / kv_tok_dev  # tokens of context the instance holds
    ctx = float(in_flight_context(P, O, output_cv))
    # a paged cache holds each request at its current length; a no-evict scheduler reserves each
    # request's full length, prompt + answer (time-averaged: P + O·(1 + cv²))
    held = ctx if profile.admission == "current" else float(in_flight_context(P, 2.0 * O, output_cv))
    # windowed-attention layers keep only their window of K/V
    preempt_at = np.floor(capacity / kv_context_tokens(d, held)) + np.zeros_like(B_cap)
    B = np.minimum(B_cap, preempt_at)
    Bw = np.maximum(B, 1e-9)  # a running batch of 0 (nothing fits) keeps the arithmetic finite

    # ---- work of one step: B decode tokens (+ prefill of the B/O requests that arrive) ---------
    arrivals = Bw / O
    prefill_tok = arrivals * P
    tokens = Bw + prefill_tok
    lin_params = d.attn_params_layer + d.ffn_params_active_layer  # matrices a token passes
    lin_dec = 2.0 * Bw * (lin_params * d.L + d.h * d.V) / n  # + logits of the decode tokens
    lin_pf = 2.0 * prefill_tok * lin_params * d.L / n
    att_dec = d.L * attention_core_flops(d, Bw, 1.0, ctx) / n
    att_pf = d.L * attention_core_flops(d, arrivals, P, P, causal=True) / n

    # ---- bytes per device: weights (+ the experts the batch touches) and the KV cache ---------------
    if d.n_experts > 1:
        per_expert = d.expert_params_layer * d.L / d.n_experts  # one expert in every layer
        expert_read = experts_touched(d.n_experts, d.top_k, tokens) * per_expert * wb / (tp * pp * ep)
    else:
        expert_read = np.zeros_like(Bw)
    kv_read = Bw * kv_context_tokens(d, ctx) * kv_tok_dev

    # ---- kernel classes run one after another, each on its own roofline -------------------------------
    w_s = (dense_w + expert_read) / hbm
    kv_s = kv_read / (hbm_peak * eta_kv)
    lin_c_dec, lin_c_all = lin_dec / (peak * eta_gemm), (lin_dec + lin_pf) / (peak * eta_gemm)
    att_c_dec, att_c_all = att_dec / (peak16 * eta_flash), (att_dec + att_pf) / (peak16 * eta_flash)
    lin_s_dec, lin_s_all = np.maximum(lin_c_dec, w_s), np.maximum(lin_c_all, w_s)
    att_s_dec, att_s_all = np.maximum(att_c_dec, kv_s), np.maximum(att_c_all, kv_s)

    # ---- overheads and communication -----------------------------------------------------------
    overhead_s = t_step0 + (d.L / pp) * KERNELS_PER_LAYER * t_kernel + np.zeros_like(Bw)
    bw_up = acc.scale_up.bandwidth_gb_s * BYTES_PER_GB * eta_up
    msg = 2.0 * tokens * d.h  # 16-bit activations of the step
    ar = np.where(tp > 1, a_ar + 2.0 * (tp - 1) / tp * msg / bw_up, 0.0)
    # expert parallelism beyond the scale-up domain crosses the scale-out network
    bw_ep = bw_up if tp * ep <= acc.scale_up.domain else acc.scale_out.bandwidth_gb_s * BYTES_PER_GB * eta_out
    a2a = np.where(ep > 1, a_ar + (ep - 1) / ep * msg * d.top_k / bw_ep, 0.0)
    comm_s = d.L / pp * (2.0 * ar + 2.0 * a2a * d.moe_layer_share) + (pp - 1) * (a_ar + msg / bw_up)

    # the median step carries a prefill chunk once at least half of the steps do; the average
    # step (with the prefill share) sets throughput and energy
    busy_dec, busy_all = lin_s_dec + att_s_dec, lin_s_all + att_s_all
    dec_s = busy_dec + overhead_s + comm_s
    step_s = busy_all + overhead_s + comm_s
    mixed_median = profile.chunked_prefill & (arrivals >= MEDIAN_PREFILL_SHARE)
    itl_s = np.where(mixed_median, step_s, dec_s)
    compute_s = np.where(lin_c_all >= w_s, lin_s_all, 0.0) + np.where(att_c_all >= kv_s, att_s_all, 0.0)
    memory_s = np.where(lin_c_all < w_s, lin_s_all, 0.0) + np.where(att_c_all < kv_s, att_s_all, 0.0)
    bound = (compute_s > memory_s).astype(int)

    # ---- prefill of one request alone (time to first token): compute-bound GEMMs ---------------
    one_pf = (2.0 * P * lin_params * d.L + d.L * attention_core_flops(d, 1.0, P, P, causal=True)) / n
    pf_kernels = np.maximum(one_pf / (peak * eta_gemm), weights_dev / hbm)
    prefill_s = pf_kernels + overhead_s + comm_s
    ttft_s = prefill_s + itl_s

    # ---- memory per device: weights + the KV cache in use + reserve ------------------------------------
    kv_used_dev = (
        Bw * kv_context_tokens(d, held) * kv_tok_dev * (B > 0)
    )  # what the engine holds (reserves, if no-evict)
    mem_dev = weights_dev + kv_used_dev + reserve

    # ---- utilisation by phase (for the facility's power model) ---------------------------------
    flops_all = lin_dec + lin_pf + (att_dec + att_pf) * peak / peak16  # in units of `peak`
    flops_dec = lin_dec + att_dec * peak / peak16
    bytes_dev = dense_w + expert_read + kv_read

    return {
        "running_batch": B,
        "preemption_batch": preempt_at,
        "kv_capacity_tokens": np.full_like(Bw, capacity),
        "kv_cache_utilisation": B * kv_context_tokens(d, held) / max(capacity, 1e-9),
        "context_tokens": np.full_like(Bw, ctx),
        "itl_s": itl_s,
        "step_s": step_s,
        "ttft_s": ttft_s,
        "prefill_s": prefill_s,
        "tokens_per_s": B / step_s,
        "memory_per_device_gb": mem_dev / BYTES_PER_GB,
        "weights_per_device_gb": np.full_like(Bw, weights_dev / BYTES_PER_GB),
        "kv_cache_gb": kv_used_dev * (tp_kv * pp) / BYTES_PER_GB,
        "kv_bytes_per_token": np.full_like(Bw, kv_tok),
        "compute_s": compute_s,
        "memory_s": memory_s,
        "overhead_s": overhead_s,
        "comm_s": comm_s,
        "bound": bound,
        "compute_share": compute_s / step_s,
        "memory_share": memory_s / step_s,
        "flop_utilisation": flops_all / (step_s * peak),
        "hbm_utilisation": bytes_dev / (step_s * hbm_peak),
        "busy_fraction": busy_all / step_s,
        "decode_flop_utilisation": flops_dec / (dec_s * peak),
        "decode_hbm_utilisation": (dense_w + expert_read + kv_read) / (dec_s * hbm_peak),
        "decode_busy_fraction": busy_dec / dec_s,
        "prefill_flop_utilisation": one_pf / (prefill_s * peak),
        "prefill_hbm_utilisation": weights_dev / (prefill_s * hbm_peak),
        "prefill_busy_fraction": pf_kernels / prefill_s,
        # coefficients of a prefill of x tokens, for latency percentiles (latency_percentiles)
        "prefill_s_per_token": np.full_like(Bw, 2.0 * lin_params * d.L / n / (peak * eta_gemm)),
        # quadratic term of the full-attention layers (windowed layers' P·w term is neglected)
        "prefill_s_per_token2": np.full_like(
            Bw, (1.0 - d.window_share) * d.L * (d.qk_dim + d.v_dim) / n / (peak * eta_gemm)
        ),
        "prefill_floor_s": np.full_like(Bw, weights_dev / hbm),
        "decode_step_s": dec_s,
        "arrivals_per_step": arrivals,
    }


def _lognormal_quantile(q, mean, cv):
    """Quantile ``q`` of a log-normal of given mean and coefficient of variation (0: the mean)."""
    from scipy.stats import norm

    cv = np.asarray(cv, dtype=float)
    sigma = np.sqrt(np.log1p(cv**2))
    mu = np.log(np.asarray(mean, dtype=float)) - sigma**2 / 2.0
    return np.exp(mu + sigma * norm.ppf(q))


def latency_percentiles(
    r: dict[str, np.ndarray], prompt_tokens: float, prompt_cv: float, quantiles=(0.5, 0.9, 0.99)
):
    """TTFT and ITL percentiles of a steady state from :func:`serve` [s].

    Parameters
    ----------
    r : one configuration's result of :func:`serve` (arrays of length 1, or scalars)
    prompt_tokens : mean prompt length [tokens]
    prompt_cv : coefficient of variation of the prompt length [-] (0: every prompt the same)
    quantiles : the percentiles wanted [-]

    Returns
    -------
    ``{"ttft_s": {q: s}, "itl_s": {q: s}}``.

    Notes
    -----
    Prompt lengths are log-normal with the given mean and spread. TTFT at quantile q is the
    prefill of the q-quantile prompt alone plus one step (no queueing). A step decodes the batch
    and prefills the prompts that arrived: their number is Poisson with mean ``a = B/O`` per
    step, so a share ``e^-a`` of steps carry none; the prefill tokens of the others are taken
    log-normal with the compound-Poisson mean ``a·P/(1 - e^-a)`` and second moment
    ``(a·P²(1 + cv²) + (a·P)²)/(1 - e^-a)``. ITL at quantile q is the decode step plus the prefill
    of that many tokens. (The median ITL of :func:`serve` uses the simpler two-valued step.)
    """
    g = {k: float(np.asarray(v).ravel()[0]) for k, v in r.items()}
    lin, att, floor = g["prefill_s_per_token"], g["prefill_s_per_token2"], g["prefill_floor_s"]
    extra = g["overhead_s"] + g["comm_s"]

    def prefill(x):
        x = np.asarray(x, dtype=float)
        return np.maximum(lin * x + att * x * x / 2.0, floor) + extra

    a, P = g["arrivals_per_step"], float(prompt_tokens)
    p0 = float(np.exp(-a))
    mean_c = a * P / (1.0 - p0)
    m2_c = (a * P * P * (1.0 + prompt_cv**2) + (a * P) ** 2) / (1.0 - p0)
    cv_c = float(np.sqrt(max(m2_c / mean_c**2 - 1.0, 0.0)))
    out: dict[str, dict[float, float]] = {"ttft_s": {}, "itl_s": {}}
    for q in quantiles:
        p_q = float(_lognormal_quantile(q, P, prompt_cv)) if prompt_cv > 0 else P
        out["ttft_s"][q] = float(prefill(p_q)) + g["itl_s"]
        if q <= p0:
            out["itl_s"][q] = g["decode_step_s"]
        else:
            x = float(_lognormal_quantile((q - p0) / (1.0 - p0), mean_c, cv_c))
            out["itl_s"][q] = g["decode_step_s"] + lin * x + att * x * P / 2.0
    return out
