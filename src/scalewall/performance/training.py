"""Training step metrics: time, utilisation, throughput and the binding part of a step.

:func:`step_metrics` evaluates many plans at once (the planner's hot path). Power, energy, carbon and cost are the facility
stage's (:mod:`scalewall.facility.job`); the ``train`` command combines the two.
"""

from __future__ import annotations

import numpy as np

from scalewall.catalog import assumption
from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator, Model
from scalewall.performance.plan import RECOMPUTE, STACKS, PlanArrays
from scalewall.performance.step import evaluate
from scalewall.units import BYTES_PER_TB, FLOPS_PER_TFLOPS
from scalewall.workload.transformer import ModelDims

__all__ = [
    "RECOMPUTE",
    "step_metrics",
    "default_shape",
    "default_batch_tokens",
    "bottleneck",
]


def step_metrics(
    d: ModelDims,
    acc: Accelerator,
    P: PlanArrays,
    seq_len: int,
    precision: str,
    stack_name: str,
    cal: Calibration | None = None,
    mem: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Step time, utilisation and throughput of every plan (vectorised).

    ``cal`` gives the efficiency factors; ``None`` uses the catalogue's. ``mem``: the plans'
    memory when already computed (see :func:`~scalewall.performance.step.evaluate`).

    Returns the arrays of :func:`~scalewall.performance.step.evaluate` plus ``mfu``, ``hfu``,
    ``tokens_per_s`` [tokens/s], ``flop_utilisation`` (executed FLOP/s over the dense peak) and
    ``hbm_utilisation`` (HBM bytes/s over the peak bandwidth) per device [-].
    """
    r = evaluate(d, acc, P, seq_len, precision, STACKS[stack_name], cal, mem)
    n = (P.tp * P.pp * P.dp * P.cp * P.ep).astype(float)
    step = r["step_time_s"]
    peak = acc.peak_tflops[precision] * FLOPS_PER_TFLOPS
    r["mfu"] = r["model_flops"] / (step * n * peak)
    r["hfu"] = r["hardware_flops"] / (step * n * peak)
    r["tokens_per_s"] = P.global_batch * float(seq_len) / step
    r["flop_utilisation"] = r["flops_per_device"] / (step * peak)
    r["hbm_utilisation"] = r["hbm_bytes_per_device"] / (step * acc.memory_bandwidth_tb_s * BYTES_PER_TB)
    return r


#: devices per sequence of the default global batch on a large cluster [devices]: Llama 3 405B
#: ran 2,048 sequences of 8,192 tokens on 16,384 H100 (Llama 3 Herd, arXiv:2407.21783, Table 4)
DEVICES_PER_SEQUENCE = 8
#: compute-optimal batch of DeepSeek LLM's scaling law, B_opt = a·C^b [tokens], C in FLOPs
#: (DeepSeek-AI, arXiv:2401.02954, Sec. 3.1, Eq. 1: a = 0.2920, b = 0.3271)
BATCH_OPT_COEF, BATCH_OPT_EXP = 0.2920, 0.3271


def default_batch_tokens(devices: int | None, seq_len: int, compute_flops: float | None) -> float:
    """Global batch a practitioner would pick when none is given [tokens].

    Parameters
    ----------
    devices : accelerators of the run [-]; ``None`` for the catalogue's fixed default
    seq_len : sequence length [tokens]
    compute_flops : training compute of the run, ≈ 6·N·D [FLOP]; ``None`` when unknown

    Notes
    -----
    ``B = max(B_0, min(n·s / 8, B_opt(C)))``: at least the catalogue's ``default-batch-tokens``
    (``B_0`` = 4 M, Llama 2), growing with the cluster at one sequence per 8 devices (Llama 3
    405B, Table 4), but not beyond the compute-optimal (critical-batch-style) batch
    ``B_opt = 0.2920·C^0.3271`` of DeepSeek LLM, above which larger batches waste tokens.
    """
    b0 = assumption("default-batch-tokens")
    if devices is None:
        return b0
    grown = devices * seq_len / DEVICES_PER_SEQUENCE
    if compute_flops is not None:
        grown = min(grown, BATCH_OPT_COEF * compute_flops**BATCH_OPT_EXP)
    return max(b0, grown)


def default_shape(
    m: Model,
    seq_len: int | None,
    global_batch: int | None,
    devices: int | None = None,
    compute_flops: float | None = None,
) -> tuple[int, int, list[str]]:
    """Sequence length [tokens] and global batch [sequences] with their defaults, and notes.

    ``devices`` and ``compute_flops`` [FLOP] let the default batch grow with the cluster up to
    the compute-optimal batch (:func:`default_batch_tokens`); without them it is the catalogue's.
    """
    notes = []
    seq = seq_len
    if seq is None:
        cap = int(assumption("default-train-seq-len"))
        seq = min(m.seq_len, cap)
        if seq < m.seq_len:
            notes.append(
                f"sequence length {seq} (most pre-training tokens use a short context; "
                f"the model's {m.seq_len} is reached in a late stage)"
            )
    B = global_batch
    if B is None:
        B = max(1, round(default_batch_tokens(devices, seq, compute_flops) / seq))
        how = (
            "default: max(4 M tokens, one sequence per 8 devices), capped at DeepSeek LLM's "
            "compute-optimal batch 0.292·C^0.327"
            if devices is not None
            else "default"
        )
        notes.append(f"global batch {B} sequences ≈ {B * seq / 1e6:.1f} M tokens ({how})")
    return seq, B, notes


def bottleneck(parts: dict[str, float], mfu: float) -> str:
    """The part of a step that binds, in words a user can act on."""
    words = {
        "compute": "compute: the matrix multiplies and kernels themselves",
        "recompute": "activation recomputation (memory traded for compute)",
        "tp_comm": "tensor-parallel collectives on the scale-up network",
        "cp_comm": "context-parallel ring exchange",
        "ep_comm": "expert-parallel all-to-all",
        "pp_bubble": "pipeline bubble (too few micro-batches per pipeline stage)",
        "pp_p2p": "pipeline point-to-point sends",
        "dp_comm": "data-parallel gradient reduction on the scale-out network",
        "optimizer": "optimizer update (memory bandwidth)",
    }
    total = sum(parts.values())
    overhead = {k: v for k, v in parts.items() if k != "compute"}
    worst = max(overhead, key=lambda k: overhead[k])
    share = parts[worst] / total
    if parts["compute"] / total >= 0.75 or share < 0.05:
        return f"compute-bound: {parts['compute'] / total:.0%} of the step in kernels (MFU {mfu:.0%})"
    return f"{words[worst]}: {share:.0%} of the step"
