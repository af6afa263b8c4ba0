"""Parallel plans: the sizes and switches that say how a cluster runs a training step.

A :class:`Plan` is one configuration; :class:`PlanArrays` holds many as NumPy columns so the
performance model evaluates them in one vectorised pass (the planner feeds it thousands).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Literal, cast

import numpy as np

from scalewall.catalog.loader import entries, get
from scalewall.catalog.stacks import SoftwareStack

__all__ = [
    "Plan",
    "PlanArrays",
    "RECOMPUTE",
    "STACKS",
    "Stack",
    "StackId",
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
#: the ids of ``catalog/data/stacks.yaml`` (a test keeps the two equal)
StackId = Literal[
    "modern", "llama3", "megatron-core", "megatron-core-hybridep", "torchtitan", "deepspeed", "megatron-2021"
]


#: a training software profile (catalogue ``stacks``)
Stack = SoftwareStack


class _Stacks(Mapping[str, SoftwareStack]):
    """The catalogue's software stacks by id or alias, loaded on first use (no I/O at import)."""

    def __getitem__(self, key: str) -> SoftwareStack:
        return cast("SoftwareStack", get("stacks", key))

    def __iter__(self) -> Iterator[str]:
        return iter(entries("stacks"))

    def __len__(self) -> int:
        return len(entries("stacks"))


#: software stacks by id (``scalewall catalog list stacks``); unknown ids raise CatalogError
STACKS: Mapping[str, SoftwareStack] = _Stacks()


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
