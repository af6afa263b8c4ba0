"""Serving model: latency, throughput, memory and utilisation of continuous-batching inference.

Vectorised over batch sizes (and anything else passed as arrays). One *instance* serves a model on
``tp × pp × ep`` devices; in steady state it holds ``B`` requests, each at a uniformly random point
of its answer, so the average context is ``P + O/2`` and every decode step also prefills the
``B/O`` requests that replace the finished ones (chunked prefill in the same step).

Model
-----
Step time = ``max(FLOPs/(peak·η_gemm), bytes/(HBM·η_hbm))`` over the mixed decode+prefill batch
(weights of the dense layers, the experts the batch touches, and the KV cache read once per step)
+ a fixed serving-engine overhead per step + a per-layer kernel overhead + TP all-reduces and EP
all-to-alls (small messages: latency + bytes/bandwidth). The FLOP and HBM utilisation it returns
feed :func:`~scalewall.facility.power.accelerator_power_w` (the facility stage's power model).

References
----------
Kwon et al., "Efficient Memory Management for LLM Serving with PagedAttention", SOSP 2023 (KV cache,
continuous batching); Chung et al., "The ML.ENERGY Benchmark", NeurIPS 2025 D&B (measurements).
"""

from __future__ import annotations

from typing import cast

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator
from scalewall.units import BYTES_PER_GB, BYTES_PER_TB, FLOPS_PER_TFLOPS
from scalewall.workload.transformer import ModelDims

__all__ = ["WEIGHT_BYTES", "KV_BYTES", "serve", "kv_bytes_per_token", "experts_touched"]

