"""The grid-build bound by region: each region's data centres take at most a share of its new
generation, demand a region cannot supply moves to regions with room, and the world total stays
within the world bound (docs/models/outlook.md, "Grid build rate, by region")."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.commands import run
from scalewall.outlook.model import _grid_bound, grid_regions
from scalewall.outlook.simulate import simulate

DC0 = np.array([[415.0]])
W0 = np.array([[27_700.0]])


def _bound(demand_twh: float, share: float, world_twh: float, mode: str = "regions", growth: float = 1.03):
    return _grid_bound(
        np.array([[demand_twh]]), DC0, np.array([[world_twh]]), W0, np.array([[growth]]), np.array([[share]]), mode
    )


def _caps(share: float, world_twh: float) -> dict[str, float]:
    ids, w, gamma, rho = grid_regions()
    s_r = np.minimum(share * gamma / rho, 1.0)
    return {r: float(415.0 * w[i] + s_r[i] * rho[i] * (world_twh - 27_700.0)) for i, r in enumerate(ids)}


def test_regions_partition_the_iea_data_centres_and_irenas_new_generation():
    regs = catalog.entries("grid_regions")
    # IEA Energy and AI (2025) regional chart: 416 TWh in 2024, 946 TWh in 2030 (base case)
    assert sum(r.datacentre_twh_2024 for r in regs.values()) == pytest.approx(416.0)
    assert sum(r.datacentre_twh_2030 for r in regs.values()) == pytest.approx(946.0)
    # IRENA Renewable Energy Statistics 2025: 582 GW of renewable capacity added in 2024
    assert sum(r.new_generation_gw_2024 for r in regs.values()) == pytest.approx(582.0)
    _, w, gamma, rho = grid_regions()
    for x in (w, gamma, rho):
        assert x.sum() == pytest.approx(1.0) and np.all(x > 0)


def test_new_generation_reproduces_irenas_2024_additions_at_the_ieas_2024_demand_growth():
    # world demand +1,080 TWh in 2024 (IEA Global Energy Review 2025) at 1.86 TWh/yr per GW gives
    # the 582 GW IRENA counted, and each region its own count (US: North America's 45.4 GW)
    g = 1.0 + 1_080.0 / 27_700.0
    grid = _bound(415.0, 0.2, 27_700.0 + 1_080.0, growth=g)
    gw = {r: float(a[0, 0]) for r, a in grid.new_gw_by_region.items()}
    assert sum(gw.values()) == pytest.approx(582.0, rel=0.01)
    assert gw["united-states"] == pytest.approx(45.4, rel=0.01)
    assert gw["china"] == pytest.approx(374.0, rel=0.01)


def test_below_the_us_limit_the_regional_bound_is_the_world_bound():
    # s = 0.1: no region's share reaches 1 (the US needs s > 0.17), so the regions together allow
    # exactly DC(2024) + s x (W - W(2024)), and a demand above it is cut to it
    world = 27_700.0 * 1.03**6
    regions = _bound(5_000.0, 0.1, world)
    assert regions.total_twh[0, 0] == pytest.approx(415.0 + 0.1 * (world - 27_700.0))
    assert _bound(5_000.0, 0.1, world, mode="world").total_twh[0, 0] == pytest.approx(
        regions.total_twh[0, 0]
    )


def test_the_us_reaches_all_its_new_generation_first_and_its_excess_moves_to_regions_with_room():
    world = 27_700.0 * 1.03**6
    caps = _caps(0.3, world)
    assert _caps(0.3, world)["united-states"] == pytest.approx(
        415.0 * 183 / 416 + 45.4 / 582 * (world - 27_700.0)
    )  # share 1: all of its new generation
    demand = 1_500.0  # its US part (~680 TWh) exceeds the US limit (~600); the other regions have room
    grid = _bound(demand, 0.3, world)
    us = float(grid.by_region["united-states"][0, 0])
    assert us == pytest.approx(caps["united-states"])
    assert float(grid.demand_by_region["united-states"][0, 0]) > us
    assert grid.total_twh[0, 0] == pytest.approx(demand)  # nothing lost: it moved
    for r, a in grid.by_region.items():
        assert float(a[0, 0]) <= caps[r] * (1 + 1e-12)


def test_a_demand_beyond_every_limit_gets_the_sum_of_the_limits_which_is_below_the_world_bound():
    world = 27_700.0 * 1.03**10
    caps = _caps(0.4, world)
    grid = _bound(50_000.0, 0.4, world)
    assert grid.total_twh[0, 0] == pytest.approx(sum(caps.values()))
    assert grid.total_twh[0, 0] < 415.0 + 0.4 * (world - 27_700.0)


def test_the_ieas_2030_base_case_fits_every_regions_limit_at_the_low_share():
    # the IEA's own regional 2030 figures at its ~4 %/yr world demand growth and s = 0.1
    world = 27_700.0 * 1.04**6
    caps = _caps(0.1, world)
    for r, e in catalog.entries("grid_regions").items():
        assert e.datacentre_twh_2030 * 415.0 / 416.0 <= caps[r]


@settings(max_examples=60, deadline=None)
@given(
    d1=st.floats(100.0, 20_000.0),
    d2=st.floats(100.0, 20_000.0),
    share=st.floats(0.05, 0.5),
    growth=st.floats(1.0, 1.06),
    years=st.integers(0, 26),
)
def test_more_demand_never_gives_less_electricity_and_regions_sum_to_the_total(d1, d2, share, growth, years):
    world = 27_700.0 * growth**years
    lo, hi = sorted((d1, d2))
    a, b = _bound(lo, share, world, growth=growth), _bound(hi, share, world, growth=growth)
    assert b.total_twh[0, 0] >= a.total_twh[0, 0] - 1e-9
    for g in (a, b):
        parts = np.array([v[0, 0] for v in g.by_region.values()])
        assert np.all(parts >= 0.0)
        assert parts.sum() == pytest.approx(g.total_twh[0, 0])
        # never above the world bound: the regional limits sum to at most DC(2024) + s x dW
        assert g.total_twh[0, 0] <= 415.0 + share * (world - 27_700.0) + 1e-6


def test_baseline_us_is_its_region_and_lbnl_and_the_hindcast_keep_the_world_bound():
    years = np.arange(2024, 2031)
    tr, _ = simulate("baseline", years, 500, 0).run()
    assert np.allclose(tr.us_datacentre_electricity_twh, tr.datacentre_electricity_by_region_twh["united-states"])
    total = sum(tr.datacentre_electricity_by_region_twh.values())
    assert np.allclose(total, tr.datacentre_electricity_twh)
    assert simulate("lbnl-2024", years, 10, 0).scenario.grid_bound == "world"
    from scalewall.validate.outlook import hindcast_scenario

    assert hindcast_scenario().grid_bound == "world"


def test_outlook_reports_each_region_with_its_new_generation_and_limit():
    res = run("outlook", {"samples": 200, "sensitivity_samples": 0, "to": 2035})
    y2030 = next(y for y in res["years"] if y["year"] == 2030)
    us = y2030["regions"]["united-states"]
    assert set(y2030["regions"]) == {"united-states", "china", "europe", "rest-of-world"}
    assert us["datacentre_electricity_twh"]["p50"] > 183.0
    assert 20.0 < us["new_generation_gw_per_year"]["p50"] < 80.0
    assert us["datacentre_share_of_new_generation_limit"] == pytest.approx(1.0)
    assert 0.0 <= us["probability_at_limit"] <= 1.0
    assert any("grid-build bound by region" in a for a in res["assumptions"])
