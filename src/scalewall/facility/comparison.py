"""Electricity in terms people know: "this run = the electricity of <country> for <time>", and
the share of a run's cost that is energy.

Countries and the household come from the catalogue's ``equivalences`` (one sourced, dated table).
"""

from __future__ import annotations

from typing import cast

import numpy as np

from scalewall import catalog
from scalewall.catalog.outlook import Equivalence
from scalewall.units import HOURS_PER_DAY, HOURS_PER_YEAR

__all__ = ["country_equivalent", "annual_equivalent", "energy_cost_share", "duration_text"]

#: the comparison picks the country whose consumption takes closest to this long to add up to the
#: energy (convention: a day reads better than seconds or decades) [h]
_TARGET_HOURS = HOURS_PER_DAY


def duration_text(hours: float) -> str:
    """A duration in the largest unit that keeps it ≥ 1 (s, min, h, days, years) [-]."""
    if hours >= HOURS_PER_YEAR:
        return f"{hours / HOURS_PER_YEAR:.3g} years"
    if hours >= HOURS_PER_DAY:
        return f"{hours / HOURS_PER_DAY:.3g} days"
    if hours >= 1.0:
        return f"{hours:.3g} h"
    if hours * 60.0 >= 1.0:
        return f"{hours * 60.0:.3g} min"
    return f"{hours * 3600.0:.3g} s"


def country_equivalent(energy_twh: float) -> dict:
    """The country whose annual electricity use adds up to ``energy_twh`` in about a day, and how
    long that takes; plus US households for a year [units in the keys].

    Parameters
    ----------
    energy_twh : float
        Electricity to compare [TWh] (> 0).

    Notes
    -----
    time = E / (C / 8,760 h) for a country that uses C [TWh/yr] evenly over the year.
    """
    e = float(energy_twh)
    if not np.isfinite(e) or e <= 0:
        raise ValueError(f"energy to compare must be a positive number of TWh, not {energy_twh!r}")
    eq = cast("dict[str, Equivalence]", catalog.entries("equivalences"))
    countries = [x for x in eq.values() if x.kind == "country"]
    hours = {c.id: e / (c.annual_electricity_twh / HOURS_PER_YEAR) for c in countries}
    best = min(countries, key=lambda c: abs(np.log(hours[c.id] / _TARGET_HOURS)))
    h = hours[best.id]
    house = eq["us-household"]
    return {
        "sentence": f"the electricity of {best.name} for {duration_text(h)}",
        "country": best.name,
        "country_twh_per_year": float(f"{best.annual_electricity_twh:.4g}"),
        "country_data_year": best.year,
        "hours": float(f"{h:.4g}"),
        "us_households_for_a_year": float(f"{e * 1e9 / house.annual_electricity_kwh:.4g}"),
    }


def annual_equivalent(twh_per_year: float) -> dict:
    """A yearly electricity use as US households and the country of the closest annual use
    [units in the keys]."""
    eq = cast("dict[str, Equivalence]", catalog.entries("equivalences"))
    house = eq["us-household"]
    countries = [e for e in eq.values() if e.kind == "country"]
    best = min(countries, key=lambda e: abs(np.log(e.annual_electricity_twh / twh_per_year)))
    return {
        "us_households_million": float(f"{twh_per_year * 1e9 / house.annual_electricity_kwh / 1e6:.4g}"),
        "closest_country": best.name,
        "closest_country_twh": float(f"{best.annual_electricity_twh:.4g}"),
    }


def energy_cost_share(energy_usd: float | None, total_usd: float | None) -> float | None:
    """Energy's share of a run's cost [-]; None when the cost is unknown."""
    if energy_usd is None or total_usd is None or total_usd <= 0:
        return None
    return float(energy_usd) / float(total_usd)
