"""Pydantic schema of the catalogue: one registry from which loading, validation and docs come.

Every entry carries ``id`` (lower case, hyphenated), ``name`` and ``source`` (a non-empty list of
``{title, publisher, year, where}``), plus ``note`` where a figure is an assumption or an estimate.
Field names carry their unit.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Source",
    "Entry",
    "ScaleUp",
    "ScaleOut",
    "Embodied",
    "Accelerator",
    "MoE",
    "Model",
    "Region",
    "PRECISIONS",
    "Assumption",
]

PRECISIONS = ("fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "mxfp8", "fp4", "int8", "int4")
_ID = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


class _Strict(BaseModel):
    # NaN and infinity are never a datasheet figure: refuse them where they enter
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Source(_Strict):
    """Where a figure comes from."""

    title: str
    publisher: str
    year: int = Field(ge=1950, le=2100)
    where: str = Field(description="table, page or section")
    url: str | None = None


class Entry(_Strict):
    """Fields every catalogue entry has."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    source: list[Source] = Field(min_length=1)
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"id {v!r} must be lower case letters, digits, '.' and '-'")
        return v


class ScaleUp(_Strict):
    """The scale-up (NVLink, ICI, Infinity Fabric) network."""

    bandwidth_gb_s: float = Field(gt=0, description="per device, per direction [GB/s]")
    domain: int = Field(ge=1, description="devices in one scale-up domain [-]")


class ScaleOut(_Strict):
    """The scale-out (InfiniBand, RoCE, DCN) network."""

    bandwidth_gb_s: float = Field(gt=0, description="per device, per direction [GB/s]")


class Embodied(_Strict):
    """Manufacturing (embodied) carbon of one device and its share of the host server."""

    device_kgco2e: float = Field(ge=0, description="one accelerator package incl. HBM [kgCO2e]")
    host_kgco2e: float = Field(
        ge=0, description="host server (CPU, DRAM, board, chassis) per accelerator [kgCO2e]"
    )
    basis: str = Field(description="how the figures were obtained (measured LCA, die-area model…)")


class Accelerator(Entry):
    """An accelerator: dense peak throughput per precision, memory, networks, power."""

    vendor: str
    year: int = Field(ge=2010, le=2035)
    kind: Literal["gpu", "tpu", "asic", "wafer-scale", "dataflow", "neuromorphic", "photonic"]
    peak_tflops: dict[str, float] = Field(description="dense (no sparsity) peak [TFLOP/s]")
    memory_gb: float = Field(gt=0, description="device memory (HBM) as the datasheet states it [GB]")
    memory_runtime_gb: float | None = Field(
        default=None,
        gt=0,
        description=(
            "device memory the runtime reports as its total (nvidia-smi, KFD), before the CUDA "
            "context; datasheets' '80GB' is GiB [GB = 1e9 B]; None: not measured, memory_gb is used"
        ),
    )
    memory_bandwidth_tb_s: float = Field(gt=0, description="device memory bandwidth [TB/s]")
    matmul_efficiency_bf16: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description=(
            "measured maximum achievable BF16 matmul throughput / dense BF16 peak (MAMF, best "
            "large shape) [-]; None: not measured, training GEMMs use the A100-fitted efficiency"
        ),
    )
    scale_up: ScaleUp
    scale_out: ScaleOut
    tdp_w: float = Field(gt=0, description="thermal design power of one device [W]")
    idle_w: float = Field(ge=0, description="idle power of one device [W]")
    devices_per_node: int = Field(default=8, ge=1, description="accelerators per host [-]")
    host_power_w: float = Field(
        ge=0,
        description="host power per accelerator at load: CPUs, DRAM, NICs, fans, PSU losses [W]",
    )
    process: str | None = Field(default=None, description="process node, e.g. 'TSMC 4N'")
    die_area_mm2: float | None = Field(default=None, gt=0, description="compute die(s) area [mm²]")
    embodied: Embodied
    price_usd: float | None = Field(default=None, gt=0, description="purchase price per device [USD]")
    hourly_usd: float | None = Field(
        default=None, gt=0, description="typical cloud price per device-hour [USD/h]"
    )

    @field_validator("peak_tflops")
    @classmethod
    def _known_precisions(cls, v: dict[str, float]) -> dict[str, float]:
        bad = sorted(set(v) - set(PRECISIONS))
        if bad:
            raise ValueError(f"unknown precision(s) {bad}; allowed: {list(PRECISIONS)}")
        if any(x <= 0 for x in v.values()):
            raise ValueError("peak_tflops values must be > 0")
        return v

    @property
    def memory_total_gb(self) -> float:
        """Device memory a training run's memory check compares with: the runtime's total where
        measured, else the datasheet figure [GB]; the runtime reserve comes off it."""
        return self.memory_runtime_gb if self.memory_runtime_gb is not None else self.memory_gb

    @model_validator(mode="after")
    def _idle_below_tdp(self) -> Accelerator:
        if self.idle_w >= self.tdp_w:
            raise ValueError(f"idle_w {self.idle_w} W must be below tdp_w {self.tdp_w} W")
        return self


