"""The ``megatron-core-hybridep`` profile: Megatron-Core with the flex (DeepEP / HybridEP) MoE
dispatcher, as the Megatron-Bridge recipes run DeepSeek-V3 and Qwen3 on GB200."""

from __future__ import annotations

from scalewall import catalog
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.performance.step import evaluate
from scalewall.workload.transformer import model_dims

_GB200 = catalog.accelerator("gb200")
_EP8 = Plan(tp=1, pp=1, dp=1, ep=8, micro_batch=4, global_batch=512, zero=1)


def _step(model: str, stack: str) -> float:
    d = model_dims(catalog.model(model))
    return float(
        evaluate(d, _GB200, PlanArrays.from_plans([_EP8]), 4096, "fp8", STACKS[stack])["step_time_s"][0]
    )


def test_flex_dispatcher_is_faster_for_moe_and_identical_for_dense():
    assert _step("qwen3-30b-a3b", "megatron-core-hybridep") < _step("qwen3-30b-a3b", "megatron-core")
    dense = Plan(tp=1, pp=1, dp=8, micro_batch=2, global_batch=128, zero=1)
    d = model_dims(catalog.model("llama-3.1-8b"))
    a, b = (
        float(evaluate(d, _GB200, PlanArrays.from_plans([dense]), 8192, "fp8", STACKS[s])["step_time_s"][0])
        for s in ("megatron-core", "megatron-core-hybridep")
    )
    assert a == b


def test_hybridep_profile_is_reachable_by_its_aliases():
    assert catalog.get("stacks", "deepep").id == "megatron-core-hybridep"
