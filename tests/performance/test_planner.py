"""The parallel planner: search space, objectives, rejections and the published plans."""

from __future__ import annotations

import pytest

from scalewall import catalog
from scalewall.commands.plan import PlanRequest, plan_training
from scalewall.errors import InfeasiblePlanError
from scalewall.facility.job import step_power_metrics
from scalewall.facility.site import resolve_site
from scalewall.performance.planner import search
from scalewall.validate.training import planner_checks

SITE = resolve_site(None, None, None)


def _power(acc):
    """The facility's per-step power, energy and cost, as ``plan`` gives the planner."""
    return lambda r, P: step_power_metrics(acc, r, P.tp * P.pp * P.dp * P.cp * P.ep, SITE)


def test_gpt3_on_1024_h100_evaluates_over_1000_candidates_and_fits(gpt3, h100):
    res = search(gpt3, h100, 1024, global_batch=1536, seq_len=2048)
    assert res.candidates_evaluated >= 1000
    assert res.feasible > 0
    assert res.top_metrics[0]["memory_per_device_gb"] <= h100.memory_total_gb
    p = res.best_plan
    assert p.tp * p.pp * p.dp * p.cp * p.ep == 1024
    assert gpt3.n_heads % p.tp == 0 and gpt3.n_layers % (p.pp * p.interleave) == 0


def test_top_plans_are_sorted_by_the_objective(gpt3, h100):
    for objective, key in (("time", "step_time_s"), ("energy", "energy_step_j"), ("cost", "cost_step_usd")):
        res = search(gpt3, h100, 1024, global_batch=1536, seq_len=2048,
                     extra_metrics=_power(h100), objective=objective, top=5)
        vals = [m[key] for m in res.top_metrics]
        assert vals == sorted(vals)


def test_energy_objective_can_choose_a_different_plan_than_time():
    # Qwen3-30B-A3B (3B active) on 2,048 H100s runs below the FLOP utilisation at which the
    # devices reach their power limit; the energy-optimal plan trades a slightly longer step
    # (more time in communication, at lower power) for less energy per step. Batch 512: with the
    # fixed per-layer MoE cost (issue 13) the 1,024 batch's fastest plan is also its leanest
    m, acc = catalog.model("qwen3-30b-a3b"), catalog.accelerator("h100-sxm")
    t = search(m, acc, 2048, global_batch=512, seq_len=2048, extra_metrics=_power(acc), objective="time")
    e = search(m, acc, 2048, global_batch=512, seq_len=2048, extra_metrics=_power(acc), objective="energy")
    assert t.best_plan != e.best_plan
    assert t.top_metrics[0]["step_time_s"] <= e.top_metrics[0]["step_time_s"]
    assert e.top_metrics[0]["energy_step_j"] <= t.top_metrics[0]["energy_step_j"]


def test_rejected_families_give_reasons_with_numbers(gpt3):
    acc = catalog.accelerator("a100-40gb")
    res = search(gpt3, acc, 128, global_batch=128, seq_len=2048)
    reasons = [r["reason"] for r in res.rejected]
    # the runtime's 40,960 MiB = 42.9 GB (nvidia-smi), not the datasheet's 40 (GiB)
    assert any("GB per device" in r and "43 GB" in r for r in reasons), reasons
    assert any("not divisible by tp" in r or "exceeds the scale-up domain" in r for r in reasons)


def test_infeasible_request_names_smallest_overshoot_and_fixes(gpt3, h100):
    with pytest.raises(InfeasiblePlanError) as exc:
        search(gpt3, h100, 8, global_batch=8, seq_len=2048)
    msg = str(exc.value)
    assert "smallest memory found" in msg and "> 86 GB" in msg  # 81,559 MiB = 85.5 GB
    assert "more devices" in msg and ("ZeRO-3" in msg or "zero=3" in msg)


def test_planner_is_at_least_as_fast_as_every_published_plan():
    for c in planner_checks(top=5):
        if c.published_fits:
            assert c.best_step_s <= c.published_step_s * (1 + 1e-9), c.case
        assert c.published_rank <= 5 or c.note, c.case
        assert c.note


def test_plan_json_contract(gpt3, h100):
    out = plan_training(PlanRequest(model=gpt3, accelerator=h100, devices=256, global_batch=512,
                                    seq_len=2048, top=3)).model_dump()
    assert set(out) >= {"best", "top", "candidates_evaluated", "feasible", "rejected", "search_s"}
    assert out["best"]["plan"] == out["top"][0]["plan"]
    assert "step_time_s" in out["best"] and len(out["top"]) == 3


def test_no_plan_because_of_the_batch_names_the_batch_first_with_its_fix():
    # dp=16 fixed and a global batch of 8: every correctly sized plan fails batch divisibility;
    # the tp and size mismatches of other candidates must not be given as the reason
    m, acc = catalog.model("llama-2-7b"), catalog.accelerator("h100-sxm")
    with pytest.raises(InfeasiblePlanError) as exc:
        search(m, acc, 64, global_batch=8, seq_len=4096, fixed={"dp": 16})
    msg = str(exc.value)
    assert msg.index("global batch 8 not divisible") < len(msg) - 1
    assert "every candidate fails" in msg and "fix:" in msg
    assert "attention heads" not in msg and "≠ 64 devices" not in msg


def test_a_pipeline_depth_the_user_gives_may_split_the_layers_unevenly():
    # DeepSeek-V3 ran 61 layers on PP 16 (DeepSeek-V3 technical report, Sec. 3.2); with the other
    # sizes left to the planner the search used to refuse every candidate ("pp=16×interleave=1
    # does not divide 61 layers") although a full plan with pp=16 ran
    from scalewall.performance.planner import choose_plan

    m, acc = catalog.model("deepseek-v3"), catalog.accelerator("h800")
    given = {"pp": 16, "ep": 64, "tp": 1}
    plan, notes = choose_plan(
        m, acc, 2048, seq_len=4096, global_batch=3840, precision="fp8", stack="megatron-core", given=given
    )
    assert (plan.pp, plan.ep, plan.tp) == (16, 64, 1) and plan.dp * plan.cp == 2
    assert m.n_layers % (plan.pp * plan.interleave) != 0
    # the planner on its own still keeps even stages
    res = search(m, acc, 2048, global_batch=3840, seq_len=4096, precision="fp8", top=1)
    assert m.n_layers % (res.best_plan.pp * res.best_plan.interleave) == 0
