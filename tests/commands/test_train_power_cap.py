"""``--power-cap-w``: a cap lowers the clock and so the speed (facility/clocks.py).

Physics: dynamic power C·V²·f with V following f in the DVFS range, P = P_idle + P_dyn·(f/f_max)³
(Mei, Wang & Chu 2017, doi:10.1016/j.dcan.2016.10.001).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.commands.train import TrainingRequest, estimate_training
from scalewall.errors import InputError
from scalewall.facility.clocks import DVFS_POWER_EXPONENT, capped_accelerator, clock_ratio_under_cap


@settings(max_examples=200, deadline=None)
@given(
    idle=st.floats(20, 200),
    dyn=st.floats(50, 1000),
    cap_share=st.floats(0.01, 1.5),
)
def test_the_capped_clock_meets_the_cap_exactly_or_is_not_lowered(idle, dyn, cap_share):
    demand, cap = idle + dyn, idle + cap_share * dyn
    r = float(clock_ratio_under_cap(demand, idle, cap))
    assert 0 < r <= 1
    if cap >= demand:
        assert r == 1.0
    else:
        assert idle + dyn * r**DVFS_POWER_EXPONENT == pytest.approx(cap, rel=1e-9)


@pytest.fixture(scope="module")
def capped_runs():
    base = dict(
        model=catalog.model("llama-3.1-8b"),
        accelerator=catalog.accelerator("h100-sxm"),
        devices=8,
        tokens=1e9,
        tp=1,
        pp=1,
        dp=8,
        micro_batch=2,
        global_batch=16,
        zero=3,
        seq_len=8192,
    )
    return {cap: estimate_training(TrainingRequest(**base, power_cap_w=cap)) for cap in (None, 600, 450, 300)}


def test_a_lower_cap_runs_slower_and_draws_no_more_than_the_cap(capped_runs):
    tps = [capped_runs[c].tokens_per_s for c in (None, 600, 450, 300)]
    assert tps == sorted(tps, reverse=True) and tps[-1] < tps[0]
    for cap in (600, 450, 300):
        assert capped_runs[cap].power_per_device_w["accelerator"] <= cap + 1e-6
        assert capped_runs[cap].mfu < capped_runs[None].mfu


def test_a_cap_slows_the_step_less_than_the_clock_when_part_of_it_is_memory_bound(capped_runs):
    # the step is not all compute: HBM-bound kernels and links keep their speed
    # (the uncapped draw is at most TDP, so the clock is at least this)
    acc = catalog.accelerator("h100-sxm")
    clock_min = float(clock_ratio_under_cap(acc.tdp_w, acc.idle_w, 450))
    slow = capped_runs[None].tokens_per_s / capped_runs[450].tokens_per_s
    assert 1 < slow < 1 / clock_min


def test_a_cap_at_or_below_idle_is_a_clear_error():
    acc = catalog.accelerator("h100-sxm")
    with pytest.raises(InputError, match="idle power"):
        capped_accelerator(acc, acc.idle_w, 0.5, 0.2)
