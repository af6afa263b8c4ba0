"""The training estimator's answer: contract fields, conventions and clear errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scalewall import catalog
from scalewall.catalog.calibration import Calibration
from scalewall.commands.train import TrainingRequest, estimate_training
from scalewall.errors import CatalogError, InfeasiblePlanError

CONTRACT = {
    "plan", "step_time_s", "tokens_per_s", "mfu", "hfu", "wall_clock_days", "device_hours",
    "memory_per_device_gb", "memory_capacity_gb", "breakdown_s", "bottleneck", "energy_mwh",
    "avg_power_mw", "co2e_t", "water_m3", "cost_usd", "assumptions", "sources",
}


def _req(**kw):
    base = dict(model=catalog.model("llama-2-7b"), accelerator=catalog.accelerator("h100-sxm"),
                devices=64, tokens=1e11)
    base.update(kw)
    return TrainingRequest(**base)


def test_result_has_every_contract_field_and_three_boundaries():
    r = estimate_training(_req()).model_dump()
    assert CONTRACT <= set(r)
    assert set(r["energy_mwh"]) == {"accelerator", "node", "facility"}
    assert set(r["co2e_t"]) == {"operational", "embodied", "total"}
    assert set(r["plan"]) >= {"tp", "pp", "dp", "cp", "ep", "micro_batch", "global_batch",
                              "interleave", "recompute", "sequence_parallel", "zero"}
    assert r["sources"], "a result must carry its sources"


def test_boundaries_are_nested_accelerator_node_facility():
    e = estimate_training(_req()).energy_mwh
    assert 0 < e["accelerator"] < e["node"] < e["facility"]


def test_energy_equals_average_power_times_wall_clock():
    r = estimate_training(_req())
    hours = r.wall_clock_days * 24
    for k in ("accelerator", "node", "facility"):
        assert r.energy_mwh[k] == pytest.approx(r.avg_power_mw[k] * hours, rel=1e-9)


def test_breakdown_parts_sum_to_step_time():
    r = estimate_training(_req())
    assert sum(r.breakdown_s.values()) == pytest.approx(r.step_time_s, rel=1e-9)


def test_modelled_power_never_exceeds_tdp_and_falls_below_it_when_devices_wait():
    tdp_w = catalog.accelerator("h100-sxm").tdp_w
    busy = estimate_training(_req(tp=1, pp=1, dp=64, cp=1, ep=1))
    tdp = estimate_training(_req(tp=1, pp=1, dp=64, cp=1, ep=1, power_model="tdp"))
    assert tdp.power_per_device_w["accelerator"] == tdp_w
    assert busy.power_per_device_w["accelerator"] <= tdp_w
    # tiny per-device batches spread over 8-way TP across nodes: mostly waiting on the network
    waiting = estimate_training(_req(tp=16, pp=1, dp=4, cp=1, ep=1, global_batch=4, seq_len=512))
    assert waiting.power_per_device_w["accelerator"] < 0.8 * tdp_w


def test_days_fix_duration_and_imply_tokens():
    r = estimate_training(_req(days=10))
    assert r.wall_clock_days == pytest.approx(10)
    # tokens_per_s is the steady state; the run trains for the goodput share of its days
    goodput = Calibration.from_catalog().training_goodput
    assert r.tokens == pytest.approx(r.tokens_per_s * goodput * 10 * 86400)


def test_region_sets_grid_and_pue(a100):
    q = catalog.region("ca-quebec")
    r = estimate_training(_req(region=q))
    assert r.energy_mwh["facility"] == pytest.approx(r.energy_mwh["node"] * q.pue)
    assert r.co2e_t["operational"] == pytest.approx(r.energy_mwh["facility"] * q.grid_gco2_kwh / 1000)


def test_memory_over_capacity_names_the_numbers():
    with pytest.raises(InfeasiblePlanError, match=r"memory per device \d+ GB > 86 GB"):
        estimate_training(_req(model=catalog.model("gpt-3-175b"), devices=8, tp=8, pp=1, dp=1,
                               cp=1, ep=1, global_batch=8, zero=0))


def test_heads_not_divisible_by_tp_is_refused():
    with pytest.raises(InfeasiblePlanError, match="not divisible by tp"):
        estimate_training(_req(model=catalog.model("gpt-3-175b"), devices=640, tp=5, pp=8,
                               dp=16, cp=1, ep=1, global_batch=1600))


def test_sizes_not_multiplying_to_devices_are_refused():
    with pytest.raises(InfeasiblePlanError, match=r"≠ 64 devices"):
        estimate_training(_req(tp=2, pp=2, dp=2, cp=1, ep=1))


def test_unknown_ids_list_the_closest():
    with pytest.raises(CatalogError, match="closest: h100-sxm"):
        catalog.accelerator("h100-sxn")
    with pytest.raises(CatalogError, match="llama-3.1-405b"):
        catalog.model("llama-3.1-450b")


def test_negative_or_absurd_values_are_refused():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        _req(devices=-4)
    with pytest.raises(ValidationError):
        _req(pue=0.5)
    with pytest.raises(ValidationError):
        _req(tokens=-1)


def test_moe_model_trains_with_expert_parallelism():
    r = estimate_training(_req(model=catalog.model("mixtral-8x7b"), devices=64, tp=2, pp=1,
                               dp=4, cp=1, ep=8, global_batch=512, seq_len=4096))
    assert r.breakdown_s["ep_comm"] > 0
    assert r.mfu > 0


def test_mfu_uses_model_flops_and_hfu_adds_recompute():
    full = estimate_training(_req(tp=1, pp=1, dp=64, cp=1, ep=1, recompute="full"))
    assert full.hfu == pytest.approx(full.mfu * full.flops["hardware_per_step"] / full.flops["model_per_step"])
    assert full.hfu > full.mfu


def test_given_sizes_that_do_not_divide_the_devices_are_named():
    with pytest.raises(InfeasiblePlanError, match=r"the sizes given \(tp=3\) do not divide 64 devices"):
        estimate_training(_req(model=catalog.model("llama-2-13b"), tp=3))


def test_attention_peak_without_a_16_bit_figure_is_half_the_gemm_peak():
    # a datasheet with only an fp8 peak: the attention core runs at half of it, as if bf16 were
    # given at half (the fallback was once in FLOP/s and scaled by 1e12 again: attention free)
    from scalewall.performance.plan import STACKS, Plan, PlanArrays
    from scalewall.performance.step import evaluate
    from scalewall.workload.transformer import model_dims

    h100 = catalog.accelerator("h100-sxm")
    fp8 = h100.peak_tflops["fp8"]
    only = h100.model_copy(update={"peak_tflops": {"fp8": fp8}})
    both = h100.model_copy(update={"peak_tflops": {"fp8": fp8, "bf16": fp8 / 2}})
    P = PlanArrays.from_plans([Plan(tp=1, pp=1, dp=8, micro_batch=1, global_batch=8)])
    d = model_dims(catalog.model("llama-2-7b"))
    a, b = (evaluate(d, acc, P, 4096, "fp8", STACKS["modern"])["compute_s"] for acc in (only, both))
    assert a[0] == b[0]


def test_sequence_longer_than_the_model_context_is_refused():
    # gpt-3-175b has a 2,048-token context; a 10 M-token sequence used to print MFU 73 %
    with pytest.raises(ValidationError, match="exceeds gpt-3-175b's context of 2,048 tokens"):
        _req(model=catalog.model("gpt-3-175b"), seq_len=10_000_000)


def test_duration_and_measured_power_give_energy_even_when_no_plan_fits():
    # 200 TPU v2 for 6.8 days at a measured 221 W per chip (the way Patterson et al. 2021 report
    # runs): GPT-3 has no plan on 200 chips, but energy = chips × hours × power needs none
    r = estimate_training(_req(model=catalog.model("gpt-3-175b"), accelerator=catalog.accelerator("tpu-v2"),
                               devices=200, tokens=None, days=6.8, power_per_device_w=221, pue=1.1))
    assert r.plan == {} and r.mfu is None and r.step_time_s is None and r.tokens is None
    assert r.energy_mwh["node"] == pytest.approx(200 * 6.8 * 24 * 221 / 1e6)
    assert r.energy_mwh["facility"] == pytest.approx(r.energy_mwh["node"] * 1.1)
    assert "no parallel plan fits" in " ".join(r.assumptions)
    with pytest.raises(InfeasiblePlanError):  # without the measured power there is nothing to say
        estimate_training(_req(model=catalog.model("gpt-3-175b"), accelerator=catalog.accelerator("tpu-v2"),
                               devices=200, tokens=None, days=6.8))


def test_mxfp8_runs_on_blackwell_slower_than_per_tensor_fp8_and_is_refused_on_hopper():
    common = dict(model=catalog.model("llama-3.1-8b"), devices=8, tokens=1e9, tp=1, pp=1, dp=8, global_batch=128)
    b200 = catalog.accelerator("b200")
    fp8 = estimate_training(TrainingRequest(accelerator=b200, precision="fp8", **common))
    mx = estimate_training(TrainingRequest(accelerator=b200, precision="mxfp8", **common))
    assert mx.step_time_s > fp8.step_time_s
    with pytest.raises(ValidationError, match="MXFP8 needs block-scaled FP8 tensor cores"):
        TrainingRequest(accelerator=catalog.accelerator("h100-sxm"), precision="mxfp8", **common)
