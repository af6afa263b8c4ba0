"""Pydantic schema of serving-engine profiles (catalogue ``engines``, ``data/engines.yaml``).

A profile is the small set of factors by which one serving engine (vLLM, SGLang, TensorRT-LLM)
differs from another on the same hardware, each with a physical reading:

- ``memory_fraction`` and ``memory_fraction_of``: share of device memory the engine takes for
  weights, activations and the KV cache (vLLM ``gpu_memory_utilization``, SGLang
  ``mem_fraction_static``), or share of what the weights leave that the KV cache takes
  (TensorRT-LLM ``kv_cache_free_gpu_mem_fraction``) [-];
- ``admission``: KV cache reserved at each request's current length with pre-emption when it
  fills (``current``), or at its full length so that no request is evicted (``full``);
- ``chunked_prefill``: whether new prompts are prefilled in chunks inside decode steps (the
  median inter-token latency then includes a prefill chunk once arrivals per step reach ½);
- per accelerator, ``kv_read_efficiency`` (achieved / peak HBM bandwidth of decode attention over
  the paged KV cache, an effective kernel efficiency) [-], ``step_overhead_s`` (engine time per
  step outside GPU kernels: scheduling, sampling, input preparation) [s] and
  ``kernel_overhead_s`` (fixed time of each of a decode step's small kernels beyond its
  roofline: launch or graph replay, ramp-up and tail; it makes the step grow with the layers) [s]
  and, where fitted, ``gemm_efficiency`` (achieved / peak of the engine's matrix multiplies at
  its precision, e.g. FP8 GEMMs reach a lower share of their peak than BF16 ones) [-].

An accelerator a profile does not list uses the calibration's reference factors
(``kv-read-efficiency``, ``serving-step-overhead-s``, ``serving-kernel-overhead-s``: vLLM on
H100), and the result says so.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scalewall.catalog.schema import Entry

__all__ = ["EngineFactors", "EngineProfile"]


class EngineFactors(BaseModel):
    """Factors of one engine on one accelerator; ``None`` uses the calibration's reference."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kv_read_efficiency: float | None = Field(
        default=None, gt=0, le=1, description="decode attention HBM efficiency [-]"
    )
    step_overhead_s: float | None = Field(default=None, ge=0, description="engine time per step [s]")
    kernel_overhead_s: float | None = Field(
        default=None, ge=0, description="fixed time per kernel of a decode step (launch, ramp, tail) [s]"
    )
    gemm_efficiency: float | None = Field(
        default=None, gt=0, le=1, description="achieved / peak throughput of the engine's GEMMs [-]"
    )
    fitted_on: str = Field(description="the published table or rows these factors were fitted on")


class EngineProfile(Entry):
    """A serving engine's profile (see the module docstring for each factor's reading)."""

    memory_fraction: float = Field(gt=0, le=1, description="memory share the engine takes [-]")
    memory_fraction_of: Literal["device", "free"] = Field(
        default="device",
        description="share of the device's memory (vLLM, SGLang) or of what the weights leave "
        "(TensorRT-LLM kv_cache_free_gpu_mem_fraction)",
    )
    admission: Literal["current", "full"] = Field(
        default="current",
        description="KV cache reserved at each request's current length, pre-empting when full "
        "(paged, vLLM), or at its full prompt + answer length so nothing is evicted "
        "(TensorRT-LLM GUARANTEED_NO_EVICT)",
    )
    chunked_prefill: bool = Field(description="prefill chunks ride in decode steps")
    accelerators: dict[str, EngineFactors] = Field(
        default_factory=dict, description="factors by accelerator id"
    )

    def factors(self, accelerator_id: str) -> EngineFactors | None:
        """The factors fitted for ``accelerator_id``, or ``None`` where the profile has none."""
        return self.accelerators.get(accelerator_id)
