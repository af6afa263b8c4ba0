"""Parameter counts derived from a model's architecture.

Counts include weight matrices, embeddings (input and, when untied, output), learned position
tables, router weights and norm scales. Biases are ignored (< 0.1 % for every catalogue model).
"""

from __future__ import annotations

from dataclasses import dataclass

from scalewall.catalog.schema import Model

__all__ = ["ParamCount", "param_count", "attention_params", "ffn_params_dense", "expert_params"]


@dataclass(frozen=True)
class ParamCount:
    """Parameters of a model [params]."""

    total: float
    active: float
    embedding: float
    attention: float
    ffn: float
    experts: float


def attention_params(m: Model) -> float:
    """Weights of one attention block [params].

    Notes
    -----
    MHA/GQA/MQA: ``h·a·dh`` (Q) + ``2·h·kv·dh`` (K, V) + ``a·dh·h`` (O).
    MLA (DeepSeek-V2/V3): low-rank Q and joint KV compression plus a decoupled RoPE key,
    Eq. 1-11 of DeepSeek-V2 (arXiv:2405.04434).
    """
    h, a = m.d_model, m.n_heads
    if m.attention == "mla":
        r = m.mla or {}
        q_lora = r.get("q_lora_rank", 0)
        kv_lora = r["kv_lora_rank"]
        nope, rope, v = r["qk_nope_head_dim"], r["qk_rope_head_dim"], r["v_head_dim"]
        q = h * q_lora + q_lora * a * (nope + rope) + q_lora if q_lora else h * a * (nope + rope)
        kv = h * (kv_lora + rope) + kv_lora * a * (nope + v) + kv_lora
        return float(q + kv + a * v * h)
    dh, kv = m.dh, m.kv_heads
    rel = h * h if m.relative_position_projection else 0  # Dai et al. 2019, Eq. 3 (W_{k,R})
    return float(h * a * dh + 2 * h * kv * dh + a * dh * h + rel)


def _ffn_matrices(m: Model) -> int:
    return 3 if m.ffn == "swiglu" else 2


def ffn_params_dense(m: Model) -> float:
    """Weights of one dense FFN block [params]."""
    return float(_ffn_matrices(m) * m.d_model * m.ffn_hidden)


def expert_params(m: Model) -> float:
    """Weights of one routed expert [params] (0 for dense models)."""
    if m.moe is None:
        return 0.0
    return float(_ffn_matrices(m) * m.d_model * m.moe.d_ff_expert)


def n_moe_layers(m: Model) -> int:
    """Layers whose FFN is a mixture of experts [-]."""
    if m.moe is None:
        return 0
    candidates = m.n_layers - m.moe.dense_layers
    return len(range(0, candidates, m.moe.moe_layer_interval))


def param_count(m: Model) -> ParamCount:
    """Total and active (per token) parameters of ``m`` [params]."""
    h, L = m.d_model, m.n_layers
    emb = m.vocab_size * h * (1 if m.tied_embeddings else 2)
    if m.learned_positions:
        emb += m.seq_len * h
    attn = attention_params(m) * L
    norms = 2 * h * L + h
    n_moe = n_moe_layers(m)
    dense_ffn = ffn_params_dense(m) * (L - n_moe)
    experts_total = experts_active = 0.0
    if m.moe is not None:
        e = expert_params(m)
        router = h * m.moe.n_experts
        experts_total = n_moe * (e * (m.moe.n_experts + m.moe.n_shared_experts) + router)
        experts_active = n_moe * (e * (m.moe.top_k + m.moe.n_shared_experts) + router)
    total = emb + attn + norms + dense_ffn + experts_total
    active = emb + attn + norms + dense_ffn + experts_active
    return ParamCount(
        total=float(total),
        active=float(active),
        embedding=float(emb),
        attention=float(attn),
        ffn=float(dense_ffn),
        experts=float(experts_total),
    )
