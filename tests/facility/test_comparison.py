"""Country comparison of an amount of electricity and energy's share of a run's cost."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.facility.comparison import (
    READABLE_HOURS,
    annual_equivalent,
    country_equivalent,
    duration_text,
    energy_cost_share,
)


def test_countries_table_is_every_country_of_ember_2020_and_adds_up_to_its_world_total():
    # Ember yearly data (api_country_overview_yearly.csv, year 2020): 209 countries and
    # territories; World row 25,998.79 TWh. The transcribed rows must add up to it (0.1 %).
    cs = catalog.entries("countries")
    assert len(cs) == 209
    assert sum(c.electricity_demand_twh for c in cs.values()) == pytest.approx(25998.79, rel=1e-3)
    assert {c.year for c in cs.values()} == {2020}


def test_france_2020_demand_is_embers_481_69_twh():
    # Ember yearly data, France, 2020: demand_twh 481.69
    fr = catalog.get("countries", "fra")
    assert fr.name == "France" and fr.electricity_demand_twh == 481.69


def test_a_day_of_france_is_a_day_of_france():
    fr = catalog.get("countries", "france").electricity_demand_twh
    eq = country_equivalent(fr / 365.0)
    assert eq["country"] == "France" and eq["hours"] == pytest.approx(24.0, rel=1e-3)


def test_a_small_run_is_compared_with_a_small_country_not_a_minute_of_the_smallest_catalogued():
    # 30 GWh (a 2024 frontier run, order of magnitude): with nine large countries it read
    # "France for 14 min"; the full table finds one that uses it in about a day, a week or a year
    eq = country_equivalent(0.03)
    best = min(abs(math.log(eq["hours"] / t)) for t in READABLE_HOURS)
    assert best < 0.2 and catalog.get("countries", eq["country"]).electricity_demand_twh < 5


@given(st.floats(1e-6, 1e5))
def test_hours_times_the_countrys_power_give_back_the_energy(twh):
    eq = country_equivalent(twh)
    assert eq["hours"] * eq["country_twh_per_year"] / 8760.0 == pytest.approx(twh, rel=1e-3)


def test_data_centres_2024_are_closest_to_france_in_annual_use():
    # IEA 2024 data centres 415 TWh; Ember 2020: France 481.7, UK 325.0 TWh (log-closest: France)
    assert annual_equivalent(415.0)["closest_country"] == "France"


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_non_positive_energy_is_refused_with_a_sentence(bad):
    with pytest.raises(ValueError, match="positive number of TWh"):
        country_equivalent(bad)


def test_duration_text_picks_the_largest_unit_at_least_one():
    assert duration_text(0.5) == "30 min" and duration_text(48.0) == "2 days"
    assert duration_text(24.0) == "1 day" and duration_text(8760.0) == "1 year"


def test_energy_share_is_none_without_a_cost():
    assert energy_cost_share(10.0, None) is None and energy_cost_share(25.0, 100.0) == 0.25


def _cli(*args: str) -> str:
    import os
    import subprocess
    import sys

    env = dict(os.environ, COLUMNS="120")
    out = subprocess.run([sys.executable, "-m", "scalewall", *args], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_train_prints_the_country_comparison_and_the_energy_share_of_its_cost():
    text = _cli("train", "--model", "llama-3.1-405b", "--accelerator", "h100-sxm", "--devices", "16384")
    assert "energy share of cost" in text and "the electricity of" in text


def test_outlook_prints_the_country_comparison_and_the_energy_share_of_the_run():
    text = _cli("outlook", "--samples", "64", "--sensitivity-samples", "0", "--to", "2030")
    assert "energy share" in text and "the electricity of" in text
