"""Weather -> capacity factors, hourly PUE and GEO eclipse geometry, against physics and
published figures (sources in each test)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scalewall import catalog
from scalewall.catalog.energy_sources import capital_recovery_factor
from scalewall.supply.sbsp import eclipse_minutes_per_day, geo_sunlit_fraction, hourly_availability
from scalewall.supply.solar import pv_capacity_factor
from scalewall.supply.weather import BUNDLED, load_weather
from scalewall.supply.wind import hub_height_wind_speed, wind_capacity_factor


@pytest.fixture(scope="module")
def sites():
    return {k: load_weather(k) for k in BUNDLED}


def test_bundled_ids_are_the_files_pvlib_ships(sites):
    for k, w in sites.items():
        assert len(w.data) == 8760 and BUNDLED[k][0] in w.source


def test_tracking_pv_capacity_factors_are_plausible_and_ordered_by_sunshine(sites):
    # NREL ATB 2024 utility PV (tracking, AC) capacity factors span ~0.2-0.35 across US classes;
    # Sand Point, Alaska (55 N, maritime cloud) must be far below Miami and Greensboro.
    cf = {k: pv_capacity_factor(w).mean() for k, w in sites.items()}
    assert 0.20 < cf["greensboro"] < 0.30 and 0.20 < cf["miami"] < 0.32
    assert cf["sand-point"] < 0.16
    assert cf["miami"] > cf["greensboro"] > cf["sand-point"]


def test_wind_capacity_factors_are_plausible_and_windy_coast_beats_inland(sites):
    # TMY 10 m airport winds: Sand Point (Aleutians, ~5 m/s) is windy, Greensboro (~3 m/s) not;
    # US fleet-average wind capacity factor ~0.35 (LBNL Land-Based Wind Market Report 2024).
    cf = {k: wind_capacity_factor(w).mean() for k, w in sites.items()}
    assert 0.25 < cf["sand-point"] < 0.5
    assert cf["greensboro"] < 0.2
    assert cf["sand-point"] > cf["miami"] > cf["greensboro"]


def test_log_law_hub_height_extrapolation_matches_the_formula():
    v = hub_height_wind_speed(np.array([5.0]), 10.0, 100.0, 0.03)
    assert v[0] == pytest.approx(5.0 * math.log(100 / 0.03) / math.log(10 / 0.03), rel=1e-9)


def test_geo_eclipse_is_72_minutes_at_equinox_and_none_at_solstice():
    # Earth's shadow seen from GEO: 2 (asin(Re/r_geo) + sun radius) / 360 deg x 24 h ~ 72 min
    mins = eclipse_minutes_per_day([0.0, 23.44])
    assert 70 <= mins[0] <= 73 and mins[1] == 0


def test_geo_eclipse_seasons_last_about_45_days_around_each_equinox_near_local_midnight(sites):
    w = sites["greensboro"]
    a = hourly_availability(w.data.index, w.longitude)
    eclipse_days = np.flatnonzero((a < 1).reshape(365, 24).any(axis=1))
    spring = eclipse_days[eclipse_days < 180]
    autumn = eclipse_days[eclipse_days >= 180]
    # published: ~44-46 days per season centred on the equinoxes (day 79 and day 265)
    assert 40 <= len(spring) <= 50 and 40 <= len(autumn) <= 50
    assert abs(np.median(spring) - 79) <= 3 and abs(np.median(autumn) - 265) <= 3
    local_solar_hour = (w.data.index.hour[np.argmin(a)] - 0.5 + (w.longitude / 15 + 5)) % 24
    assert min(local_solar_hour, 24 - local_solar_hour) < 1.5
    assert 0.985 < a.mean() < 0.995  # ~1 % of the year lost to eclipses


def test_sunlit_fraction_is_one_on_the_day_side():
    assert geo_sunlit_fraction(0.0, 180.0) == 1.0 and geo_sunlit_fraction(0.0, 0.0) == 0.0


def test_capital_recovery_factor_matches_annuity_formula():
    r, n = 0.077, 30
    assert float(capital_recovery_factor(r, n)) == pytest.approx(r / (1 - (1 + r) ** -n), rel=1e-12)


def test_every_energy_source_is_sourced_and_costs_fall_or_hold_over_time():
    es = catalog.entries("energy_sources")
    assert {"solar", "wind", "battery", "ldes", "nuclear", "smr", "geothermal", "gas", "gas-ccs",
            "grid", "sbsp", "sbsp-optimistic"} <= set(es)
    for s in es.values():
        assert s.source
        if s.capex_usd_per_kw:
            assert s.capex_at(2050) <= s.capex_at(s.earliest_year)
    assert es["sbsp-optimistic"].annualised_cost_usd_per_mw_year(2050) < es["sbsp"].annualised_cost_usd_per_mw_year(2050)
