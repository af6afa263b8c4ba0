"""Electricity in terms people know: "this run = the electricity of <country> for <time>", and
the share of a run's cost that is energy.

Countries come from the catalogue's ``countries`` (every country's annual electricity demand in one
dated table, Ember 2020); the household from ``equivalences``.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from scalewall import catalog
from scalewall.catalog.outlook import Country, Equivalence
from scalewall.units import HOURS_PER_DAY, HOURS_PER_YEAR

__all__ = ["country_equivalent", "annual_equivalent", "energy_cost_share", "duration_text", "READABLE_HOURS"]

#: durations a reader takes in at once: a day, a week, a year [h]. The comparison picks the
#: (country, duration) pair whose time to use the energy is closest to one of them in ratio
#: (convention; a day or a year of a country reads better than 37 minutes or 80 years of another)
READABLE_HOURS = (HOURS_PER_DAY, 7.0 * HOURS_PER_DAY, HOURS_PER_YEAR)


def _countries() -> list[Country]:
    return list(cast("dict[str, Country]", catalog.entries("countries")).values())


def _count(x: float, unit: str) -> str:
    text = f"{x:.3g}"
    return f"{text} {unit}" if text == "1" else f"{text} {unit}s"


def duration_text(hours: float) -> str:
    """A duration in the largest unit that keeps it ≥ 1 (s, min, h, days, years) [-]."""
    if hours >= HOURS_PER_YEAR:
        return _count(hours / HOURS_PER_YEAR, "year")
    if hours >= HOURS_PER_DAY:
        return _count(hours / HOURS_PER_DAY, "day")
    if hours >= 1.0:
        return f"{hours:.3g} h"
    if hours * 60.0 >= 1.0:
        return f"{hours * 60.0:.3g} min"
    return f"{hours * 3600.0:.3g} s"


def country_equivalent(energy_twh: float) -> dict:
    """The country whose annual electricity use adds up to ``energy_twh`` in about a day, a week or
    a year, and how long that takes; plus US households for a year [units in the keys].

    Parameters
    ----------
    energy_twh : float
        Electricity to compare [TWh] (> 0).

    Notes
    -----
    time = E / (C / 8,760 h) for a country that uses C [TWh/yr] evenly over the year. Over every
    country of the catalogue's ``countries`` table and every T in ``READABLE_HOURS`` (1 day, 1 week,
    1 year), the pair with the smallest |ln(time / T)| is chosen; ties go to the larger country.
    """
    e = float(energy_twh)
    if not np.isfinite(e) or e <= 0:
        raise ValueError(f"energy to compare must be a positive number of TWh, not {energy_twh!r}")
    countries = _countries()
    demand = np.array([c.electricity_demand_twh for c in countries])
    hours = e / (demand / HOURS_PER_YEAR)
    miss = np.abs(np.log(hours[:, None] / np.asarray(READABLE_HOURS)[None, :])).min(axis=1)
    best_i = min(range(len(countries)), key=lambda i: (round(float(miss[i]), 12), -demand[i]))
    best, h = countries[best_i], float(hours[best_i])
    house = cast("Equivalence", catalog.get("equivalences", "us-household"))
    return {
        "sentence": f"the electricity of {best.name} for {duration_text(h)}",
        "country": best.name,
        "country_twh_per_year": float(f"{best.electricity_demand_twh:.4g}"),
        "country_data_year": best.year,
        "hours": float(f"{h:.4g}"),
        "us_households_for_a_year": float(f"{e * 1e9 / house.annual_electricity_kwh:.4g}"),
    }


def annual_equivalent(twh_per_year: float) -> dict:
    """A yearly electricity use as US households and the country of the closest annual use
    [units in the keys]."""
    house = cast("Equivalence", catalog.get("equivalences", "us-household"))
    best = min(_countries(), key=lambda c: abs(np.log(c.electricity_demand_twh / twh_per_year)))
    return {
        "us_households_million": float(f"{twh_per_year * 1e9 / house.annual_electricity_kwh / 1e6:.4g}"),
        "closest_country": best.name,
        "closest_country_twh": float(f"{best.electricity_demand_twh:.4g}"),
    }


def energy_cost_share(energy_usd: float | None, total_usd: float | None) -> float | None:
    """Energy's share of a run's cost [-]; None when the cost is unknown."""
    if energy_usd is None or total_usd is None or total_usd <= 0:
        return None
    return float(energy_usd) / float(total_usd)
