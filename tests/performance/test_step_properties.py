"""Invariants of the modern-stack step model (issue 13), over random plans (hypothesis).

Physics: hiding communication behind compute never lengthens a step; keeping fewer activation
bytes (FP8 casts, offload) never needs more memory; a fixed cost per MoE layer never shortens one;
the host-synchronised all-to-all dispatcher is never faster than fused (flex) or token-drop dispatch;
a node-deduplicating (flex) dispatch never sends more over the scale-out network than copies per expert.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.catalog.calibration import Calibration
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.performance.step import evaluate, memory
from scalewall.workload.transformer import model_dims

MODELS = ("llama-3.1-8b", "qwen3-30b-a3b", "mixtral-8x7b")


@pytest.fixture(scope="module")
def dims():
    return {m: (model_dims(catalog.model(m)), catalog.model(m)) for m in MODELS}


plans = st.builds(
    lambda tp, pp, ep, cp, mb, m, v, rc, z: (tp, pp, ep, cp, mb, m, v, rc, z),
    st.sampled_from([1, 2, 4, 8]),
    st.sampled_from([1, 2, 4]),
    st.sampled_from([1, 2, 8]),
    st.sampled_from([1, 2]),
    st.sampled_from([1, 2, 4]),
    st.sampled_from([4, 8, 16]),
    st.sampled_from([1, 2]),
    st.sampled_from(["none", "selective", "full"]),
    st.sampled_from([1, 3]),
)


def _plan(spec, offload=0):
    tp, pp, ep, cp, mb, m, v, rc, z = spec
    v = v if pp > 1 else 1
    return Plan(
        tp=tp,
        pp=pp,
        dp=2,
        cp=cp,
        ep=ep,
        micro_batch=mb,
        global_batch=2 * ep * mb * m * pp,
        interleave=v,
        recompute=rc,
        sequence_parallel=tp > 1,
        zero=z,
        offload_layers=offload,
    )


@settings(max_examples=60, deadline=None)
@given(spec=plans, model=st.sampled_from(MODELS), acc=st.sampled_from(["h100-sxm", "gb200"]))
def test_overlapping_tp_or_ep_communication_never_lengthens_a_step(dims, spec, model, acc):
    d, _ = dims[model]
    a = catalog.accelerator(acc)
    P = PlanArrays.from_plans([_plan(spec)])
    base = STACKS["modern"]
    t0 = evaluate(d, a, P, 4096, "bf16", base)["step_time_s"]
    for change in ({"tp_comm_overlap": 1.0}, {"ep_comm_overlap": 1.0}):
        t1 = evaluate(d, a, P, 4096, "bf16", base.model_copy(update=change))["step_time_s"]
        assert np.all(t1 <= t0 * (1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(spec=plans, model=st.sampled_from(MODELS), offload=st.integers(0, 8))
def test_fp8_casts_and_offload_never_need_more_memory(dims, spec, model, offload):
    d, _ = dims[model]
    a = catalog.accelerator("h100-sxm")
    st_ = STACKS["megatron-core"]
    P0 = PlanArrays.from_plans([_plan(spec)])
    P1 = PlanArrays.from_plans([_plan(spec, offload)])
    bf16 = memory(d, a, P0, 4096, st_, precision="bf16")["memory_per_device_gb"]
    fp8 = memory(d, a, P0, 4096, st_, precision="fp8")["memory_per_device_gb"]
    off = memory(d, a, P1, 4096, st_, precision="fp8")["memory_per_device_gb"]
    assert np.all(fp8 <= bf16) and np.all(off <= fp8)


@settings(max_examples=40, deadline=None)
@given(spec=plans, overhead=st.floats(0.0, 5e-3))
def test_a_fixed_moe_layer_cost_never_shortens_a_step(dims, spec, overhead):
    d, _ = dims["qwen3-30b-a3b"]
    a = catalog.accelerator("b200")
    P = PlanArrays.from_plans([_plan(spec)])
    cal = Calibration.from_catalog()
    t0 = evaluate(d, a, P, 4096, "fp8", STACKS["megatron-core"], cal.replace(moe_layer_overhead_s=0.0))
    t1 = evaluate(d, a, P, 4096, "fp8", STACKS["megatron-core"], cal.replace(moe_layer_overhead_s=overhead))
    assert np.all(t1["step_time_s"] >= t0["step_time_s"])


@settings(max_examples=40, deadline=None)
@given(spec=plans, acc=st.sampled_from(["h100-sxm", "b200", "gb200"]))
def test_the_host_synchronised_alltoall_dispatcher_is_never_faster_than_flex_or_token_drop(dims, spec, acc):
    # the dropless alltoall dispatcher moves its NVLink share at the collective scale-up-efficiency
    # as HybridEP (flex) and token-drop routing do, and pays alltoall-dispatcher-copy-bytes of HBM
    # time per routed token copy on top
    d, _ = dims["qwen3-30b-a3b"]
    a = catalog.accelerator(acc)
    P = PlanArrays.from_plans([_plan(spec)])
    mc = STACKS["megatron-core"]
    synced = evaluate(d, a, P, 4096, "fp8", mc)["step_time_s"]
    flex = evaluate(d, a, P, 4096, "fp8", mc.model_copy(update={"moe_token_dispatcher": "flex"}))
    drop = evaluate(d, a, P, 4096, "fp8", mc.model_copy(update={"moe_dropless": False}))
    assert np.all(flex["step_time_s"] <= synced + 1e-12)
    # flex also sends a token once per remote node (never more bytes than token-drop's copies)
    # and pays one link latency per dispatch, not one per peer
    assert np.all(flex["step_time_s"] <= drop["step_time_s"] * (1 + 1e-12))
    tp, ep = spec[0], spec[2]
    if ep <= a.scale_up.domain // tp:
        # inside one scale-up domain the two move the same bytes at the same efficiency: without
        # link latency they take the same time
        cal0 = Calibration.from_catalog().replace(link_latency_s=0.0)
        flex0 = evaluate(d, a, P, 4096, "fp8", mc.model_copy(update={"moe_token_dispatcher": "flex"}), cal0)
        drop0 = evaluate(d, a, P, 4096, "fp8", mc.model_copy(update={"moe_dropless": False}), cal0)
        assert np.allclose(flex0["step_time_s"], drop0["step_time_s"])
    if spec[2] == 1:  # no expert parallelism: no all-to-all, the dispatcher does not matter
        assert np.allclose(flex["step_time_s"], synced)


def test_dense_models_do_not_depend_on_the_moe_token_dispatcher(dims):
    d, _ = dims["llama-3.1-8b"]
    a = catalog.accelerator("h100-sxm")
    P = PlanArrays.from_plans([_plan((2, 2, 1, 1, 1, 8, 2, "none", 1))])
    mc = STACKS["megatron-core"]
    flex = mc.model_copy(update={"moe_token_dispatcher": "flex"})
    assert evaluate(d, a, P, 4096, "bf16", mc)["step_time_s"] == pytest.approx(
        evaluate(d, a, P, 4096, "bf16", flex)["step_time_s"]
    )


@settings(max_examples=40, deadline=None)
@given(spec=plans, model=st.sampled_from(MODELS), acc=st.sampled_from(["b200", "gb200", "gb300", "b300"]))
def test_block_scaled_mxfp8_is_never_faster_than_per_tensor_fp8_and_keeps_its_memory(dims, spec, model, acc):
    # MXFP8 quantises every GEMM input twice (row- and column-wise blocks) and its block-scaled
    # GEMMs run at mxfp8-gemm-ratio (< 1) of per-tensor FP8's rate; both keep FP8 casts for backward
    d, _ = dims[model]
    a = catalog.accelerator(acc)
    P = PlanArrays.from_plans([_plan(spec)])
    st_ = STACKS["megatron-core"]
    fp8 = evaluate(d, a, P, 4096, "fp8", st_)
    mx = evaluate(d, a, P, 4096, "mxfp8", st_)
    assert np.all(mx["step_time_s"] >= fp8["step_time_s"])
    np.testing.assert_allclose(mx["memory_per_device_gb"], fp8["memory_per_device_gb"])
    # with a ratio of 1 only the second quantised copy is left, at most a few per cent of the step
    same = evaluate(d, a, P, 4096, "mxfp8", st_, Calibration.from_catalog().replace(mxfp8_gemm_ratio=1.0))
    assert np.all(same["step_time_s"] >= fp8["step_time_s"])
    assert np.all(same["step_time_s"] <= 1.05 * fp8["step_time_s"])
