"""Aggregated design + full-year verification (issue 16): the fast path must prove itself.

Truth: the full LP on the same hours (the aggregated path's cost may only be higher, by at most
the 2 % the README states), the LP's own constraints checked hour by hour on the verified
dispatch, and the bookkeeping of the segments (every hour in exactly one segment, in order).
"""

from __future__ import annotations

import numpy as np
import pytest

from scalewall import catalog
from scalewall.errors import InputError
from scalewall.supply import optimise
from scalewall.supply.aggregate import segment_year
from scalewall.supply.optimise import SupplyProblem, solve_supply
from scalewall.supply.site import source_profiles
from scalewall.supply.weather import load_weather


@pytest.fixture(scope="module")
def month():
    """28 days of Greensboro (the shortest span the aggregated path takes) at CFE 90 %."""
    w = load_weather("greensboro")
    sources = [catalog.get("energy_sources", t) for t in ("solar", "battery", "gas")]
    prof = source_profiles(sources, w)
    hours = 28 * 24
    start = 150 * 24  # June
    load = 100.0 * (1 + 0.05 * np.sin(np.arange(hours) * 2 * np.pi / 24))
    return SupplyProblem(load, sources, {k: v[start : start + hours] for k, v in prof.items()}, 2030, 0.9)


def test_segments_cover_every_hour_once_in_order_and_never_span_midnight(month):
    seg = segment_year({"load": month.load_mw, **month.profiles}, 4)
    assert len(seg) == 28 * 4
    assert seg.hours.sum() == len(month.load_mw)
    assert np.all(np.diff(seg.starts) > 0)
    ends = seg.starts + seg.hours.astype(int) - 1
    assert np.all(seg.starts // 24 == ends // 24)  # first and last hour of a segment on one day
    # a segment mean times its hours gives back the energy of the hours it stands for
    assert (seg.mean(month.load_mw) * seg.hours).sum() == pytest.approx(month.load_mw.sum(), rel=1e-12)


def test_segmenting_refuses_part_days_and_impossible_counts():
    with pytest.raises(InputError, match="whole days"):
        segment_year({"load": np.ones(30)}, 4)
    with pytest.raises(InputError, match="1 to 24 segments"):
        segment_year({"load": np.ones(48)}, 25)


def test_aggregated_answer_is_verified_hour_by_hour_and_within_2_percent_of_the_full_lp(month):
    full = solve_supply(month, method="full")
    agg = solve_supply(month, method="auto")
    assert full.method == "full" and agg.method == "aggregated"
    assert any("verified on all 672 hours" in n for n in agg.notes)
    # the verified dispatch is hourly and obeys every constraint of the LP
    assert len(agg.dispatch) == 672
    assert agg.balance_error_mw < 1e-4
    dirty = agg.dispatch["gas"].sum()
    assert 1 - dirty / month.load_mw.sum() >= 0.9 - 1e-5
    worst, what = optimise._worst_violation(agg, month)
    assert worst <= optimise._tolerance_mw(month), what
    # a feasible design can cost no less than the optimum, and the README promises <= 2 % more
    assert agg.annual_cost_usd >= full.annual_cost_usd * (1 - 1e-4)
    assert agg.annual_cost_usd <= full.annual_cost_usd * 1.02


def test_a_design_that_fails_verification_falls_back_to_the_full_lp_and_says_why(month, monkeypatch):
    monkeypatch.setattr(optimise, "DESIGN_CFE_MARGIN", -2.0)  # design for 70 %: misses 90 % on the hours
    monkeypatch.setattr(optimise, "AGGREGATED_ATTEMPTS", 1)
    sol = solve_supply(month)
    assert sol.method == "full"
    note = next(n for n in sol.notes if n.startswith("aggregated design not verified"))
    assert "design 1" in note and "full year" in note
    assert 1 - sol.dispatch["gas"].sum() / month.load_mw.sum() >= 0.9 - 1e-5


def test_unknown_solve_method_is_one_clear_error(month):
    with pytest.raises(InputError, match="auto, full, aggregated"):
        solve_supply(month, method="fast")
