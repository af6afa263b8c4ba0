"""Calibration passed in: the efficiency factors reach the physics as an argument.

A variant changes what it should (and only through the argument); passing the catalogue's
explicitly is the same as passing nothing; bad names and values fail with a useful message.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from scalewall import catalog
from scalewall.catalog import Calibration
from scalewall.commands.infer import InferenceRequest, estimate_inference
from scalewall.commands.plan import PlanRequest, plan_training
from scalewall.commands.train import TrainingRequest, estimate_training
from scalewall.errors import CatalogError, InputError
from scalewall.facility.power import accelerator_power_w
from scalewall.performance.inference import serve
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.performance.step import evaluate, gemm_efficiency, memory
from scalewall.workload.transformer import model_dims

CAL = Calibration.from_catalog()
H100 = catalog.accelerator("h100-sxm")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _plans():
    # a compute-heavy plan (no TP) and one with 8-way TP over NVLink and a pipeline
    return PlanArrays.from_plans([
        Plan(tp=1, pp=1, dp=8, micro_batch=2, global_batch=64),
        Plan(tp=8, pp=2, dp=1, micro_batch=1, global_batch=16, recompute="selective",
             sequence_parallel=True),
    ])


def _step(cal=None, model="llama-2-7b"):
    d = model_dims(catalog.model(model))
    return evaluate(d, H100, _plans(), 4096, "bf16", STACKS["modern"], cal)


def _serve(cal=None, batch=(1, 8, 64, 256)):
    d = model_dims(catalog.model("llama-3.1-8b"))
    return serve(d, H100, tp=1, pp=1, ep=1, batch=list(batch), prompt_tokens=1000,
                 output_tokens=300, precision="bf16", cal=cal)


# ---- the object ------------------------------------------------------------------------------


def test_from_catalog_holds_every_yaml_factor_and_nothing_else():
    yaml = catalog.entries("calibration")
    assert {f.replace("_", "-") for f in Calibration.model_fields} == set(yaml)
    for eid, entry in yaml.items():
        assert CAL.get(eid) == entry.value
        assert getattr(CAL, eid.replace("-", "_")) == entry.value


def test_from_catalog_is_built_once():
    assert Calibration.from_catalog() is Calibration.from_catalog()


def test_changed_lists_only_what_differs_from_the_catalogue():
    assert CAL.changed() == {}
    assert CAL.replace(gemm_efficiency=CAL.gemm_efficiency).changed() == {}
    v = CAL.replace(gemm_efficiency=0.5, **{"link-latency-s": 1e-5})
    assert v.changed() == {"gemm-efficiency": 0.5, "link-latency-s": 1e-5}


def test_frozen_and_replace_makes_a_validated_variant_leaving_the_original_alone():
    with pytest.raises(ValidationError):
        CAL.gemm_efficiency = 0.1  # type: ignore[misc]
    half = CAL.replace(gemm_efficiency=CAL.gemm_efficiency / 2)
    assert half.gemm_efficiency == CAL.gemm_efficiency / 2
    assert CAL.gemm_efficiency == catalog.get("calibration", "gemm-efficiency").value
    # every other factor is carried over
    assert half.model_dump() | {"gemm_efficiency": CAL.gemm_efficiency} == CAL.model_dump()
    # catalogue ids work as names too
    assert CAL.replace(**{"kv-read-efficiency": 0.3}).kv_read_efficiency == 0.3


@pytest.mark.parametrize("bad", ["gemm-eficiency", "gemm_effic", "GEMM-efficiency-x"])
def test_unknown_factor_names_the_closest(bad):
    with pytest.raises(CatalogError, match="closest: .*gemm-efficiency"):
        CAL.replace(**{bad: 0.5})
    with pytest.raises(CatalogError, match="closest: .*gemm-efficiency"):
        CAL.get(bad)


def test_unknown_factor_far_from_any_says_so_without_a_hint():
    with pytest.raises(CatalogError, match="unknown calibration factor 'zzzz'") as exc:
        CAL.replace(zzzz=1.0)
    assert "closest" not in str(exc.value)


@pytest.mark.parametrize("change", [{"gemm_efficiency": 0.0}, {"hbm_efficiency": 1.5},
                                    {"kernel_overhead_s": -1e-6}, {"runtime_reserved_gb": -1}])
def test_out_of_range_value_is_an_input_error(change):
    with pytest.raises(InputError, match=next(iter(change))):
        CAL.replace(**change)


# ---- performance -----------------------------------------------------------------------------


def test_explicit_default_is_identical_to_none():
    a, b = _step(None), _step(CAL)
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    s, t = _serve(None), _serve(CAL)
    for k in s:
        np.testing.assert_array_equal(s[k], t[k], err_msg=k)


def test_halving_gemm_efficiency_slows_the_compute_part_of_a_step():
    base, half = _step(), _step(CAL.replace(gemm_efficiency=CAL.gemm_efficiency / 2))
    # GEMMs dominate compute: close to twice as slow, never more
    ratio = half["compute_s"] / base["compute_s"]
    assert np.all(ratio > 1.5) and np.all(ratio <= 2.0 + 1e-12), ratio
    assert np.all(half["step_time_s"] > base["step_time_s"])
    # communication and memory do not depend on the GEMM efficiency
    for k in ("tp_comm_s", "dp_comm_total_s", "memory_per_device_gb", "model_flops"):
        np.testing.assert_array_equal(half[k], base[k], err_msg=k)


def test_runtime_reserve_moves_memory_one_for_one():
    d = model_dims(catalog.model("llama-2-7b"))

    def mem(cal):
        return memory(d, H100, _plans(), 4096, STACKS["modern"], cal)["memory_per_device_gb"]

    more = CAL.replace(runtime_reserved_gb=CAL.runtime_reserved_gb + 10)
    np.testing.assert_allclose(mem(more) - mem(None), 10.0, rtol=1e-9)


def test_network_efficiency_changes_only_communication():
    base, slow = _step(), _step(CAL.replace(scale_up_efficiency=CAL.scale_up_efficiency / 2))
    assert slow["tp_comm_s"][1] > base["tp_comm_s"][1]  # the TP=8 plan
    np.testing.assert_array_equal(slow["compute_s"], base["compute_s"])


def test_serving_factors_reach_serve():
    base = _serve()
    slow_kv = _serve(CAL.replace(kv_read_efficiency=CAL.kv_read_efficiency / 2))
    assert np.all(slow_kv["itl_s"] > base["itl_s"])
    overhead = _serve(CAL.replace(serving_step_overhead_s=CAL.serving_step_overhead_s + 1e-3))
    np.testing.assert_allclose(overhead["itl_s"] - base["itl_s"], 1e-3, rtol=1e-9)


# ---- power -----------------------------------------------------------------------------------


def test_power_factors_change_power():
    uf, ub = np.array([0.05, 0.1]), np.array([0.2, 0.3])
    base = accelerator_power_w(H100, uf, ub)
    np.testing.assert_array_equal(base, accelerator_power_w(H100, uf, ub, CAL))
    more = accelerator_power_w(H100, uf, ub, CAL.replace(power_per_flop_utilisation=2 * CAL.power_per_flop_utilisation))
    assert np.all(more > base)
    idle = accelerator_power_w(H100, uf, ub, CAL.replace(power_per_flop_utilisation=0,
                                                         power_per_hbm_utilisation=0,
                                                         power_per_busy_time=0))
    np.testing.assert_array_equal(idle, H100.idle_w)


@SETTINGS
@given(k=st.floats(0.0, 20.0), dk=st.floats(0.0, 5.0), uf=st.floats(0.0, 1.0), ub=st.floats(0.0, 1.0))
def test_power_is_monotone_in_k_flop_and_stays_between_idle_and_tdp(k, dk, uf, ub):
    lo = float(accelerator_power_w(H100, uf, ub, CAL.replace(power_per_flop_utilisation=k)))
    hi = float(accelerator_power_w(H100, uf, ub, CAL.replace(power_per_flop_utilisation=k + dk)))
    assert H100.idle_w <= lo <= hi <= H100.tdp_w


@SETTINGS
@given(eta=st.floats(0.2, 1.0), d_eta=st.floats(0.0, 0.5))
def test_step_time_never_rises_with_gemm_efficiency(eta, d_eta):
    slow = _step(CAL.replace(gemm_efficiency=eta))["step_time_s"]
    fast = _step(CAL.replace(gemm_efficiency=min(1.0, eta + d_eta)))["step_time_s"]
    assert np.all(fast <= slow * (1 + 1e-12))


# ---- commands --------------------------------------------------------------------------------


def _train(**kw):
    return estimate_training(TrainingRequest(
        model=catalog.model("llama-2-7b"), accelerator=H100, devices=64, tokens=1e11,
        tp=1, pp=1, dp=64, cp=1, ep=1, **kw))


def test_train_request_carries_a_variant_and_the_default_changes_nothing():
    assert _train().model_dump() == _train(calibration=CAL).model_dump()
    half_cal = CAL.replace(gemm_efficiency=CAL.gemm_efficiency / 2)
    half = _train(calibration=half_cal)
    base = _train()
    assert half.breakdown_s["compute"] > 1.5 * base.breakdown_s["compute"]
    assert half.wall_clock_days > base.wall_clock_days
    # the assumption printed is the one used, and the result says it ran on a variant
    # (on H100, the A100 fit times the ratio of measured matmul ceilings)
    eta = gemm_efficiency(H100, half_cal)
    assert any(f"GEMM efficiency {eta:.3f} " in a for a in half.assumptions)
    assert f"calibration variant: gemm-efficiency {CAL.gemm_efficiency / 2:g}" in half.assumptions
    assert not any("variant" in a for a in base.assumptions)


def test_train_power_variant_changes_power_not_time():
    base = _train()
    low = _train(calibration=CAL.replace(power_per_flop_utilisation=CAL.power_per_flop_utilisation / 4,
                                         power_per_hbm_utilisation=CAL.power_per_hbm_utilisation / 4))
    assert low.step_time_s == base.step_time_s
    assert low.power_per_device_w["accelerator"] < base.power_per_device_w["accelerator"]


def test_planner_uses_the_variant():
    req = {"model": catalog.model("llama-2-7b"), "accelerator": H100, "devices": 16,
           "global_batch": 64, "seq_len": 2048, "top": 2}
    a = plan_training(PlanRequest(**req)).model_dump(exclude={"search_s"})
    b = plan_training(PlanRequest(**req, calibration=CAL)).model_dump(exclude={"search_s"})
    assert a == b
    slow = plan_training(PlanRequest(**req, calibration=CAL.replace(gemm_efficiency=0.3)))
    assert slow.best.step_time_s > a["best"]["step_time_s"]


def test_infer_request_carries_a_variant_and_the_default_changes_nothing():
    req = {"model": catalog.model("llama-3.1-8b"), "accelerator": H100, "devices": 1, "batch": 64}
    base = estimate_inference(InferenceRequest(**req))
    assert base.model_dump() == estimate_inference(InferenceRequest(**req, calibration=CAL)).model_dump()
    slow = estimate_inference(InferenceRequest(
        **req, calibration=CAL.replace(serving_step_overhead_s=CAL.serving_step_overhead_s * 3)))
    assert slow.itl_s > base.itl_s
    assert any(a.startswith("calibration variant: serving-step-overhead-s") for a in slow.assumptions)
    assert not any("variant" in a for a in base.assumptions)
    # batch 64 runs at the power limit (TDP), so lower the factors to see them
    cool = estimate_inference(InferenceRequest(
        **req, calibration=CAL.replace(power_per_flop_utilisation=CAL.power_per_flop_utilisation / 4,
                                       power_per_hbm_utilisation=CAL.power_per_hbm_utilisation / 4)))
    assert cool.power_w["accelerator"] < base.power_w["accelerator"]
    assert cool.itl_s == base.itl_s
