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
    # a ring step attends one s/cp chunk of keys per kernel call, the all-gather the whole
    # sequence in one call: the longer call runs nearer the kernel's long-sequence rate
    assert gather["compute_s"] < ring["compute_s"]


def test_fused_attention_runs_nearer_its_long_sequence_rate_on_longer_kernel_calls():
    # the FlashAttention-3 paper's H100 curves: each query tile's fixed cost weighs less as the
    # keys per call grow, and a causal mask's diagonal blocks are a smaller share
    import numpy as np

    from scalewall.performance.step import flash_attention_rates

    cal = Calibration.from_catalog()
    keys = np.array([64.0, 256.0, 1024.0, 4096.0, 65536.0])
    eta, ratio = flash_attention_rates(keys, 2 * keys, cal.flash_attention_efficiency, cal)
    assert np.all(np.diff(eta) > 0) and np.all(np.diff(ratio) > 0)
    assert np.all(eta < cal.flash_attention_efficiency)
    assert np.all(ratio < cal.flash_attention_backward_ratio)
    # cuDNN causal at 512 tokens (256 keys per query): 315 TFLOP/s of 989 (0.32)
    assert abs(float(eta[1]) - 315 / 989.4) < 0.02


def test_a_ring_context_parallel_step_attends_one_chunk_so_more_ranks_slow_its_attention():
    ring8 = Plan(
        tp=8, pp=16, dp=8, cp=8, micro_batch=1, global_batch=128, interleave=8, zero=2, sequence_parallel=True
    )
    r8 = evaluate(_LLAMA, _H100, PlanArrays.from_plans([ring8]), 131072, "bf16", STACKS["modern"])
    r16 = _step("modern")
    # the same sequence split over twice the ranks: per device half the attention work, but in
    # calls of 8K keys rather than 16K, so more than half the time
    assert float(r8["compute_s"][0]) / 2 < r16["compute_s"] < float(r8["compute_s"][0])