#: bytes per weight by serving precision (int4 = 4-bit weights, 16-bit activations)
WEIGHT_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int4": 0.5}
#: bytes per KV-cache element by precision (fp8 serving keeps an fp8 KV cache)
KV_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int4": 2.0}
#: precision whose peak the matrix multiplies run at (int4 weights are dequantised to 16 bit)
COMPUTE_PRECISION = {"bf16": "bf16", "fp16": "fp16", "fp8": "fp8", "int4": "bf16"}
KERNELS_PER_LAYER = 6  # QKV, attention, out-proj, FFN in, FFN out, norms/residual (fused)


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
) -> dict[str, np.ndarray]:
    """Steady-state serving metrics of one instance for every batch size in ``batch``.

    Parameters
    ----------
    d : model sizes
    acc : accelerator
    tp, pp, ep : tensor-, pipeline- and expert-parallel sizes of one instance [-]
    batch : concurrent requests (array) [-]
    prompt_tokens, output_tokens : per request [tokens]
    precision : bf16 | fp8 | int4 (weights; fp8 also stores the KV cache in fp8)
    cal : efficiency factors (GEMM, HBM, FlashAttention, KV read, serving overhead, latencies,
        runtime reserve); ``None`` uses the catalogue's

    Returns
    -------
    dict of arrays: ``ttft_s``, ``prefill_s``,
    ``itl_s`` (inter-token latency: a step without prefill), ``step_s`` (average step,
    with the prefill share), ``tokens_per_s`` (output, whole instance), ``memory_per_device_gb``, ``weights_per_device_gb``,
    ``kv_cache_gb`` (whole instance), ``compute_s``, ``memory_s``, ``overhead_s``, ``comm_s``,
    ``flop_utilisation`` and ``hbm_utilisation`` (per device), ``bound`` (0 memory, 1 compute).
    """
    cal = cal or Calibration.from_catalog()
    eta_gemm = cal.gemm_efficiency
    eta_hbm = cal.hbm_efficiency
    eta_flash = cal.flash_attention_efficiency
    t_kernel = cal.kernel_overhead_s
    t_step0 = cal.serving_step_overhead_s
    a_ar = cal.small_collective_latency_s
    eta_up = cal.scale_up_efficiency
    eta_kv = cal.kv_read_efficiency

    B = np.asarray(batch, dtype=float)
    P, O = float(prompt_tokens), float(output_tokens)  # noqa: E741 (O = output tokens, as in the docs)
    n = tp * pp * ep
    peak = acc.peak_tflops[COMPUTE_PRECISION[precision]] * FLOPS_PER_TFLOPS
    # catalogue accelerators all have bf16 or fp16 (a file with neither fails here, as before)
    peak16 = cast(float, acc.peak_tflops.get("bf16", acc.peak_tflops.get("fp16"))) * FLOPS_PER_TFLOPS
    hbm_peak = acc.memory_bandwidth_tb_s * BYTES_PER_TB
    hbm = hbm_peak * eta_hbm
    wb = WEIGHT_BYTES[precision]

    # ---- work of one step: B decode tokens (+ prefill of the B/O requests that arrive) ---------
    ctx = P + O / 2.0  # average context of the requests in flight [tokens]
    prefill_tok = B * P / O
    tokens = B + prefill_tok
    lin_params = d.attn_params_layer + d.ffn_params_active_layer  # matrices a token passes
    lin_dec = 2.0 * B * (lin_params * d.L + d.h * d.V) / n  # + logits of the decode tokens
    lin_pf = 2.0 * prefill_tok * lin_params * d.L / n
    att_dec = d.L * 2.0 * B * ctx * (d.qk_dim + d.v_dim) / n
    att_pf = d.L * (B / O) * P * P * (d.qk_dim + d.v_dim) / n  # causal: half of 2·P²

    # ---- bytes per device: weights (+ the experts the batch touches) and the KV cache ---------------
    dense_w = (d.dense_params_layer * d.L + d.embedding_params / (1 + d.untied)) * wb / (tp * pp)
    if d.n_experts > 1:
        per_expert = d.expert_params_layer * d.L / d.n_experts  # one expert in every layer
        expert_read = experts_touched(d.n_experts, d.top_k, tokens) * per_expert * wb / (tp * pp * ep)
        expert_held = d.expert_params_layer * d.L * wb / (tp * pp * ep)
    else:
        expert_read = np.zeros_like(B)
        expert_held = 0.0
    # KV heads split over TP up to their number (beyond it they are replicated); MLA's latent is
    # replicated on every TP rank
    tp_kv = 1 if d.kv_cache_dim != 2 * d.k_dim else min(tp, d.kv)
    kv_tok = kv_bytes_per_token(d, precision)
    kv_read = B * ctx * kv_tok / (tp_kv * pp)

    # ---- kernel classes run one after another, each on its own roofline -------------------------------
    w_s = (dense_w + expert_read) / hbm
    kv_s = kv_read / (hbm_peak * eta_kv)
    lin_c_dec, lin_c_all = lin_dec / (peak * eta_gemm), (lin_dec + lin_pf) / (peak * eta_gemm)
    att_c_dec, att_c_all = att_dec / (peak16 * eta_flash), (att_dec + att_pf) / (peak16 * eta_flash)
    lin_s_dec, lin_s_all = np.maximum(lin_c_dec, w_s), np.maximum(lin_c_all, w_s)
    att_s_dec, att_s_all = np.maximum(att_c_dec, kv_s), np.maximum(att_c_all, kv_s)

    # ---- overheads and communication -----------------------------------------------------------
    overhead_s = t_step0 + (d.L / pp) * KERNELS_PER_LAYER * t_kernel + np.zeros_like(B)
    bw_up = acc.scale_up.bandwidth_gb_s * BYTES_PER_GB * eta_up
    msg = 2.0 * tokens * d.h  # 16-bit activations of the step
    ar = np.where(tp > 1, a_ar + 2.0 * (tp - 1) / tp * msg / bw_up, 0.0)
    a2a = np.where(ep > 1, a_ar + (ep - 1) / ep * msg * d.top_k / bw_up, 0.0)
    comm_s = d.L / pp * (2.0 * ar + 2.0 * a2a * d.moe_layer_share) + (pp - 1) * (a_ar + msg / bw_up)

    # a step without a prefill chunk sets the inter-token latency; the average step (with the
    # prefill share) sets throughput and energy
    itl_s = lin_s_dec + att_s_dec + overhead_s + comm_s
    step_s = lin_s_all + att_s_all + overhead_s + comm_s
    compute_s = np.where(lin_c_all >= w_s, lin_s_all, 0.0) + np.where(att_c_all >= kv_s, att_s_all, 0.0)
    memory_s = np.where(lin_c_all < w_s, lin_s_all, 0.0) + np.where(att_c_all < kv_s, att_s_all, 0.0)
    bound = (compute_s > memory_s).astype(int)

    # ---- prefill of one request alone (time to first token) ---------------------------------------
    one_pf = (2.0 * P * lin_params * d.L + d.L * P * P * (d.qk_dim + d.v_dim)) / n
    prefill_s = np.maximum(one_pf / (peak * eta_gemm), (dense_w + expert_held) / hbm)
    prefill_s = prefill_s + overhead_s + comm_s
    ttft_s = prefill_s + itl_s

    # ---- memory per device ------------------------------------------------------------------------
    weights_dev = dense_w + expert_held
    kv_instance = B * (P + O) * kv_tok  # every request's full context reserved (worst case)
    kv_dev = kv_instance / (tp_kv * pp) * (tp_kv * pp) / n
    reserve = cal.runtime_reserved_gb * BYTES_PER_GB
    mem_dev = weights_dev + kv_dev + reserve

    # ---- utilisation (for the facility's power model) ------------------------------------------
    fc = compute_s / step_s
    fm = memory_s / step_s
    flops_dev = lin_dec + lin_pf + (att_dec + att_pf) * peak / peak16  # in units of `peak`
    bytes_dev = dense_w + expert_read + kv_read
    u_flop = flops_dev / (step_s * peak)
    u_hbm = bytes_dev / (step_s * hbm_peak)

    return {
        "itl_s": itl_s,
        "step_s": step_s,
        "ttft_s": ttft_s,
        "prefill_s": prefill_s,
        "tokens_per_s": B / step_s,
        "memory_per_device_gb": mem_dev / BYTES_PER_GB,
        "weights_per_device_gb": np.full_like(B, weights_dev / BYTES_PER_GB),
        "kv_cache_gb": kv_instance / BYTES_PER_GB,
        "kv_bytes_per_token": np.full_like(B, kv_tok),
        "compute_s": compute_s,
        "memory_s": memory_s,
        "overhead_s": overhead_s,
        "comm_s": comm_s,
        "bound": bound,
        "compute_share": fc,
        "memory_share": fm,
        "flop_utilisation": u_flop,
        "hbm_utilisation": u_hbm,
    }
