"""Training step time and memory per device, vectorised over parallel plans.

One call of :func:`evaluate` computes, for every plan in a :class:`PlanArrays`, the step time as a
sum of explained parts, the FLOPs, and the memory each device needs. The planner calls it with
thousands of plans; ``scalewall train`` with one.

Model
-----
Per micro-batch and pipeline stage, forward and backward times are the sum over the stage's layers
of: matrix multiplies on a roofline (``max(FLOPs / (peak·η_gemm), bytes / (bw·η_hbm))`` plus a
fixed per-kernel time), the attention core (FlashAttention at ``η_flash``, or unfused batched
GEMMs and softmax on the roofline), element-wise kernels on HBM bandwidth, and the tensor-, context-
and expert-parallel collectives on the network they cross (α-β ring model). The pipeline runs
``m + (p-1)/v`` micro-batch slots at the pace of its slowest (last) stage (Narayanan 2021, Sec. 2.2);
point-to-point sends, exposed data-parallel gradient reduction and the optimizer update follow.

Memory is weights + gradients + Adam state (16 B/param, Rajbhandari 2020 Sec. 3.1) sharded by ZeRO
stage, plus activations (Korthikanti 2022 Sec. 4) times the micro-batches in flight on the first
stage, plus the runtime reserve.
"""

from __future__ import annotations

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator
from scalewall.performance.collectives import (
    all_gather_s,
    all_reduce_s,
    hierarchical_all_gather_s,
    hierarchical_all_reduce_s,
    p2p_s,
)
from scalewall.performance.plan import PlanArrays, Stack
from scalewall.units import BYTES_PER_GB, BYTES_PER_TB, FLOPS_PER_TFLOPS
from scalewall.workload.transformer import (
    ModelDims,
    attention_core_flops,
    layer_activation_bytes,
    layer_elementwise_bytes,
    layer_linear_flops,
    logits_flops,
    model_flops_per_token,
    routed_expert_flops,
)

__all__ = [
    "evaluate",
    "memory",
    "gemm_efficiency",
    "flash_attention_rates",
    "BREAKDOWN_PARTS",
    "ACT_BYTES",
    "STATE_BYTES_PER_PARAM",
]

#: bytes of a 16-bit activation or weight
ACT_BYTES = 2.0
#: GEMM precisions that run FP8 tensor-core GEMMs: per-tensor scaled (``fp8``) and block-scaled
#: MXFP8 (``mxfp8``: 32-element blocks along the reduction dimension, one E8M0 scale byte each;
#: OCP Microscaling Formats specification v1.0, 2023)
FP8_PRECISIONS = ("fp8", "mxfp8")
#: elements per MX scaling block [-] and bytes per scale (E8M0) [B] (OCP MX v1.0, Sec. 5)
MX_BLOCK = 32
MX_SCALE_BYTES = 1.0

#: keys per block of a fused attention kernel's inner loop: FlashAttention-2/3 and cuDNN tile
#: head-dim-128 attention in 128-key blocks; causal kernels compute the diagonal blocks in full
#: (Dao 2023, FlashAttention-2, Sec. 3.1) [keys]
FLASH_KEY_BLOCK = 128.0

#: ZeRO accounting of mixed-precision Adam: 2 (bf16 weights) + 2 (grads) + 12 (fp32 master, m, v)
STATE_BYTES_PER_PARAM = {"weights": 2.0, "grads": 2.0, "optimizer": 12.0}

#: HBM traffic of one Adam step per locally owned parameter: read and write the 12 B of fp32
#: state, read the 2 B gradient, write the 2 B weight copy [B]
OPTIMIZER_BYTES_PER_PARAM = 2 * 12.0 + 2.0 + 2.0

#: names of the step-time parts, in the order they are reported [s]
BREAKDOWN_PARTS = (
    "compute",
    "recompute",
    "tp_comm",
    "cp_comm",
    "ep_comm",
    "pp_bubble",
    "pp_p2p",
    "dp_comm",
    "optimizer",
)


def gemm_efficiency(acc: Accelerator, cal: Calibration) -> float:
    """Achieved / peak throughput of large dense 16-bit GEMMs in training on ``acc`` [-].

    ``gemm-efficiency`` was fitted on A100; an accelerator with a measured matmul ceiling
    (``matmul_efficiency_bf16``, MAMF) reaches the same share of it as the A100 did of its own
    (``gemm-reference-matmul-efficiency``), so an H100 whose cuBLAS reaches 80 % of peak rather
    than the A100's 86 % trains at 0.77 · 0.801 / 0.859. Without a measured figure, the A100 fit.
    """
    if acc.matmul_efficiency_bf16 is None:
        return cal.gemm_efficiency
    return cal.gemm_efficiency * acc.matmul_efficiency_bf16 / cal.gemm_reference_matmul_efficiency


