"""Every lever reports what it adds, avoids and costs by year, and the years it gains on the wall it
addresses; the inverse question inverts the adoption formula."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall.commands.outlook import OutlookOptions, run_outlook
from scalewall.outlook.levers import get_lever
from scalewall.outlook.pricing import price_usd_mwh, required_multiplier, years_gained

NAMED = [
    "renewables-storage",
    "smr",
    "geothermal",
    "fusion",
    "space-solar",
    "neuromorphic",
    "photonic",
    "analog",
    "efficient-chips",
    "lower-precision",
    "distributed-training",
]


@pytest.fixture(scope="module")
def levers() -> dict:
    res = run_outlook(OutlookOptions(samples=400, sensitivity_samples=0, lever=NAMED)).model_dump()
    return {r["name"]: r for r in res["levers"]}


@pytest.mark.parametrize("name", NAMED)
def test_every_named_lever_has_a_nonzero_sourced_effect_or_says_why_not(levers, name):
    r = levers[get_lever(name).name]
    effect = [
        y[k]
        for y in r["by_year"]
        for k in ("adds_campus_gw_p50", "avoids_ai_electricity_twh_p50", "lifts_wall_share_p50",
                  "avoids_co2e_t_p50")
    ]
    assert r["sources"] and r["acts_from_basis"] and r["price_note"]
    assert any(v not in (None, 0.0) for v in effect) or "zero" in r["note"]


def test_space_solar_acts_from_2050_at_nasa_otps_610_usd_mwh(levers):
    # NASA OTPS (2024): systems operate from 2050; RD1 baseline 0.61 USD/kWh
    r = levers["space-solar"]
    assert r["acts_from"] == 2050
    by = {y["year"]: y for y in r["by_year"]}
    assert by[2040]["adds_campus_gw_p50"] == 0.0 and by[2050]["adds_campus_gw_p50"] > 0
    assert price_usd_mwh(get_lever("space-solar"), 2050) == pytest.approx(610.0)


def test_smr_gains_years_on_the_site_power_wall_after_it_arrives(levers):
    by = {y["year"]: y for y in levers["smr"]["by_year"]}
    assert by[2035]["years_gained_p50"] > 0 and by[2035]["avoids_co2e_t_p50"] > 0


def test_years_gained_is_the_horizontal_shift_of_an_exponential():
    years = np.arange(10.0)
    base = 2.0 ** years[None, :]
    lever = base * 2.0**1.5  # the same curve 1.5 years ahead
    assert years_gained(base, lever, 5)[0] == pytest.approx(1.5)


@settings(max_examples=50, deadline=None)
@given(st.floats(1.05, 3.0), st.floats(0.1, 5.0), st.floats(0.05, 1.0))
def test_required_multiplier_gains_exactly_the_years_asked(g, n, s):
    m = float(required_multiplier(g, n, s))
    if np.isfinite(m):
        gain = 1.0 / ((1.0 - s) + s / m)
        assert gain == pytest.approx(g**n, rel=1e-9)
    else:
        assert g ** (-n) <= 1.0 - s  # even an infinite multiplier leaves (1 - s) of the energy


def test_renewables_with_storage_avoid_carbon_at_lazards_price_and_move_no_wall(levers):
    # Lazard LCOE+ 2024: solar + storage 60-210 USD/MWh; Google 2024: 64 % hourly CFE (low end)
    r = levers["renewables-storage"]
    by = {y["year"]: y for y in r["by_year"]}
    assert by[2035]["avoids_co2e_t_p50"] > 0 and 60 <= by[2035]["price_usd_mwh"] <= 210
    assert all(y["years_gained_p50"] is None for y in r["by_year"]) and "zero years" in r["note"]


def test_inverse_year_outside_the_outlook_is_one_clear_sentence():
    from scalewall.errors import InputError

    with pytest.raises(InputError, match="--inverse-year 2010 must lie after --from"):
        run_outlook(OutlookOptions(samples=64, sensitivity_samples=0, inverse_year=2010))


def test_inverse_table_lists_the_multiplier_each_adoption_share_needs():
    res = run_outlook(
        OutlookOptions(samples=200, sensitivity_samples=0, inverse_year=2035, inverse_years=3)
    ).model_dump()
    inv = res["inverse"]
    g = inv["curve_growth_per_year_p50"]
    for row in inv["required_multiplier_by_share"]:
        expect = required_multiplier(g, 3.0, row["share"])
        if np.isfinite(expect):
            # growth is printed to 4 significant figures; the multiplier is sensitive near 1 - s
            assert row["multiplier"] == pytest.approx(float(expect), rel=0.02)
        else:
            assert row["multiplier"] is None
