"""Feasibility of parallel plans, vectorised, with the reason each infeasible plan fails."""

from __future__ import annotations

import numpy as np

from scalewall.catalog.schema import Accelerator, Model
from scalewall.performance.plan import PlanArrays

__all__ = ["structural_violations"]


def structural_violations(
    m: Model,
    acc: Accelerator,
    P: PlanArrays,
    devices: int,
    seq_len: int,
    *,
    allow_uneven_layers: bool = False,
    allow_tp_beyond_domain: bool = False,
) -> list[tuple[np.ndarray, str, str]]:
    """Checks every plan must pass before its time and memory mean anything.

    Returns
    -------
    list of (mask of failing plans, family, template): ``template.format(**plan_fields)`` gives
    the sentence for one plan; ``family`` groups failures for the planner's rejection summary.
    """
    t, p, dp, c, e = P.tp, P.pp, P.dp, P.cp, P.ep
    b, B, v = P.micro_batch, P.global_batch, P.interleave
    kv = m.kv_heads
    n_exp = m.moe.n_experts if m.moe else 1
    prod = t * p * dp * c * e
    out: list[tuple[np.ndarray, str, str]] = [
        (prod != devices, "sizes", "tp×pp×dp×cp×ep = {prod} ≠ {devices} devices"),
        (m.n_heads % t != 0, "tp", f"tp={{tp}}: {m.n_heads} attention heads not divisible by tp"),
        # tp beyond the KV heads replicates them, as Megatron-Core does (tp a multiple of kv)
        (
            (kv % t != 0) & (t % kv != 0),
            "tp",
            f"tp={{tp}}: {kv} KV heads neither divisible by tp nor dividing it",
        ),
        (n_exp % e != 0, "ep", f"ep={{ep}}: {n_exp} experts not divisible by ep"),
        (
            B % (dp * e * b) != 0,
            "batch",
            "global batch {global_batch} not divisible by dp×ep×micro-batch = {dpemb}",
        ),
        (seq_len % c != 0, "cp", f"cp={{cp}}: sequence length {seq_len} not divisible by cp"),
        ((v > 1) & (p == 1), "interleave", "interleave={interleave} needs pp > 1"),
        (
            (v > 1) & ((B // np.maximum(dp * e * b, 1)) % np.maximum(p, 1) != 0),
            "interleave",
            "interleaved schedule: micro-batches per replica not a multiple of pp={pp}",
        ),
    ]
    if not allow_uneven_layers:
        out.append(
            (
                m.n_layers % (p * v) != 0,
                "pp",
                f"pp={{pp}}×interleave={{interleave}} does not divide {m.n_layers} layers",
            )
        )
    if not allow_tp_beyond_domain:
        out.append(
            (
                t > acc.scale_up.domain,
                "tp",
                f"tp={{tp}} exceeds the scale-up domain of {acc.scale_up.domain} devices",
            )
        )
    return out
