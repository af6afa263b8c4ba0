"""Country comparison of an amount of electricity and energy's share of a run's cost."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.facility.comparison import country_equivalent, duration_text, energy_cost_share


def test_a_year_of_france_is_france():
    # catalogue equivalences: France 455.4 TWh (CIA World Factbook)
    fr = catalog.get("equivalences", "france").annual_electricity_twh
    eq = country_equivalent(fr / 365.0)
    assert eq["country"] == "France" and eq["hours"] == pytest.approx(24.0, rel=1e-3)


@given(st.floats(1e-6, 1e5))
def test_hours_times_the_countrys_power_give_back_the_energy(twh):
    eq = country_equivalent(twh)
    assert eq["hours"] * eq["country_twh_per_year"] / 8760.0 == pytest.approx(twh, rel=1e-3)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_non_positive_energy_is_refused_with_a_sentence(bad):
    with pytest.raises(ValueError, match="positive number of TWh"):
        country_equivalent(bad)


def test_duration_text_picks_the_largest_unit_at_least_one():
    assert duration_text(0.5) == "30 min" and duration_text(48.0) == "2 days"


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
