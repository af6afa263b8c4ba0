"""The fitted and measured efficiency factors of the physics, as one value passed in.

The performance and power models read their factors from a :class:`Calibration` argument rather
than from a global lookup, so a refit (:mod:`scalewall.validate.calibrate`), a sweep or the
outlook can run a variant without patching modules. ``None`` wherever a function takes one means
the catalogue's (``calibration.yaml``), built once by :meth:`Calibration.from_catalog`.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scalewall.catalog.loader import entries, format_validation_error
from scalewall.catalog.schema import Assumption
from scalewall.errors import CatalogError, InputError, closest_hint

__all__ = ["Calibration"]


class Calibration(BaseModel):
    """Efficiency factors of the performance and power models, one field per entry of
    ``calibration.yaml`` (its id with ``_`` for ``-``).

    Attributes
    ----------
    gemm_efficiency : achieved / peak throughput of large dense matrix multiplies [-].
        FITTED on Korthikanti 2022 Table 5, full-recomputation column (4 A100 cases); CHECKED on
        its seq+sel column, Narayanan 2021 Table 1 and Llama 3 Table 4.
    gemm_reference_matmul_efficiency : measured maximum achievable matmul / peak of the A100 the
        GEMM efficiency was fitted on [-]; an accelerator with its own measured figure runs its
        training GEMMs at ``gemm_efficiency`` times its figure over this one.
    hbm_efficiency : achieved / peak HBM bandwidth of streaming kernels [-].
        Measured (BabelStream Triad on A100 and H100).
    scale_up_efficiency : achieved bus bandwidth / per-direction NVLink bandwidth of NCCL
        collectives [-]. Measured (nccl-tests on 8x A100).
    scale_out_efficiency : achieved / line-rate bandwidth of NCCL collectives over InfiniBand or
        RoCE [-]. Measured (nccl-tests, multi-node).
    link_latency_s : latency per step of a ring collective or point-to-point message [s].
        Estimate (NCCL small-message latency).
    kernel_overhead_s : fixed time per GPU kernel, launch and tail [s]. Estimate (CUDA guide).
    flash_attention_efficiency : long-sequence achieved / 16-bit peak throughput of fused
        attention forward (cuDNN class) [-].
    flash_attention_half_keys : keys per query (per kernel call) at which fused attention
        forward reaches half that throughput [keys].
    flash_attention_backward_ratio : long-sequence throughput per FLOP of fused attention
        backward over its forward [-].
    flash_attention_backward_half_keys : the backward's half-throughput keys per query [keys].
        These four are FITTED (:func:`~scalewall.validate.calibrate.fit_flash_attention`) on the
        FlashAttention-3 paper's H100 kernel curves (cuDNN and FlashAttention-2, head dim 128,
        512-16K tokens); the backward CHECKED on FlashAttention-3's curve.
    runtime_reserved_gb : device memory not available to the model [GB]. Estimate.
    serving_step_overhead_s : fixed time per decode step of a serving engine [s].
        FITTED jointly (:func:`~scalewall.validate.calibrate.fit_serving`) on ML.ENERGY v3
        Llama-3.1-8B on one H100, batch 8/128/512 (ITL, throughput, power); CHECKED on
        Llama-3.1-70B TP4.
    small_collective_latency_s : latency of one small-message all-reduce or all-to-all inside a
        scale-up domain (serving) [s]. FITTED on ML.ENERGY v3 Llama-3.1-70B on 4 H100 (TP4),
        batch 8 (median ITL).
    kv_read_efficiency : achieved / peak HBM bandwidth of decode attention reading a paged KV
        cache [-]. FITTED jointly with ``serving_step_overhead_s`` on the ML.ENERGY v3
        Llama-3.1-8B rows; an effective factor absorbing all batch x context work of a decode step.
    power_per_flop_utilisation : share of (TDP - idle) drawn per unit of FLOP utilisation,
        ``k_flop`` [-]. FITTED jointly with the serving factors on the ML.ENERGY v3 Llama-3.1-8B
        rows (power); CHECKED on Llama-3.1-70B TP4 and Patterson 2021 Table 4 (GPT-3 on V100).
    power_per_hbm_utilisation : share of (TDP - idle) drawn per unit of HBM bandwidth
        utilisation, ``k_hbm`` [-]. FITTED with ``power_per_flop_utilisation``.
    serving_kernel_overhead_s : fixed time of each small kernel of a serving decode step beyond
        its roofline (launch or graph replay, ramp-up, tail) [s]. FITTED with
        ``serving_step_overhead_s``.
    power_per_busy_time : share of (TDP - idle) drawn while the device runs kernels, whatever
        their FLOP or byte rate, ``k_busy`` [-]. FITTED with ``power_per_flop_utilisation``.
    fp8_gemm_speedup : throughput of FP8 GEMMs over 16-bit GEMMs in training [-].
    mxfp8_gemm_ratio : throughput of block-scaled MXFP8 GEMMs over per-tensor FP8 GEMMs in
        training [-]. FITTED (:func:`~scalewall.validate.calibrate.fit_mxfp8_gemm_ratio`) on the
        7 dense same-plan FP8-CS / FP8-MX pairs of Megatron-Bridge 25.09 and 25.11.
    grouped_gemm_half_rows : tokens per expert at which a grouped expert GEMM reaches half the
        large-GEMM efficiency [-].
    moe_layer_overhead_s : fixed time of one MoE layer forward (router, top-k, launches) [s].
    alltoall_dispatcher_copy_bytes : exposed time of the dropless all-to-all dispatcher
        (host-synchronised, uneven-split NCCL all-to-all plus its routing-map and index
        permutations) per token copy it sends off the device, on either tier, per dispatch or
        combine, beyond the transfer and serial with it; expressed as HBM bytes at the achieved
        HBM bandwidth, whatever the hidden size [B]. FITTED on the H100 rows of the modern set
        (:func:`~scalewall.validate.calibrate.fit_modern_training`); CHECKED on B200/GB200.
        These four are FITTED jointly (:func:`~scalewall.validate.calibrate.fit_modern_training`)
        on the DGX-H100 rows of NeMo 24.07 and Megatron-Bridge 25.11; CHECKED on B200/GB200.
    training_goodput : share of a whole run's wall-clock time spent training [-]. Measured
        (Llama 3 405B, > 90 % effective training time).

    Notes
    -----
    Frozen: make a variant with :meth:`replace`, which validates the new values (a plain
    ``model_copy(update=...)`` does not). The sources of each factor are in the catalogue
    (``scalewall catalog list calibration``).

    Examples
    --------
    >>> cal = Calibration.from_catalog().replace(gemm_efficiency=0.6)
    >>> cal.gemm_efficiency
    0.6
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    gemm_efficiency: float = Field(gt=0, le=1, description="[-]")
    gemm_reference_matmul_efficiency: float = Field(gt=0, le=1, description="[-]")
    hbm_efficiency: float = Field(gt=0, le=1, description="[-]")
    scale_up_efficiency: float = Field(gt=0, le=1, description="[-]")
    scale_out_efficiency: float = Field(gt=0, le=1, description="[-]")
    link_latency_s: float = Field(ge=0, description="[s]")
    kernel_overhead_s: float = Field(ge=0, description="[s]")
    flash_attention_efficiency: float = Field(gt=0, le=1, description="[-]")
    flash_attention_half_keys: float = Field(ge=0, description="[keys]")
    flash_attention_backward_ratio: float = Field(gt=0, le=1, description="backward / forward [-]")
    flash_attention_backward_half_keys: float = Field(ge=0, description="[keys]")
    runtime_reserved_gb: float = Field(ge=0, description="[GB]")
    serving_step_overhead_s: float = Field(ge=0, description="[s]")
    small_collective_latency_s: float = Field(ge=0, description="[s]")
    kv_read_efficiency: float = Field(gt=0, le=1, description="[-]")
    power_per_flop_utilisation: float = Field(ge=0, description="k_flop [-]")
    power_per_hbm_utilisation: float = Field(ge=0, description="k_hbm [-]")
    power_per_busy_time: float = Field(ge=0, description="k_busy [-]")
    serving_kernel_overhead_s: float = Field(ge=0, description="[s]")
    fp8_gemm_speedup: float = Field(ge=1, le=2, description="FP8 / 16-bit GEMM throughput [-]")
    mxfp8_gemm_ratio: float = Field(gt=0, le=1.5, description="MXFP8 / per-tensor FP8 GEMM throughput [-]")
    grouped_gemm_half_rows: float = Field(ge=0, description="rows per expert at half efficiency [-]")
    moe_layer_overhead_s: float = Field(ge=0, description="fixed time per MoE layer forward [s]")
    alltoall_dispatcher_copy_bytes: float = Field(
        ge=0, description="HBM-equivalent bytes per routed token copy [B]"
    )
    training_goodput: float = Field(gt=0, le=1, description="training share of wall-clock time [-]")

    @classmethod
    def from_catalog(cls) -> Calibration:
        """The factors shipped in ``calibration.yaml`` (built once, then cached).

        Raises
        ------
        CatalogError
            If the file has a factor this class has no field for, or lacks one it needs.
        """
        return _from_catalog()

    @classmethod
    def _field(cls, name: str) -> str:
        """The field of a factor given by field name or catalogue id; unknown names raise
        :class:`CatalogError` listing the closest."""
        key = str(name).strip().lower().replace("-", "_")
        if key in cls.model_fields:
            return key
        ids = [f.replace("_", "-") for f in cls.model_fields]
        hint = closest_hint(str(name).replace("_", "-"), ids, n=4)
        raise CatalogError(
            f"unknown calibration factor {name!r}{hint} (see `scalewall catalog list calibration`)"
        )

    def get(self, factor: str) -> float:
        """The value of one factor, by catalogue id (``gemm-efficiency``) or field name [its unit].

        Raises
        ------
        CatalogError
            If no factor has that name; the message lists the closest.
        """
        return getattr(self, self._field(factor))

    def changed(self) -> dict[str, float]:
        """The factors that differ from the catalogue's, by catalogue id [each factor's unit]
        (empty for the catalogue's own): what a result computed with a variant must say."""
        ref = Calibration.from_catalog()
        return {
            f.replace("_", "-"): getattr(self, f)
            for f in type(self).model_fields
            if getattr(self, f) != getattr(ref, f)
        }

    def replace(self, **changes: float) -> Calibration:
        """A copy with some factors changed, validated.

        Parameters
        ----------
        **changes : new values by field name (``gemm_efficiency=0.6``); catalogue ids work too,
            passed as ``**{"gemm-efficiency": 0.6}`` [each factor's unit]

        Raises
        ------
        CatalogError
            If a name is not a factor (the message lists the closest).
        InputError
            If a value is out of its range (an efficiency outside (0, 1], a negative time).
        """
        update = {self._field(k): v for k, v in changes.items()}
        try:
            return type(self).model_validate({**self.model_dump(), **update})
        except ValidationError as exc:
            raise InputError(format_validation_error(exc, "calibration")) from None


@cache
def _from_catalog() -> Calibration:
    factors = cast("dict[str, Assumption]", entries("calibration"))
    values: dict[str, Any] = {eid.replace("-", "_"): e.value for eid, e in factors.items()}
    fields = set(Calibration.model_fields)
    extra = sorted(set(values) - fields)
    missing = sorted(fields - set(values))
    problems = []
    if extra:
        problems.append("no field for " + ", ".join(x.replace("_", "-") for x in extra))
    if missing:
        problems.append("missing " + ", ".join(x.replace("_", "-") for x in missing))
    if problems:
        raise CatalogError(
            "calibration.yaml and scalewall.catalog.calibration.Calibration disagree: " + "; ".join(problems)
        )
    try:
        return Calibration.model_validate(values)
    except ValidationError as exc:
        raise CatalogError(format_validation_error(exc, "calibration.yaml")) from None
