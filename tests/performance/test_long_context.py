"""Long-context physics of the step model (issue 13): attention backward runs below forward's rate
per FLOP (FlashAttention-3 paper, H100: 0.86 for FA2, FA3 and cuDNN alike), and Llama 3's
all-gather context parallelism exposes its K/V gathers where a ring hides them."""

from __future__ import annotations

from scalewall import catalog
from scalewall.catalog.calibration import Calibration
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.performance.step import evaluate
from scalewall.workload.transformer import model_dims

_LLAMA = model_dims(catalog.model("llama-3.1-405b"))
_H100 = catalog.accelerator("h100-sxm")
_LONG = Plan(
    tp=8, pp=16, dp=8, cp=16, micro_batch=1, global_batch=128, interleave=8, zero=2, sequence_parallel=True
)


def _step(stack: str, seq: int = 131072, cal: Calibration | None = None) -> dict:
    r = evaluate(_LLAMA, _H100, PlanArrays.from_plans([_LONG]), seq, "bf16", STACKS[stack], cal)
    return {k: float(v[0]) for k, v in r.items()}


def test_slower_attention_backward_costs_most_where_attention_dominates():
    cal = Calibration.from_catalog()
    equal = cal.replace(flash_attention_backward_ratio=1.0)
    long_cost = _step("modern", cal=cal)["compute_s"] / _step("modern", cal=equal)["compute_s"]
    short_cost = _step("modern", 8192, cal)["compute_s"] / _step("modern", 8192, equal)["compute_s"]
    assert long_cost > short_cost > 1.0


def test_all_gather_context_parallelism_exposes_its_gathers_and_a_ring_hides_them():
    ring, gather = _step("modern"), _step("llama3")
    assert ring["cp_comm_s"] == 0.0  # K/V ring fully behind 128K attention
    assert gather["cp_comm_s"] > 0.0
    assert gather["step_time_s"] > ring["step_time_s"]
    assert gather["compute_s"] == ring["compute_s"]
