"""FLOPs, bytes moved and activation memory of one transformer layer, vectorised over plans.

All functions take NumPy arrays (or scalars) for the plan-dependent sizes and return arrays:
one call evaluates one plan or a million. Quantities are *per device* for one micro-batch of
``b`` sequences, after tensor parallelism (``tp``) and context parallelism (``cp``) split the work.

Conventions
-----------
* A multiply-add is 2 FLOPs. Backward = 2 × forward for matrix multiplies.
* *Model* FLOPs count the attention score matrix in full (``s²``, no causal saving), as Narayanan
  et al. 2021 (Eq. 3) and Chowdhery et al. 2022 (PaLM, App. B) do; *executed* FLOPs may skip
  masked blocks (FlashAttention).
* Activation memory follows Korthikanti et al. 2022 (arXiv:2205.05198), Sec. 4: 34·s·b·h + 5·a·s²·b
  bytes per layer for GPT with 16-bit activations, generalised here to GQA, SwiGLU and MoE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalewall.catalog.schema import Model
from scalewall.workload.params import (
    attention_params,
    expert_params,
    ffn_params_dense,
    n_moe_layers,
    param_count,
)

__all__ = [
    "ModelDims",
    "model_dims",
    "model_flops_per_token",
    "six_n_flops_per_token",
    "layer_linear_flops",
    "routed_expert_flops",
    "attention_core_flops",
    "kv_context_tokens",
    "layer_activation_bytes",
    "layer_elementwise_bytes",
]


@dataclass(frozen=True)
class ModelDims:
    """Sizes of a model the per-layer formulas need (derived once from :class:`Model`)."""

    L: int  # layers
    h: int  # d_model
    a: int  # query heads
    kv: int  # KV heads
    qk_dim: int  # total query/key width used in scores (a·dh, or a·(nope+rope) for MLA)
    v_dim: int  # total value width (a·dh, or a·v_head_dim for MLA)
    k_dim: int  # total key width as materialised in training (kv·dh; MLA: qk_dim)
    v_kv_dim: int  # total value width as materialised (kv·dh; MLA: v_dim)
    kv_cache_dim: int  # K+V width stored per token (2·kv·dh; MLA: kv_lora + rope)
    V: int  # vocabulary
    ffn_mats: int  # 2 (GELU) or 3 (SwiGLU)
    f_token: float  # FFN hidden width a token passes through, averaged over layers
    attn_params_layer: float  # attention weights per layer [params]
    ffn_params_active_layer: float  # FFN weights a token touches, average per layer [params]
    dense_params_layer: float  # non-expert weights per layer (attention + dense FFN + norms)
    expert_params_layer: float  # expert weights per layer, averaged over layers
    moe_layer_share: float  # share of layers that are MoE [-]
    window: int  # keys a windowed attention layer sees (0: no windowed layers) [tokens]
    window_share: float  # share of layers with windowed attention [-]
    top_k: int
    n_experts: int
    d_ff_expert: int  # hidden width of one routed expert (0 for dense models)
    embedding_params: float  # input embedding (and output head if untied)
    untied: bool
    params_total: float
    params_active: float
    max_nodes_per_token: int = 0  # node-limited routing (0: none) [-]


def model_dims(m: Model) -> ModelDims:
    """Derive the sizes the formulas need from a catalogue :class:`Model`."""
    pc = param_count(m)
    L, h = m.n_layers, m.d_model
    if m.attention == "mla":
        r = m.mla or {}
        qk = m.n_heads * (r["qk_nope_head_dim"] + r["qk_rope_head_dim"])
        vd = m.n_heads * r["v_head_dim"]
        kv_cache = r["kv_lora_rank"] + r["qk_rope_head_dim"]
        k_dim, v_kv = qk, vd
    else:
        qk = vd = m.n_heads * m.dh
        kv_cache = 2 * m.kv_heads * m.dh
        k_dim = v_kv = m.kv_heads * m.dh
    n_moe = n_moe_layers(m)
    share = n_moe / L
    mats = 3 if m.ffn == "swiglu" else 2
    if m.moe is not None:
        fe = m.moe.d_ff_expert
        per_tok_moe = (m.moe.top_k + m.moe.n_shared_experts) * fe
        f_token = share * per_tok_moe + (1 - share) * m.ffn_hidden
        ffn_active = share * per_tok_moe * mats * h + (1 - share) * ffn_params_dense(m)
        exp_layer = n_moe * expert_params(m) * m.moe.n_experts / L
        dense_ffn_layer = (1 - share) * ffn_params_dense(m) + share * (
            m.moe.n_shared_experts * expert_params(m) + h * m.moe.n_experts
        )
        top_k, n_exp, f_exp = m.moe.top_k, m.moe.n_experts, m.moe.d_ff_expert
    else:
        f_token = float(m.ffn_hidden)
        ffn_active = ffn_params_dense(m)
        exp_layer = 0.0
        dense_ffn_layer = ffn_params_dense(m)
        top_k, n_exp, f_exp = 1, 1, 0
    emb = m.vocab_size * h * (1 if m.tied_embeddings else 2)
    return ModelDims(
        L=L,
        h=h,
        a=m.n_heads,
        kv=m.kv_heads,
        qk_dim=qk,
        v_dim=vd,
        k_dim=k_dim,
        v_kv_dim=v_kv,
        kv_cache_dim=kv_cache,
        V=m.vocab_size,
        ffn_mats=mats,
        f_token=float(f_token),
        attn_params_layer=attention_params(m),
        ffn_params_active_layer=float(ffn_active),
        dense_params_layer=attention_params(m) + float(dense_ffn_layer) + 2 * h,
        expert_params_layer=float(exp_layer),
        moe_layer_share=share,
        window=m.attention_window or 0,
        window_share=m.windowed_layer_share,
        top_k=top_k,
        n_experts=n_exp,
        d_ff_expert=f_exp,
        embedding_params=float(emb),
        untied=not m.tied_embeddings,
        params_total=pc.total,
        params_active=pc.active,
        max_nodes_per_token=m.moe.max_nodes_per_token if m.moe is not None else 0,
    )


def routed_expert_flops(d: ModelDims, tokens):
    """Forward FLOPs of the routed experts' matrices for ``tokens`` tokens, averaged over layers
    [FLOP]: the part of :func:`layer_linear_flops` that runs as grouped GEMMs (0 if dense).

    Notes
    -----
    ``2 · tokens · share_moe · top_k · mats · h · d_ff_expert``.
    """
    per_token = d.moe_layer_share * d.top_k * d.ffn_mats * d.h * d.d_ff_expert
    return 2.0 * np.asarray(tokens, dtype=float) * per_token


def layer_linear_flops(d: ModelDims, tokens):
    """Forward FLOPs of a layer's weight matrices for ``tokens`` tokens [FLOP].

    Notes
    -----
    ``2 · tokens · (attention weights + FFN weights a token touches)``; divide by TP yourself.
    """
    return 2.0 * np.asarray(tokens, dtype=float) * (d.attn_params_layer + d.ffn_params_active_layer)


def attention_core_flops(d: ModelDims, b, s_q, s_k, causal: bool = False):
    """Forward FLOPs of scores (QKᵀ) and weighted values (AV), averaged over layers [FLOP].

    ``causal=False`` is the model convention: every query against all ``s_k`` keys. ``causal=True``
    is what a fused kernel executes: half of that. Windowed layers (``window_share`` of them)
    see ``min(window, s_k)`` keys either way.

    Notes
    -----
    ``2·b·s_q·k·(qk_dim + v_dim)`` with keys per query ``k = (1 − φ)·c·s_k + φ·min(w, s_k)``
    (``c`` = 1/2 if causal): ``4·b·s²·h`` for multi-head attention without windows.
    """
    b, s_q, s_k = (np.asarray(x, dtype=float) for x in (b, s_q, s_k))
    full = s_k * (0.5 if causal else 1.0)
    keys = (1.0 - d.window_share) * full + d.window_share * np.minimum(float(d.window or 0), s_k)
    return 2.0 * b * s_q * keys * (d.qk_dim + d.v_dim)


def kv_context_tokens(d: ModelDims, context):
    """Tokens of context whose K and V a sequence keeps, averaged over layers [tokens].

    A windowed layer keeps only its last ``window`` tokens: ``(1 − φ)·c + φ·min(w, c)``.
    """
    c = np.asarray(context, dtype=float)
    return (1.0 - d.window_share) * c + d.window_share * np.minimum(float(d.window or 0), c)


def logits_flops(d: ModelDims, tokens):
    """Forward FLOPs of the output projection to the vocabulary [FLOP]."""
    return 2.0 * np.asarray(tokens, dtype=float) * d.h * d.V


def model_flops_per_token(d: ModelDims, seq_len):
    """Training (forward + backward) model FLOPs per token, exact per-layer count [FLOP].

    Notes
    -----
    ``3 · (L·(2·P_layer + 2·s·(qk_dim + v_dim)) + 2·h·V)``: matrices of the layers, the full
    attention score matrix and the logits. Narayanan 2021 Eq. 3 without recomputation for GPT.
    """
    s = np.asarray(seq_len, dtype=float)
    fwd = d.L * (layer_linear_flops(d, 1.0) + attention_core_flops(d, 1.0, 1.0, s)) + logits_flops(d, 1.0)
    return 3.0 * fwd


def six_n_flops_per_token(d: ModelDims) -> float:
    """The 6·N approximation (N = active parameters) [FLOP per token]."""
    return 6.0 * d.params_active


def layer_activation_bytes(d: ModelDims, b, s_local, s_k, tp, sp, recompute, flash, dropout, fp8=False):
    """Activation memory one layer keeps for backward, per device, one micro-batch [B].

    Parameters
    ----------
    b : micro-batch [sequences]
    s_local : sequence length on this device (s / cp) [tokens]
    s_k : keys each query attends to (s) [tokens]
    tp : tensor-parallel size [-]
    sp : sequence parallelism on (bool array)
    recompute : 0 none, 1 selective, 2 full
    flash : FlashAttention (no s² tensors)
    dropout : dropout layers present
    fp8 : FP8 GEMMs, whose inputs are saved for backward as their 1-byte FP8 casts

    Notes
    -----
    Korthikanti et al. 2022, Sec. 4.1-4.2 (Eq. 1-6), generalised: with 16-bit activations
    LN inputs 4Th, QKV input 2Th, Q/K/V 2T(qk + qk·kv/a + v)/t, scores/softmax 2 (+3 with dropout)
    bytes per score element /t, projection input 2T·v/t, FFN 2·mats·T·f/t, dropout masks 2Th.
    ``T = b·s_local``. Sequence parallelism divides the non-split terms by ``t``;
    full recomputation keeps only the layer input (2Th, /t with SP).

    With fused attention (``flash``), *selective* is Megatron-Core's ``recompute_modules``
    ``[layernorm, mlp/moe_act]``: the two norm outputs (2Th each) and the FFN activation output
    (2T·f) are recomputed in backward, not kept. With FP8 GEMMs, Transformer Engine keeps the FP8
    casts of the four GEMM inputs (QKV and FFN-in: gathered T·h; projection: T·v/t; FFN-out:
    T·f/t) instead of their 16-bit copies, saving one byte per element.
    """
    b, s_local, s_k, tp = (np.asarray(x, dtype=float) for x in (b, s_local, s_k, tp))
    sp = np.asarray(sp, dtype=bool)
    recompute = np.asarray(recompute)
    T = b * s_local
    h = d.h
    drop = 1.0 if dropout else 0.0
    # replicated across TP ranks unless sequence parallel: LN inputs, QKV/FFN inputs, dropout masks
    repl = T * h * (2 + 2 + 2 + 2 + 2 * drop)
    repl = np.where(sp, repl / tp, repl)
    split = T * (2 * d.qk_dim + 2 * d.k_dim + 2 * d.v_kv_dim + 2 * d.v_dim) / tp
    split += T * 2 * d.ffn_mats * d.f_token / tp
    if flash:
        scores = b * (d.a / tp) * s_local * 4.0  # log-sum-exp statistics, fp32
    else:
        scores = b * (d.a / tp) * s_local * s_k * (2.0 + 3.0 * drop)
    full = repl + split + scores
    if flash:
        # Megatron-Core selective: norm outputs and the FFN activation output are recomputed
        norm_out = np.where(sp, 4.0 * T * h / tp, 4.0 * T * h)
        selective = full - norm_out - 2.0 * T * d.f_token / tp
    else:
        selective = repl + split
    if fp8:
        # QKV and FFN-in inputs are the gathered norm outputs (kept only without selective)
        fp8_saved = T * (d.v_dim + d.f_token) / tp
        gathered = np.where(sp, 2.0 * T * h / tp, 2.0 * T * h)
        full = full - fp8_saved - gathered
        selective = selective - fp8_saved - (0.0 if flash else gathered)
    layer_input = np.where(sp, 2.0 * T * h / tp, 2.0 * T * h)
    return np.select([recompute == 0, recompute == 1], [full, selective], default=layer_input)


def layer_elementwise_bytes(d: ModelDims, b, s_local, s_k, tp, sp, flash, dropout):
    """HBM traffic of a layer's element-wise kernels in the forward pass, per device [B].

    Layer norms, bias/activation, softmax (unfused attention), dropout and residual adds. Each
    reads its inputs and writes its outputs once in 16-bit (masks 1 byte).

    Returns
    -------
    (bytes outside attention core, bytes of the unfused attention core) [B]
    """
    b, s_local, s_k, tp = (np.asarray(x, dtype=float) for x in (b, s_local, s_k, tp))
    sp = np.asarray(sp, dtype=bool)
    T = b * s_local
    h = d.h
    drop = 1.0 if dropout else 0.0
    # 2 layer norms (r+w), 2 residual adds (2r+w), dropout after attention and FFN (r+w+mask)
    hidden = T * h * (2 * 4 + 2 * 6 + drop * 2 * 5)
    hidden = np.where(sp, hidden / tp, hidden)
    # FFN activation: GELU reads/writes f; SwiGLU reads 2f writes f
    act = T * d.f_token * (4.0 if d.ffn_mats == 2 else 6.0) / tp
    if flash:
        core = np.zeros_like(T)
    else:
        # scale+mask+softmax (r+w 16-bit), dropout (r, w, mask)
        core = b * (d.a / tp) * s_local * s_k * (4.0 + drop * 5.0)
    return hidden + act, core