def flash_attention_rates(keys_per_call, mask_span, eta_inf: float, cal: Calibration):
    """Forward efficiency and backward / forward rate of fused attention by sequence length [-].

    Parameters
    ----------
    keys_per_call : keys each query attends in one kernel call (half the sequence when causal,
        the window in a sliding-window layer, one K/V chunk per step of ring context
        parallelism) [keys].
    mask_span : keys the mask spans: the sequence for a causal layer, the window for a windowed
        one [keys]. The blocks its edges cut are computed in full and part masked: one per
        ``span / 128`` blocks.
    eta_inf : the kernel family's long-sequence forward efficiency (share of 16-bit peak) [-].
    cal : calibration (``flash-attention-*``).

    Returns
    -------
    (eta_forward, backward_ratio) : forward achieved / peak on the executed (causal) FLOPs, and
    backward's throughput per FLOP over forward's [-].

    Notes
    -----
    Each query tile pays a fixed cost (load Q, final rescale, write O) worth ``k½`` keys of its
    main loop: ``η = η∞·k / (k + k½) / (1 + B_k / span)`` with key blocks of ``B_k`` =
    :data:`FLASH_KEY_BLOCK`; backward's fixed cost is larger, ``r = r∞·(k + k½) / (k + k½_bwd)``.
    Fitted on the FlashAttention-3 paper's H100 curves
    (:func:`scalewall.validate.calibrate.fit_flash_attention`).
    """
    k = np.asarray(keys_per_call, dtype=float)
    edge_waste = 1.0 + FLASH_KEY_BLOCK / np.asarray(mask_span, dtype=float)
    eta = eta_inf * k / (k + cal.flash_attention_half_keys) / edge_waste
    ratio = (
        cal.flash_attention_backward_ratio
        * (k + cal.flash_attention_half_keys)
        / (k + cal.flash_attention_backward_half_keys)
    )
    return eta, ratio


def _peak_flops(acc: Accelerator, precision: str) -> float:
    """Dense peak of the precision GEMMs run in [FLOP/s]."""
    return acc.peak_tflops[precision] * FLOPS_PER_TFLOPS


def _sizes(P: PlanArrays, seq_len: int):
    """The plan's columns as float arrays, plus derived sizes.

    Returns tp, pp, dp, cp, ep, micro-batch, global batch, interleave, recompute code, sequence
    parallel flag, ZeRO stage, sequence length, its per-device shard ``s/cp``, tokens per
    micro-batch on a device ``T = b·s/cp`` and micro-batches per replica ``m = B/(dp·ep·b)``.
    """
    f = lambda x: np.asarray(x, dtype=float)  # noqa: E731
    t, p, dp, c, e = f(P.tp), f(P.pp), f(P.dp), f(P.cp), f(P.ep)
    b, B, v = f(P.micro_batch), f(P.global_batch), f(P.interleave)
    s = float(seq_len)
    s_c = s / c
    return (
        t,
        p,
        dp,
        c,
        e,
        b,
        B,
        v,
        P.recompute,
        P.sequence_parallel,
        P.zero,
        s,
        s_c,
        b * s_c,
        B / (dp * e * b),
    )


def _stage_params(d: ModelDims, t, p, v, e):
    """Parameters on a device of the first (largest) stage: dense and expert [params]."""
    Lps = np.ceil(d.L / (p * v)) * v
    emb_dev = np.where(p > 1, d.embedding_params / (1 + d.untied) / t, d.embedding_params / t)
    dense_dev = Lps * d.dense_params_layer / t + emb_dev
    expert_dev = Lps * d.expert_params_layer / (t * e)
    return Lps, dense_dev, expert_dev


