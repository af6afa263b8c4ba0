"""Selective checkpointing by stack (issue 13): torchtitan's op-level policy saves every matmul
output except every second ``aten.mm`` of a layer, so backward recomputes K, the output projection
and one FFN matrix in 16-bit; its FP8 scaled matmuls are all saved."""

from __future__ import annotations

from scalewall import catalog
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.performance.step import evaluate
from scalewall.workload.transformer import model_dims

_D = model_dims(catalog.model("llama-3.1-8b"))
_H100 = catalog.accelerator("h100-sxm")
_PLAN = Plan(tp=1, pp=1, dp=8, micro_batch=2, global_batch=16, zero=3, recompute="selective")


def _recompute_s(stack: str, precision: str) -> float:
    r = evaluate(_D, _H100, PlanArrays.from_plans([_PLAN]), 8192, precision, STACKS[stack])
    return float(r["recompute_s"][0])


def test_torchtitan_selective_recomputes_every_second_16bit_matmul():
    titan, mcore = _recompute_s("torchtitan", "bf16"), _recompute_s("modern", "bf16")
    # K (1,024 wide), O (4,096) and W3 (14,336) of 4,096-wide Llama 3.1 8B: ~36 % of the
    # forward matmul FLOPs, far above the memory-bound norms and activations Megatron recomputes
    assert titan > 3 * mcore > 0


def test_torchtitan_float8_saves_its_scaled_matmuls():
    assert _recompute_s("torchtitan", "fp8") == _recompute_s("modern", "fp8")