class MoE(_Strict):
    """Mixture-of-experts FFN."""

    n_experts: int = Field(ge=1, description="routed experts per MoE layer [-]")
    top_k: int = Field(ge=1, description="routed experts per token [-]")
    n_shared_experts: int = Field(default=0, ge=0, description="always-active experts [-]")
    d_ff_expert: int = Field(ge=1, description="hidden size of one expert [-]")
    dense_layers: int = Field(default=0, ge=0, description="leading layers with a dense FFN [-]")
    moe_layer_interval: int = Field(default=1, ge=1, description="1 = every layer is MoE [-]")
    max_nodes_per_token: int = Field(
        default=0,
        ge=0,
        description="node-limited routing: most nodes a token's routed experts may span (0: no limit) [-]",
    )

    @model_validator(mode="after")
    def _k_le_n(self) -> MoE:
        if self.top_k > self.n_experts:
            raise ValueError(f"top_k {self.top_k} > n_experts {self.n_experts}")
        return self


class Model(_Strict):
    """A transformer language model's architecture (decoder-only)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    source: list[Source] = Field(default_factory=list)
    note: str | None = None
    n_layers: int = Field(ge=1)
    d_model: int = Field(ge=1)
    n_heads: int = Field(ge=1)
    n_kv_heads: int | None = Field(default=None, ge=1, description="default n_heads (MHA)")
    head_dim: int | None = Field(default=None, ge=1, description="default d_model / n_heads")
    d_ff: int | None = Field(default=None, ge=1, description="default 4·d_model")
    ffn: Literal["gelu", "swiglu"] = "gelu"
    vocab_size: int = Field(ge=1)
    seq_len: int = Field(ge=1, description="context length the model was trained with [tokens]")
    max_context: int | None = Field(
        default=None,
        ge=1,
        description="longest context the released model supports (after context extension) [tokens]; "
        "default seq_len",
    )
    tied_embeddings: bool = False
    learned_positions: bool = Field(default=False, description="learned absolute position table")
    attention: Literal["mha", "mla"] = "mha"
    relative_position_projection: bool = Field(
        default=False,
        description="Transformer-XL relative-position key projection W_R (d_model² per layer)",
    )
    mla: dict[str, int] | None = Field(
        default=None,
        description="MLA ranks (q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim)",
    )
    moe: MoE | None = None
    attention_window: int | None = Field(
        default=None, ge=1, description="keys a windowed (sliding / banded) attention layer sees [tokens]"
    )
    windowed_layer_share: float = Field(
        default=0.0, ge=0, le=1, description="share of layers whose attention is windowed [-]"
    )
    params_total: float | None = Field(default=None, gt=0, description="published total [params]")
    params_active: float | None = Field(default=None, gt=0, description="published active [params]")
    train_tokens: float | None = Field(default=None, gt=0, description="published training tokens")

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"id {v!r} must be lower case letters, digits, '.' and '-'")
        return v

    @model_validator(mode="after")
    def _heads(self) -> Model:
        kv = self.n_kv_heads or self.n_heads
        if self.n_heads % kv:
            raise ValueError(f"n_heads {self.n_heads} is not a multiple of n_kv_heads {kv}")
        if self.head_dim is None and self.d_model % self.n_heads:
            raise ValueError(
                f"d_model {self.d_model} is not divisible by n_heads {self.n_heads}; give head_dim"
            )
        if self.attention == "mla" and not self.mla:
            raise ValueError("attention 'mla' needs the 'mla' ranks")
        if self.windowed_layer_share > 0 and self.attention_window is None:
            raise ValueError("windowed_layer_share > 0 needs attention_window (tokens)")
        return self

    @property
    def kv_heads(self) -> int:
        return self.n_kv_heads or self.n_heads

    @property
    def context_limit(self) -> int:
        """Longest context the model supports: ``max_context``, else ``seq_len`` [tokens]."""
        return max(self.max_context or 0, self.seq_len)

    @property
    def dh(self) -> int:
        """Per-head dimension [-]."""
        return self.head_dim or self.d_model // self.n_heads

    @property
    def ffn_hidden(self) -> int:
        return self.d_ff or 4 * self.d_model


class Region(Entry):
    """A place: its grid, electricity price and typical data-centre efficiency."""

    grid_gco2_kwh: float = Field(ge=0, description="average grid carbon intensity [gCO2e/kWh]")
    grid_year: int = Field(ge=2000, le=2100, description="year the intensity refers to")
    price_usd_mwh: float = Field(gt=0, description="industrial/wholesale electricity price [USD/MWh]")
    pue: float = Field(ge=1.0, le=3.0, description="typical data-centre PUE [-]")
    wue_l_kwh: float = Field(ge=0, description="on-site water use per IT kWh [L/kWh]")
    water_l_kwh_electricity: float = Field(
        ge=0, description="water consumed generating one kWh of the grid's electricity [L/kWh]"
    )


class Assumption(Entry):
    """A sourced constant the models use (lifetimes, overheads, efficiencies)."""

    value: float
    unit: str