def memory(
    d: ModelDims,
    acc: Accelerator,
    P: PlanArrays,
    seq_len: int,
    stack: Stack,
    cal: Calibration | None = None,
    precision: str = "bf16",
) -> dict:
    """Memory per device of every plan, and its parts [GB].

    ``precision`` is the GEMM precision: with ``fp8`` or ``mxfp8`` the GEMM inputs kept for
    backward are their FP8 casts (see :func:`~scalewall.workload.transformer.layer_activation_bytes`).

    ``cal`` gives the runtime reserve (``runtime_reserved_gb``); ``None`` uses the catalogue's.

    Notes
    -----
    weights 2 B, gradients 2 B, Adam state 12 B per parameter (Rajbhandari et al. 2020, ZeRO,
    Sec. 3.1), each divided by the data-parallel group from ZeRO stage 3, 2 and 1 on; activations
    from :func:`~scalewall.workload.transformer.layer_activation_bytes` times the micro-batches
    in flight on the first stage; fp32 logits when the whole model is one stage; the runtime
    reserve (``runtime-reserved-gb``).
    """
    t, p, dp, c, e, b, B, v, rc, sp, zero, s, s_c, T, m = _sizes(P, seq_len)
    L = d.L
    Lps, dense_dev, expert_dev = _stage_params(d, t, p, v, e)
    n_dense, n_exp = dp * e * c, dp * c
    g = STATE_BYTES_PER_PARAM["grads"]
    shard_opt = np.where(zero >= 1, n_dense, 1.0)
    shard_w = np.where(zero >= 3, n_dense, 1.0)
    shard_g = np.where(zero >= 2, n_dense, 1.0)
    shard_w_e = np.where(zero >= 3, n_exp, 1.0)
    shard_g_e = np.where(zero >= 2, n_exp, 1.0)
    shard_o_e = np.where(zero >= 1, n_exp, 1.0)
    w_b = STATE_BYTES_PER_PARAM["weights"]
    o_b = STATE_BYTES_PER_PARAM["optimizer"]
    mem_weights = w_b * (dense_dev / shard_w + expert_dev / shard_w_e)
    mem_grads = g * (dense_dev / shard_g + expert_dev / shard_g_e)
    mem_opt = o_b * (dense_dev / shard_opt + expert_dev / shard_o_e)
    mem_gather = np.where(zero >= 3, 2 * w_b * (d.dense_params_layer + d.expert_params_layer / e) / t, 0.0)
    fp8 = precision in FP8_PRECISIONS and stack.fp8_activation_casts
    act_layer = layer_activation_bytes(d, b, s_c, s, t, sp, rc, stack.flash_attention, stack.dropout, fp8)
    # 1F1B keeps min(m, p) micro-batches of L/p layers on the first stage; interleaving adds
    # (1 + (p-1)/(p·v)) (Korthikanti 2022, Sec. 4.2.3)
    interleave_factor = np.where(v > 1, 1 + (p - 1) / (p * v), 1.0)
    inflight = np.where(p > 1, np.minimum(m, p) * interleave_factor / p, 1.0)
    mem_act = act_layer * L * inflight  # = per-layer x (L/p layers) x p micro-batches x factor
    # activation offload (Megatron cpu_offloading_num_layers): that many of the stage's layers keep
    # their activations in host memory, copied out during forward and back before backward
    offload = np.clip(np.asarray(P.offload_layers, dtype=float) / Lps, 0.0, 1.0)
    mem_act = mem_act * (1.0 - offload)
    # recomputing a full layer needs that layer's full activations transiently
    full_act_layer = layer_activation_bytes(
        d, b, s_c, s, t, sp, np.zeros_like(rc), stack.flash_attention, stack.dropout, fp8
    )
    mem_act = mem_act + np.where(rc == 2, full_act_layer, 0.0)
    mem_logits = np.where(p > 1, 0.0, 6.0 * T * d.V / t)  # bf16 logits + fp32 softmax (last stage)
    cal = cal or Calibration.from_catalog()
    reserve = cal.runtime_reserved_gb * BYTES_PER_GB
    mem_total = mem_weights + mem_grads + mem_opt + mem_gather + mem_act + mem_logits + reserve

    return {
        "memory_per_device_gb": mem_total / BYTES_PER_GB,
        "memory_weights_gb": mem_weights / BYTES_PER_GB,
        "memory_grads_gb": mem_grads / BYTES_PER_GB,
        "memory_optimizer_gb": mem_opt / BYTES_PER_GB,
        "memory_activations_gb": (mem_act + mem_logits + mem_gather) / BYTES_PER_GB,
    }


