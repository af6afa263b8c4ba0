"""Parallel plans: the sizes and switches that say how a cluster runs a training step.

A :class:`Plan` is one configuration; :class:`PlanArrays` holds many as NumPy columns so the
performance model evaluates them in one vectorised pass (the planner feeds it thousands).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Literal

import numpy as np

__all__ = [
    "Plan",
    "PlanArrays",
    "RECOMPUTE",
    "STACKS",
    "Stack",
    "PLAN_SIZES",
    "PLAN_SWITCHES",
    "PLAN_CHOICES",
]

#: recomputation modes, coded as integers in :class:`PlanArrays`
RECOMPUTE: tuple[str, ...] = ("none", "selective", "full")
#: the parallel sizes of a plan (their product is the number of devices)
PLAN_SIZES: tuple[str, ...] = ("tp", "pp", "dp", "cp", "ep")
#: the switches of a plan besides its sizes (the global batch is the run's, not the plan's choice)
PLAN_SWITCHES: tuple[str, ...] = ("micro_batch", "interleave", "recompute", "sequence_parallel", "zero")
#: every field of a plan a user may fix or the planner chooses
PLAN_CHOICES: tuple[str, ...] = PLAN_SIZES + PLAN_SWITCHES

Recompute = Literal["none", "selective", "full"]


@dataclass(frozen=True)
class Stack:
    """What the training software does, which changes time and memory for the same plan.

    ``flash_attention``: fused attention (FlashAttention; no s² tensors in memory, causal blocks
    skipped). ``overlap_grad_reduce``: data-parallel gradient reduction overlapped with backward.
    ``dropout``: dropout layers (GPT-3-era models) that add masks to memory and traffic.
    """

    name: str
    flash_attention: bool
    overlap_grad_reduce: bool
    dropout: bool
    description: str
    context_parallel: bool = True
    zero_stages: tuple[int, ...] = (0, 1, 2, 3)
    tp_comm_overlap: float = 0.0


STACKS: dict[str, Stack] = {
    "modern": Stack(
        "modern",
        flash_attention=True,
        overlap_grad_reduce=True,
        dropout=False,
        description="Megatron-Core/TorchTitan class (2024+): FlashAttention, gradient reduction "
        "overlapped with backward, no dropout",
    ),
    "megatron-core": Stack(
        "megatron-core",
        flash_attention=True,
        overlap_grad_reduce=True,
        dropout=False,
        description="Megatron-Core 2024+ (NeMo, Megatron-Bridge): FlashAttention/cuDNN fused "
        "attention, distributed optimizer, gradient reduction overlapped with backward",
        tp_comm_overlap=1.0,
    ),
    "megatron-2021": Stack(
        "megatron-2021",
        flash_attention=False,
        overlap_grad_reduce=False,
        dropout=True,
        description="Megatron-LM as in Narayanan 2021 / Korthikanti 2022: unfused softmax "
        "attention with dropout, gradient all-reduce after backward, no context parallelism, "
        "no sharded optimizer",
        context_parallel=False,
        zero_stages=(0,),
    ),
}


@dataclass(frozen=True)
class Plan:
    """One parallel plan. Sizes are counts of devices [-]; batches in sequences [-]."""

    tp: int = 1
    pp: int = 1
    dp: int = 1
    cp: int = 1
    ep: int = 1
    micro_batch: int = 1
    global_batch: int = 1
    interleave: int = 1
    recompute: Recompute = "none"
    sequence_parallel: bool = False
    zero: int = 1
    #: layers per stage whose activations are offloaded to host memory (Megatron-Core
    #: ``cpu_offloading_num_layers``); a published recipe's setting, not searched by the planner
    offload_layers: int = 0

    @property
    def devices(self) -> int:
        return self.tp * self.pp * self.dp * self.cp * self.ep

    @property
    def n_micro_batches(self) -> int:
        """Micro-batches per data-parallel replica per step [-]."""
        return self.global_batch // (self.dp * self.ep * self.micro_batch)

    def to_dict(self) -> dict:
        return asdict(self)


_INT_FIELDS = (
    "tp",
    "pp",
    "dp",
    "cp",
    "ep",
    "micro_batch",
    "global_batch",
    "interleave",
    "zero",
    "offload_layers",
)


@dataclass
class PlanArrays:
    """Many plans as columns (NumPy arrays of equal length)."""

    tp: np.ndarray
    pp: np.ndarray
    dp: np.ndarray
    cp: np.ndarray
    ep: np.ndarray
    micro_batch: np.ndarray
    global_batch: np.ndarray
    interleave: np.ndarray
    recompute: np.ndarray  # index into RECOMPUTE
    sequence_parallel: np.ndarray  # bool
    zero: np.ndarray
    offload_layers: np.ndarray | None = None  # None: no offload (zeros)

    def __post_init__(self) -> None:
        if self.offload_layers is None:
            self.offload_layers = np.zeros(len(self.tp), dtype=np.int64)

    @classmethod
    def from_plans(cls, plans: list[Plan]) -> PlanArrays:
        cols: dict[str, np.ndarray] = {
            f: np.array([getattr(p, f) for p in plans], dtype=np.int64) for f in _INT_FIELDS
        }
        cols["recompute"] = np.array([RECOMPUTE.index(p.recompute) for p in plans], dtype=np.int64)
        cols["sequence_parallel"] = np.array([p.sequence_parallel for p in plans], dtype=bool)
        return cls(**cols)

    def __len__(self) -> int:
        return len(self.tp)

    def plan(self, i: int) -> Plan:
        kw = {f.name: getattr(self, f.name)[i] for f in fields(self)}
        kw = {k: int(v) for k, v in kw.items() if k not in ("recompute", "sequence_parallel")}
        return Plan(
            **kw,
            recompute=RECOMPUTE[int(self.recompute[i])],  # type: ignore[arg-type]
            sequence_parallel=bool(self.sequence_parallel[i]),
        )

    def take(self, idx: np.ndarray) -> PlanArrays:
        return PlanArrays(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})
