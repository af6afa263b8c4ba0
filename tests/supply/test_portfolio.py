"""Several campuses on one portfolio (issue 16): linking must pay, the accounting must close.

One week of the bundled typical years (on one UTC clock) keep each solve to seconds. Truth: the
LP's balance and the portfolio CFE budget checked on the dispatch, the haversine formula, and the
ordering that linking campuses (lines, work moved between them) can only lower the cost of
meeting one CFE target, since each campus alone is one of the portfolio's options.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.errors import InputError
from scalewall.facility.pue import Climate
from scalewall.supply.campuses import utc_offset_h
from scalewall.supply.optimise import SupplyProblem, solve_supply
from scalewall.supply.portfolio import Campus, PortfolioProblem, great_circle_km, solve_portfolio
from scalewall.supply.site import source_profiles
from scalewall.supply.weather import load_weather

TECHS = ("solar", "wind", "battery", "gas", "grid")
DAYS = 7


def _campus(site: str, share: float) -> Campus:
    w = load_weather(site)
    off = utc_offset_h(w)
    sources = [catalog.get("energy_sources", t) for t in TECHS]
    hours = slice(0, DAYS * 24)
    prof = {k: np.roll(v, -off)[hours] for k, v in source_profiles(sources, w).items()}
    load = share * 100.0 * np.roll(Climate.of(w).hourly_pue("air"), -off)[hours]
    return Campus(site, load, sources, prof, 80.0, w.latitude, w.longitude)


def _check(sol, p: PortfolioProblem) -> None:
    assert sol.balance_error_mw < 1e-4
    dirty = sum(sol.dispatch[c.name][t].sum() for c in p.campuses for t in ("gas", "grid"))
    load = sum(c.load_mw.sum() for c in p.campuses)
    assert 1 - dirty / load >= p.cfe_target - 1e-5
    assert sol.cfe_share == pytest.approx(1 - dirty / load, abs=1e-9)
    moved = sum(sol.dispatch[c.name]["shift_in"].to_numpy() for c in p.campuses)
    assert np.abs(moved).max() < 1e-4  # work moved out of one campus arrives at another


@pytest.fixture(scope="module")
def linked():
    """Two and three campuses, linked by lines and 30 % hourly work shifting, and each alone."""
    out = {}
    for sites in (("greensboro", "miami"), ("greensboro", "sand-point", "miami")):
        campuses = [_campus(s, 1 / len(sites)) for s in sites]
        p = PortfolioProblem(campuses, 2030, 0.8, catalog.get("links", "hvdc-overhead"), shift_share=0.3)
        alone = [
            solve_supply(SupplyProblem(c.load_mw, c.sources, c.profiles, 2030, 0.8), method="full")
            for c in campuses
        ]
        out[len(sites)] = (p, solve_portfolio(p, method="full"), alone)
    return out


@pytest.mark.parametrize("n", [2, 3])
def test_linked_campuses_cost_less_than_each_alone_and_than_islanded(linked, n):
    p, sol, alone = linked[n]
    _check(sol, p)
    load = sum(c.load_mw.sum() for c in p.campuses)
    islanded = sum(a.annual_cost_usd for a in alone)
    assert sol.annual_cost_usd < 0.95 * islanded  # at least 5 % saved on the bundled weather
    for c, a in zip(p.campuses, alone, strict=True):  # and less per MWh than the whole load at any one site
        assert sol.annual_cost_usd / load < a.annual_cost_usd / c.load_mw.sum()
    assert set(sol.capacity_mw) == {c.name for c in p.campuses}


def test_line_cost_is_the_catalogue_annuity_times_distance_and_capacity(linked):
    p, sol, _ = linked[2]
    assert p.link is not None
    (_, mw), km = next(iter(sol.line_mw.items())), p.pairs()[0][2]
    assert sol.line_cost_usd == pytest.approx(p.link.annualised_usd_per_mw_year(km) * mw, rel=1e-9)
    assert 0.9 < p.link.efficiency(km) < 1.0


def test_without_lines_or_shifting_no_energy_crosses_between_campuses():
    campuses = [_campus(s, 0.5) for s in ("greensboro", "miami")]
    p = PortfolioProblem(campuses, 2030, 0.8)
    sol = solve_portfolio(p, method="full")
    _check(sol, p)
    assert sol.line_mw == {} and sol.line_cost_usd == 0
    for c in campuses:
        assert np.abs(sol.dispatch[c.name]["line_in"]).max() == 0
        assert np.abs(sol.dispatch[c.name]["shift_in"]).max() == 0


def test_great_circle_distance_is_symmetric_and_one_degree_of_equator_is_111_km():
    assert great_circle_km(0, 0, 0, 1) == pytest.approx(2 * np.pi * 6371.0088 / 360, rel=1e-9)
    assert great_circle_km(36.1, -79.9, 25.8, -80.3) == pytest.approx(
        great_circle_km(25.8, -80.3, 36.1, -79.9)
    )
    assert great_circle_km(10, 20, 10, 20) == 0
    # Greensboro to Miami: ~1,150 km as the crow flies
    w1, w2 = load_weather("greensboro"), load_weather("miami")
    assert 1000 < great_circle_km(w1.latitude, w1.longitude, w2.latitude, w2.longitude) < 1300


def test_campus_hours_are_put_on_one_utc_clock():
    assert utc_offset_h(load_weather("greensboro")) == -5
    assert utc_offset_h(load_weather("sand-point")) == -9


def test_bad_portfolios_are_one_clear_error():
    with pytest.raises(InputError, match="at least two campuses"):
        solve_portfolio(PortfolioProblem([_campus("miami", 1.0)], 2030, 0.8))
    with pytest.raises(InputError, match="shift-share"):
        solve_portfolio(
            PortfolioProblem([_campus("miami", 0.5), _campus("greensboro", 0.5)], 2030, 0.8, shift_share=2)
        )


def test_sites_option_reads_weather_share_and_region():
    from scalewall.commands.site import SiteOptions, campus_specs

    specs = campus_specs(SiteOptions(load_mw=100, sites="greensboro:0.6:us-virginia, miami:0.4"))
    assert [s.share for s in specs] == [0.6, 0.4]
    assert specs[0].region.id == "us-virginia" and specs[1].region is None
    with pytest.raises(InputError, match="not a number"):
        campus_specs(SiteOptions(load_mw=100, sites="greensboro:half,miami"))

LAT = st.floats(-90, 90, allow_nan=False)
LON = st.floats(-180, 180, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(LAT, LON, LAT, LON, LAT, LON)
def test_great_circle_is_a_metric_on_the_sphere_bounded_by_half_the_circumference(a1, o1, a2, o2, a3, o3):
    d12, d21 = great_circle_km(a1, o1, a2, o2), great_circle_km(a2, o2, a1, o1)
    assert d12 == pytest.approx(d21, abs=1e-6)
    assert 0 <= d12 <= np.pi * 6371.0088 + 1e-6
    assert d12 <= great_circle_km(a1, o1, a3, o3) + great_circle_km(a3, o3, a2, o2) + 1e-6


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 20000, allow_nan=False), st.floats(0, 20000, allow_nan=False))
def test_a_longer_line_costs_more_linearly_and_delivers_less(k1, k2):
    link = catalog.get("links", "hvdc-overhead")
    lo, hi = sorted((k1, k2))
    assert link.efficiency(hi) <= link.efficiency(lo) <= (1 - link.converter_loss) ** 2
    slope = link.annualised_usd_per_mw_year(1.0) - link.annualised_usd_per_mw_year(0.0)
    assert link.annualised_usd_per_mw_year(hi) - link.annualised_usd_per_mw_year(lo) == pytest.approx(
        slope * (hi - lo), rel=1e-9, abs=1e-6
    )


def test_free_shares_sum_to_one_and_cost_no_more_than_the_best_campus_alone(linked):
    campuses = [_campus(s, 1.0) for s in ("greensboro", "miami")]  # each load as if it carried all
    p = PortfolioProblem(campuses, 2030, 0.8, catalog.get("links", "hvdc-overhead"), free_shares=True)
    sol = solve_portfolio(p, method="full")
    assert sum(sol.shares.values()) == pytest.approx(1.0, abs=1e-6)
    assert all(-1e-9 <= v <= 1 + 1e-9 for v in sol.shares.values())
    assert sol.balance_error_mw < 1e-4 and sol.cfe_share >= 0.8 - 1e-5
    served = sum(sol.dispatch[c.name]["load"].sum() for c in campuses)
    full = [c.load_mw.sum() for c in campuses]
    assert served == pytest.approx(sum(s * f for s, f in zip(sol.shares.values(), full, strict=True)), rel=1e-6)
    # putting all the load at one campus is one of its options
    # (each campus alone at half the load costs the same per MWh: the LP is homogeneous in the load)
    p2, _, alone = linked[2]
    best = min(a.annual_cost_usd / c.load_mw.sum() for a, c in zip(alone, p2.campuses, strict=True))
    assert sol.annual_cost_usd / served <= best * (1 + 1e-4)