def remote_nodes_per_token(
    ep: np.ndarray, local_ep: np.ndarray, top_k: int, max_nodes: int = 0
) -> np.ndarray:
    """Expected remote nodes one token's routed experts land on.

    Parameters
    ----------
    ep : expert-parallel ranks [-]
    local_ep : expert-parallel ranks per node (scale-up domain) [-]
    top_k : routed experts per token [-]
    max_nodes : node-limited routing's most nodes per token, own node included (0: no limit) [-]

    Returns
    -------
    Expected distinct nodes other than the sender's that receive the token [-].

    Notes
    -----
    With balanced routing each of the ``top_k`` experts sits on any of ``N = ep / local_ep``
    nodes alike, so a given node is hit with probability ``1 - (1 - 1/N)^top_k`` and the
    expected remote nodes are ``(N - 1) (1 - (1 - 1/N)^top_k)``. Node-limited routing caps the
    nodes at ``M``, of which ``(N - 1)/N`` are remote on average. A node-deduplicating
    dispatcher sends the token over the scale-out network once per such node and forwards it
    to the node's experts over the scale-up links.

    References
    ----------
    DeepSeek-AI, "DeepSeek-V3 Technical Report", arXiv:2412.19437, 2024: Sec. 2.1.2
    (node-limited routing, M = 4) and Sec. 3.2.2 (each token sent over IB once per target
    node, then forwarded over NVLink). DeepEP (github.com/deepseek-ai/DeepEP), internode
    normal kernels (NVLink and RDMA forwarding).
    """
    n_nodes = np.maximum(np.ceil(ep / local_ep), 1.0)
    remote = (n_nodes - 1) * (1 - (1 - 1 / n_nodes) ** top_k)
    if max_nodes > 0:
        remote = np.minimum(remote, max_nodes * (n_nodes - 1) / n_nodes)
    return remote


def evaluate(
    d: ModelDims,
    acc: Accelerator,
    P: PlanArrays,
    seq_len: int,
    precision: str,
    stack: Stack,
    cal: Calibration | None = None,
    mem: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Step time, its parts, FLOPs and memory per device for every plan in ``P``.

    Parameters
    ----------
    d : model sizes
    acc : accelerator
    P : plans (columns); ``global_batch`` in sequences
    seq_len : sequence length [tokens]
    precision : GEMM precision, a key of ``acc.peak_tflops``
    stack : training software profile
    cal : efficiency factors (GEMM, HBM, FlashAttention, network, latencies, runtime reserve);
        ``None`` uses the catalogue's
    mem : :func:`memory` of the same plans when the caller has it already (the planner)

    Returns
    -------
    dict of arrays: ``step_time_s``, one ``<part>_s`` per :data:`BREAKDOWN_PARTS`,
    ``model_flops`` and ``hardware_flops`` per step [FLOP], ``memory_per_device_gb`` and its parts,
    ``flops_per_device`` (executed, incl. recomputation) [FLOP] and ``hbm_bytes_per_device`` [B]
    per step, for the power model,
    ``layers_per_stage`` [-].
    """
    cal = cal or Calibration.from_catalog()
    eta_gemm = gemm_efficiency(acc, cal)
    eta_hbm = cal.hbm_efficiency
    # the stack's attention kernels at long sequence (FlashAttention-2 class 35 % of an H100's
    # peak, cuDNN class 56 %): its own figure, else the calibration's; shorter calls run lower
    eta_flash_inf = stack.attention_efficiency or cal.flash_attention_efficiency
    eta_up = cal.scale_up_efficiency
    eta_out = cal.scale_out_efficiency
    alpha = cal.link_latency_s
    t_kernel = cal.kernel_overhead_s

    t, p, dp, c, e, b, B, v, rc, sp, zero, s, s_c, T, m = _sizes(P, seq_len)
    L = d.L
    Lps, dense_dev, expert_dev = _stage_params(d, t, p, v, e)  # uneven splits round up

    peak = _peak_flops(acc, precision)
    # 16-bit peak of the attention core; half the GEMM precision's peak if the datasheet has none
    tf16 = acc.peak_tflops.get("bf16", acc.peak_tflops.get("fp16", acc.peak_tflops[precision] / 2))
    peak16 = tf16 * FLOPS_PER_TFLOPS
    hbm = acc.memory_bandwidth_tb_s * BYTES_PER_TB * eta_hbm
    domain = acc.scale_up.domain
    bw_up, bw_out = acc.scale_up.bandwidth_gb_s, acc.scale_out.bandwidth_gb_s

    # ---- one layer, forward, one micro-batch, per device --------------------------------------
    fp8 = precision in FP8_PRECISIONS
    # FP8 GEMMs run at the measured speedup over 16-bit GEMMs, not the datasheet's 2x: scaling,
    # amax bookkeeping and operand layout eat part of it (Megatron-Bridge performance guide)
    peak_gemm = peak16 * cal.fp8_gemm_speedup if fp8 else peak
    if precision == "mxfp8":
        # block-scaled GEMMs against per-tensor ones (fitted on Megatron-Bridge's same-plan pairs)
        peak_gemm = peak_gemm * cal.mxfp8_gemm_ratio
    lin = layer_linear_flops(d, T) / t
    lin_exp = routed_expert_flops(d, T) / t
    # routed experts run as grouped GEMMs on the tokens each local expert receives (balanced
    # routing): m_e = T·ep·top_k / n_experts rows; short GEMMs run below peak, η·m_e/(m_e + m_½)
    m_exp = T * e * d.top_k / d.n_experts
    eta_exp = eta_gemm * m_exp / (m_exp + cal.grouped_gemm_half_rows)
    w_layer_dev = (d.dense_params_layer + d.expert_params_layer / e) / t
    gemm_bytes = ACT_BYTES * (w_layer_dev + T * (4 * d.h + 2 * d.f_token) / t)
    gemm_flop_s = ((lin - lin_exp) / eta_gemm + lin_exp / eta_exp) / peak_gemm
    # 4 GEMM kernels per layer forward: QKV, output projection, FFN in (gate fused), FFN out
    gemm_f = np.maximum(gemm_flop_s, gemm_bytes / hbm) + 4 * t_kernel

    core_flops = attention_core_flops(d, b, s_c, s) / t  # model convention (full s x s)
    if stack.flash_attention:
        # FlashAttention skips the masked upper triangle (Dao 2023, Sec. 3.1) and the blocks
        # outside a sliding window
        # causal and sliding-window layers, each at the rate of its own kernel calls: a query
        # attends s/2 keys (causal) or the window; a ring context-parallel step attends one K/V
        # chunk of s/cp keys per call, an all-gather attends the whole sequence in one call
        phi, win = d.window_share, min(float(d.window or s), s)
        per_key = 2.0 * b * s_c * (d.qk_dim + d.v_dim) / t  # executed FLOPs per key per query
        chunk = np.inf if stack.cp_all_gather else s / c
        core_f = t_kernel
        core_b = t_kernel
        for share, keys, span in ((1.0 - phi, s / 2.0, s), (phi, win if win < s else s / 2.0, win)):
            if share <= 0.0:
                continue
            eta_k, ratio_k = flash_attention_rates(np.minimum(keys, chunk), span, eta_flash_inf, cal)
            t_k = share * per_key * keys / (peak16 * eta_k)
            core_f = core_f + t_k
            # backward runs 5 matmuls to forward's 2, recomputing the scores (Dao et al. 2022,
            # FlashAttention, Sec. 3.1 and App. B.4), at a lower rate per FLOP than forward
            core_b = core_b + 2.5 * t_k / ratio_k
        core_b_mult = core_b / core_f
    else:
        scores_b = ACT_BYTES * b * (d.a / t) * s_c * s
        qkv_b = ACT_BYTES * T * (d.qk_dim + d.k_dim + d.v_kv_dim + d.v_dim) / t
        core_f = np.maximum(core_flops / (peak16 * eta_gemm), (2 * scores_b + qkv_b) / hbm)
        core_f = core_f + 2 * t_kernel
        core_b_mult = 2.0
    ew_hidden, ew_core = layer_elementwise_bytes(d, b, s_c, s, t, sp, stack.flash_attention, stack.dropout)
    # estimate: 8 element-wise kernels per layer forward (2 norms, 2 residual adds, 2 bias/dropout,
    # the FFN activation, rotary or scaling); only their launch cost, the bytes are counted above
    if fp8:
        # quantising each GEMM input (read 2 B, write 1 B): QKV and FFN-in read the gathered
        # hidden state, projection and FFN-out their own inputs
        ew_hidden = ew_hidden + 3.0 * T * (2 * d.h + (d.v_dim + d.f_token) / t)
    if precision == "mxfp8":
        # MXFP8 scales 32-element blocks along each GEMM's reduction dimension, which is the
        # hidden one in forward and dgrad but the token one in wgrad, so every GEMM input is
        # quantised twice (row- and column-wise), each copy with its E8M0 scales; a per-tensor
        # scale serves both layouts on Blackwell. The extra copy: 1 B per element written,
        # plus a scale byte per 32 elements for each copy
        mx_extra = 1.0 + 2.0 * MX_SCALE_BYTES / MX_BLOCK
        ew_hidden = ew_hidden + mx_extra * T * (2 * d.h + (d.v_dim + d.f_token) / t)
    if d.moe_layer_share > 0:
        # token permutation and un-permutation around the experts: top_k copies of each hidden
        # vector written and read on both sides (16-bit)
        ew_hidden = ew_hidden + d.moe_layer_share * 4 * ACT_BYTES * T * d.top_k * d.h / t
    ew_f = ew_hidden / hbm + 8 * t_kernel
    # fixed cost of an MoE layer per pass: router, top-k, token counting, permutation launches
    # (fitted; see calibration.yaml)
    ew_f = ew_f + d.moe_layer_share * cal.moe_layer_overhead_s
    core_ew_f = ew_core / hbm + (0 if stack.flash_attention else 2 * t_kernel)

    # tensor-parallel collectives: 2 per layer forward (all-reduce, or all-gather + reduce-scatter
    # with sequence parallelism: the same bytes), 2 backward; over the scale-up domain if it fits
    tp_bw = np.where(t <= domain, bw_up, bw_out)
    tp_eta = np.where(t <= domain, eta_up, eta_out)
    msg = ACT_BYTES * T * d.h
    one_tp = np.where(
        sp,
        2 * all_gather_s(msg, t, tp_bw, tp_eta, alpha),
        all_reduce_s(msg, t, tp_bw, tp_eta, alpha),
    )
    tp_f = 2 * one_tp
    # sequence parallelism keeps the layer-norm outputs sharded, so backward gathers them again
    # for the weight-gradient GEMMs of QKV and FFN-in (Korthikanti 2022, Sec. 4.2.2)
    tp_b = tp_f + np.where(sp, 2 * all_gather_s(msg, t, tp_bw, tp_eta, alpha), 0.0)
    # stacks that overlap TP collectives with the GEMMs they feed (Megatron-Core tp_comm_overlap)
    # hide up to the GEMM time; only the rest is exposed
    ov = stack.tp_comm_overlap
    tp_f = np.maximum(tp_f - ov * gemm_f, (1 - ov) * tp_f)
    tp_b = np.maximum(tp_b - ov * 2 * gemm_f, (1 - ov) * tp_b)

    # context parallelism: ring exchange of K and V, overlapped with the attention core
    kv_msg = ACT_BYTES * T * (d.k_dim + d.v_kv_dim) / t
    cp_in_domain = t * c <= domain
    cp_time = (c - 1) * p2p_s(
        kv_msg, np.where(cp_in_domain, bw_up, bw_out), np.where(cp_in_domain, eta_up, eta_out), alpha
    )
    cp_f = np.maximum(0.0, cp_time - core_f)
    cp_b = cp_f
    if stack.cp_all_gather:
        # all-gather of the sequence's K and V before attention, exposed (forward); backward
        # gathers them again and reduce-scatters their gradients (Llama 3, Sec. 3.3.2)
        cp_f = all_gather_s(
            c * kv_msg,
            c,
            np.where(cp_in_domain, bw_up, bw_out),
            np.where(cp_in_domain, eta_up, eta_out),
            alpha,
        )
        cp_b = 2 * cp_f

    # expert parallelism: dispatch + combine all-to-all per MoE layer. Each device sends (e-1)/e
    # of its top_k token copies; the share bound for EP ranks inside its scale-up domain crosses
    # NVLink, the rest the scale-out NIC, both at once (hierarchical dispatch). A dropless
    # all-to-all dispatcher copies each layer's token counts to the host to size an uneven-split
    # NCCL all-to-all, with routing-map and index permutations around it: beyond the transfer,
    # every token copy it sends off the device costs a fixed (fitted) HBM-equivalent time, on
    # either tier and whatever the hidden size, serial with the transfer (the host waits).
    # Fused dispatch kernels with device-side counts (DeepEP/HybridEP, "flex") and token-drop
    # routing padded to a fixed capacity move it at the collective efficiency. The flex
    # dispatcher also sends a token once to each remote node that holds one of its experts and
    # forwards it over NVLink there (DeepEP / HybridEP), so its scale-out leg carries distinct
    # remote nodes, not remote expert copies
    host_synced = stack.moe_token_dispatcher == "alltoall" and stack.moe_dropless
    a2a_b = ACT_BYTES * T * d.top_k * d.h / t
    local_ep = np.clip(np.floor(domain / t), 1, e)
    up_s = (local_ep - 1) / e * a2a_b / (bw_up * BYTES_PER_GB * eta_up)
    copies = (e - 1) / e * T * d.top_k / t
    sync_s = copies * cal.alltoall_dispatcher_copy_bytes / hbm if host_synced else 0.0
    out_b = (e - local_ep) / e * a2a_b
    if stack.moe_token_dispatcher == "flex":
        out_b = ACT_BYTES * T * d.h / t * remote_nodes_per_token(e, local_ep, d.top_k, d.max_nodes_per_token)
    a2a = np.where(
        e > 1,
        np.maximum(
            up_s,
            out_b / (bw_out * BYTES_PER_GB * eta_out),
        )
        + sync_s
        + np.where(stack.moe_token_dispatcher == "flex", 1.0, e - 1) * alpha,
        0.0,
    )
    ep_f = 2 * a2a * d.moe_layer_share

    compute_f = gemm_f + core_f + ew_f + core_ew_f
    compute_b = 2 * gemm_f + core_b_mult * core_f + 2 * (ew_f + core_ew_f)
    # a stack that overlaps the all-to-all with another micro-batch's compute (Megatron-Core
    # moe_a2a_overlap, DualPipe-class schedules) exposes only what exceeds that compute
    ov_ep = stack.ep_comm_overlap
    ep_fx = np.maximum(ep_f - ov_ep * compute_f, (1 - ov_ep) * ep_f)
    ep_bx = np.maximum(ep_f - ov_ep * compute_b, (1 - ov_ep) * ep_f)
    # recomputation in backward: selective = attention core (unfused attention) or, with fused
    # attention, Megatron-Core's norms and FFN activation (their HBM passes); full = the forward
    if stack.flash_attention:
        sel_bytes = (
            np.where(sp, 8.0 * T * d.h / t, 8.0 * T * d.h)
            + T * d.f_token * (4.0 if d.ffn_mats == 2 else 6.0) / t
        )
        selective_f = sel_bytes / hbm + 3 * t_kernel
    else:
        selective_f = core_f + core_ew_f
    if stack.selective_recomputes_every_second_mm and not fp8:
        # op-level selective checkpointing that saves every matmul output except every second
        # aten.mm of a layer (torchtitan): K, output projection and one FFN matrix (Q, K, V, O,
        # W1, W3, W2 in call order) run again in backward; FP8 scaled matmuls are all saved
        mm_even = 2.0 * T * (d.h * d.k_dim + d.v_dim * d.h + d.h * d.f_token) / t
        selective_f = selective_f + np.minimum(mm_even / lin, 1.0) * gemm_f
    recompute_layer = np.select([rc == 1, rc == 2], [selective_f, compute_f], default=0.0)

    # ---- logits on the last stage -------------------------------------------------------------
    lg_flops = logits_flops(d, T) / t
    # estimate: a fused cross-entropy reads the 16-bit logits and writes fp32 gradients of them,
    # ~5 B of HBM traffic per logit
    lg_f = lg_flops / (peak * eta_gemm) + ACT_BYTES * T * d.V / t * 5 / hbm
    lg_b = 2 * lg_f

    # ---- per micro-batch on the slowest stage ---------------------------------------------------
    comp_mb = Lps * (compute_f + compute_b) + lg_f + lg_b
    reco_mb = Lps * recompute_layer
    tp_mb = Lps * (tp_f + tp_b) + Lps * np.where(rc == 2, tp_f, 0.0)
    cp_mb = Lps * (cp_f + cp_b) + Lps * np.where(rc == 2, cp_f, 0.0)
    ep_mb = Lps * (ep_fx + ep_bx) + Lps * np.where(rc == 2, ep_fx, 0.0)
    slot = comp_mb + reco_mb + tp_mb + cp_mb + ep_mb  # t_f + t_b of one micro-batch

    # ---- pipeline ---------------------------------------------------------------------------------
    bubble = np.where(p > 1, (p - 1) / v * slot, 0.0)
    pp_cross_node = t * c * dp * e >= domain
    p2p_one = p2p_s(
        ACT_BYTES * T * d.h / t,
        np.where(pp_cross_node, bw_out, bw_up),
        np.where(pp_cross_node, eta_out, eta_up),
        alpha,
    )
    pp_p2p = np.where(p > 1, 2 * (m * v + p - 1) * p2p_one, 0.0)

    # ---- data-parallel gradient reduction (all-reduce or reduce-scatter + all-gather) --------------
    n_dense, n_exp = dp * e * c, dp * c
    local_dense = np.clip(np.floor(domain / t), 1, None)
    local_exp = np.clip(np.floor(domain / (t * e)), 1, None)
    g = STATE_BYTES_PER_PARAM["grads"]
    dp_time = hierarchical_all_reduce_s(
        g * dense_dev, n_dense, local_dense, bw_up, eta_up, bw_out, eta_out, alpha
    ) + hierarchical_all_reduce_s(g * expert_dev, n_exp, local_exp, bw_up, eta_up, bw_out, eta_out, alpha)
    # ZeRO-3 gathers the weights before forward and backward of every micro-batch
    z3 = np.where(
        zero >= 3,
        2
        * m
        * hierarchical_all_gather_s(
            ACT_BYTES * (dense_dev + expert_dev),
            n_dense,
            local_dense,
            bw_up,
            eta_up,
            bw_out,
            eta_out,
            alpha,
        ),
        0.0,
    )
    if stack.overlap_grad_reduce:
        # the gradient reduction hides behind the last micro-batch's backward, the ZeRO-3 gathers
        # behind the compute the reduction leaves free: one stretch of compute hides one transfer,
        # so more compute never shortens the step by more than it adds
        window = Lps * compute_b
        hidden_grad = np.minimum(dp_time, window)
        # micro-batches and DP traffic together: max(compute + unhidden reduction, all DP traffic)
        busy = np.maximum(m * slot + (dp_time - hidden_grad), dp_time + z3)
    else:
        busy = m * slot + dp_time + z3
    dp_exposed = busy - m * slot

    # ---- optimizer update: stream the (sharded) fp32 state through HBM -------------------------------
    # experts' state is sharded over their own data-parallel group (dp x cp), dense over dp x ep x cp
    shard_opt = np.where(zero >= 1, n_dense, 1.0)
    shard_opt_e = np.where(zero >= 1, n_exp, 1.0)
    opt_params = dense_dev / shard_opt + expert_dev / shard_opt_e
    optimizer = opt_params * OPTIMIZER_BYTES_PER_PARAM / hbm + 10 * t_kernel

    compute_total = m * comp_mb
    step = busy + bubble + pp_p2p + optimizer

    # ---- FLOPs per step (whole cluster) ----------------------------------------------------------------
    tokens_step = B * s
    model_flops = model_flops_per_token(d, s) * tokens_step
    fwd_layers_flops = L * (layer_linear_flops(d, tokens_step) + attention_core_flops(d, B, s, s))
    extra = np.select(
        [rc == 1, rc == 2],
        [L * attention_core_flops(d, B, s, s), fwd_layers_flops],
        default=0.0,
    )
    hardware_flops = model_flops + extra

    if mem is None:
        mem = memory(d, acc, P, seq_len, stack, cal, precision)

    # HBM traffic of the step per device (for the power model): GEMM operands, element-wise and
    # attention-core passes (backward ≈ 2× forward), recomputation, optimizer state
    layer_bytes = gemm_bytes + ew_hidden + ew_core
    reco_bytes = np.select([rc == 1, rc == 2], [ew_core, layer_bytes], default=0.0)
    hbm_bytes = m * (Lps * (3.0 * layer_bytes + reco_bytes)) + opt_params * OPTIMIZER_BYTES_PER_PARAM
    n_dev = t * p * dp * c * e

    out = {
        "step_time_s": step,
        "compute_s": compute_total,
        "recompute_s": m * reco_mb,
        "tp_comm_s": m * tp_mb,
        "cp_comm_s": m * cp_mb,
        "ep_comm_s": m * ep_mb,
        "pp_bubble_s": bubble,
        "pp_p2p_s": pp_p2p,
        "dp_comm_s": dp_exposed,
        "optimizer_s": optimizer,
        "dp_comm_total_s": dp_time + z3,
        "model_flops": model_flops * np.ones_like(step),
        "hardware_flops": hardware_flops * np.ones_like(step),
        **mem,
        "hbm_bytes_per_device": hbm_bytes,
        "flops_per_device": hardware_flops / n_dev,
        "layers_per_stage": Lps,
        "micro_batches": m,
    }
    return out
