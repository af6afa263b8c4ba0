"""What each solution buys: added power and FLOP, avoided electricity and CO2e, its price, the
first year it can act, and the years it gains on the wall it addresses — plus the inverse
question (what efficiency on what share of the workload moves a wall by N years).

Years gained are a horizontal shift: at year Y the lever lifts the wall's curve A(Y) to A'(Y);
the base curve reaches A'(Y) Δ years later, Δ = ln(A'/A) / ln(A(Y)/A(Y−1)). For demand curves
(electricity) the same shift is read the other way: the lever's lower demand is reached Δ years
earlier by the base. A curve that no longer grows has no finite shift (reported as null).
"""

from __future__ import annotations

import numpy as np

from scalewall import catalog
from scalewall.outlook.levers import Lever
from scalewall.outlook.model import Trajectories
from scalewall.units import HOURS_PER_YEAR

__all__ = [
    "ENERGY_SOURCE_OF",
    "years_gained",
    "price_usd_mwh",
    "lever_pricing",
    "required_multiplier",
    "inverse_table",
]

#: the catalogue energy source (``energy_sources.yaml``) whose cost, availability and lifecycle
#: carbon price a power lever; fusion has none: no plant has yet delivered net electricity
ENERGY_SOURCE_OF = {"smr": "smr", "geothermal": "geothermal", "space-solar": "sbsp"}
#: below this yearly log-growth (2 %/yr) a curve is called flat: a shift in years is not defined
#: (convention), and the lever is reported by how much it lifts the curve instead
_MIN_GROWTH = float(np.log(1.02))
#: where a lever has no priced catalogue entry, the entry whose availability and lifecycle carbon
#: stand in for the carbon it displaces (ASSUMPTION: a fusion plant runs like a fission plant,
#: 93 % availability, 12 gCO2e/kWh lifecycle; no fusion plant has run to measure either)
CARBON_PROXY_OF = {"fusion": "nuclear"}
#: years the summary reports
REPORT_YEARS = (2030, 2035, 2040, 2050)


def years_gained(base: np.ndarray, lever: np.ndarray, j: int, demand: bool = False) -> np.ndarray:
    """Horizontal shift of a curve at column ``j`` [year], per sample; NaN where it cannot grow.

    Parameters
    ----------
    base, lever : (n, T) arrays
        The wall's allowed FLOP (or, with ``demand``, an electricity demand) without and with the
        lever [FLOP or TWh].
    j : int
        Column of the year asked about (≥ 1).
    demand : bool
        True for a curve the lever lowers (electricity): the gain is ln(base/lever).

    Notes
    -----
    Δ = ln(A'(Y) / A(Y)) / ln(A(Y) / A(Y − 1)).
    """
    a, a_prev, b = base[:, j], base[:, j - 1], lever[:, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.log(a / a_prev)
        lift = np.log(a / b) if demand else np.log(b / a)
        out = np.where(growth > _MIN_GROWTH, lift / growth, np.where(np.abs(lift) < 1e-12, 0.0, np.nan))
    return out


def price_usd_mwh(lever: Lever, year: int) -> float | None:
    """Levelised price of the lever's electricity in ``year`` [USD/MWh]; None without a source."""
    sid = ENERGY_SOURCE_OF.get(lever.name)
    if sid is None:
        return None
    e = catalog.get("energy_sources", sid)
    y = max(year, e.earliest_year)
    cf = e.lcoe_capacity_factor if e.lcoe_usd_per_mwh is not None else e.availability
    return float(e.annualised_cost_usd_per_mw_year(y) / (cf * HOURS_PER_YEAR) + e.marginal_usd_per_mwh)


def _energy_source(lever: Lever):
    sid = ENERGY_SOURCE_OF.get(lever.name)
    return catalog.get("energy_sources", sid) if sid else None


def _carbon_source(lever: Lever):
    sid = ENERGY_SOURCE_OF.get(lever.name) or CARBON_PROXY_OF.get(lever.name)
    return catalog.get("energy_sources", sid) if sid else None


def lever_pricing(
    lever: Lever,
    base: Trajectories,
    with_lever: Trajectories,
    campus_add_gw: np.ndarray,
    grid_intensity_g_kwh: np.ndarray,
    p: dict[str, np.ndarray] | None = None,
    acts_from_year: int | None = None,
) -> dict:
    """Per report year: what ``lever`` adds, avoids, costs, and the years it gains [units in keys].

    ``campus_add_gw`` is the (n, T) power the lever adds to the largest campus [GW];
    ``grid_intensity_g_kwh`` the (n, T) carbon intensity of data centres' grid electricity.
    """
    if lever.kind == "supply":
        return _supply_pricing(lever, base, grid_intensity_g_kwh, p or {}, acts_from_year)
    years = base.years
    wall = lever.target_wall
    demand_wall = wall == "grid"
    src = _energy_source(lever)
    carbon = _carbon_source(lever)
    rows = []
    for y in REPORT_YEARS:
        if not years[0] < y <= years[-1]:
            continue
        j = int(np.searchsorted(years, y))
        d_flop = with_lever.cluster_flop[:, j] - base.cluster_flop[:, j]
        # demand avoided (where the grid-build bound caps supply, the freed supply serves other demand)
        avoided_twh = base.datacentre_demand_twh[:, j] - with_lever.datacentre_demand_twh[:, j]
        avoided_t = avoided_twh * 1e9 * grid_intensity_g_kwh[:, j] / 1e6
        gw = campus_add_gw[:, j] if np.ndim(campus_add_gw) == 2 else np.zeros(len(d_flop))
        if carbon is not None:
            # clean supply on the campus displaces grid electricity at the grid's intensity
            lcoe = carbon.lcoe_usd_per_mwh is not None
            cf = carbon.lcoe_capacity_factor if lcoe else carbon.availability
            supplied_twh = gw * cf * HOURS_PER_YEAR / 1e3
            avoided_t = (
                avoided_t
                + supplied_twh * 1e9 * (grid_intensity_g_kwh[:, j] - carbon.lifecycle_gco2e_kwh) / 1e6
            )
        if demand_wall:
            b_curve, l_curve = base.datacentre_demand_twh, with_lever.datacentre_demand_twh
            gain = years_gained(b_curve, l_curve, j, True)
            lift = b_curve[:, j] / l_curve[:, j] - 1.0
        else:
            b_curve, l_curve = base.allowed_flop[wall], with_lever.allowed_flop[wall]
            gain = years_gained(b_curve, l_curve, j)
            lift = l_curve[:, j] / b_curve[:, j] - 1.0
        defined = np.mean(np.isfinite(gain)) >= 0.5
        rows.append(
            {
                "year": int(y),
                "adds_campus_gw_p50": _r(np.median(gw)),
                "adds_cluster_flop_p50": _r(np.median(d_flop)),
                "avoids_ai_electricity_twh_p50": _r(np.median(avoided_twh)),
                "avoids_co2e_t_p50": _r(np.median(avoided_t)),
                "price_usd_mwh": _r(price_usd_mwh(lever, y)) if src is not None else None,
                "lifts_wall_share_p50": _r(np.median(lift)),
                "years_gained_p50": _r(np.nanmedian(gain)) if defined else None,
            }
        )
    return {
        "addresses": "grid-build bound on data-centre electricity (demand curve)"
        if demand_wall
        else f"{wall} wall (allowed FLOP curve)",
        "by_year": rows,
        "price_note": _price_note(lever),
    }


def _supply_pricing(
    lever: Lever,
    base: Trajectories,
    grid_intensity_g_kwh: np.ndarray,
    p: dict[str, np.ndarray],
    acts_from_year: int | None,
) -> dict:
    """Renewables with storage: carbon avoided on data centres' new electricity, at its price.

    Notes
    -----
    avoided [tCO2e] = (DC(t) − DC(2024)) · CFE · (grid intensity(t) − solar lifecycle intensity),
    from the year it can act; it moves no wall (the grid-build bound counts all new generation).
    """
    solar = catalog.get("energy_sources", "solar")
    price = catalog.get("trends", "renewables-storage-price")
    cfe = p.get(lever.driver, np.full(base.years.shape, catalog.get("trends", lever.driver).central))
    dc0 = p.get("datacentre-electricity-2024", base.datacentre_electricity_twh[:, 0])
    rows = []
    for y in REPORT_YEARS:
        if not base.years[0] < y <= base.years[-1]:
            continue
        j = int(np.searchsorted(base.years, y))
        on = acts_from_year is None or y >= acts_from_year
        new_twh = np.maximum(base.datacentre_electricity_twh[:, j] - dc0, 0.0) * on
        avoided_t = new_twh * cfe * 1e9 * (grid_intensity_g_kwh[:, j] - solar.lifecycle_gco2e_kwh) / 1e6
        rows.append(
            {
                "year": int(y),
                "adds_campus_gw_p50": 0.0,
                "adds_cluster_flop_p50": 0.0,
                "avoids_ai_electricity_twh_p50": 0.0,
                "clean_twh_p50": _r(np.median(new_twh * cfe)),
                "avoids_co2e_t_p50": _r(np.median(avoided_t)),
                "price_usd_mwh": _r(price.central),
                "lifts_wall_share_p50": 0.0,
                "years_gained_p50": None,
            }
        )
    s = price.source[0]
    return {
        "addresses": "carbon of data centres' new electricity (it moves no wall: the grid-build "
        "bound already counts every kind of new generation)",
        "by_year": rows,
        "price_note": f"{price.low:g}-{price.high:g} USD/MWh, central {price.central:g}: {s.title} "
        f"({s.publisher}, {s.year}; {s.where}); {price.note}",
    }


def _price_note(lever: Lever) -> str:
    src = _energy_source(lever)
    if src is not None:
        s = src.source[0]
        return f"{src.name}: {s.title} ({s.publisher}, {s.year}; {s.where})"
    if lever.kind == "power":
        return (
            "no published price: no fusion plant has yet delivered net electricity to a grid; "
            "its avoided carbon uses fission's availability and lifecycle carbon (assumption)"
        )
    return (
        "no published price per FLOP: the gain is an energy-efficiency multiplier on a share of "
        "the workload; its hardware cost is not published"
    )


def required_multiplier(growth: np.ndarray | float, years: float, share: np.ndarray | float) -> np.ndarray:
    """Energy-efficiency multiplier needed on ``share`` of a workload to move a wall by ``years``
    [-]; ``inf`` where even an infinite multiplier on that share is not enough.

    Parameters
    ----------
    growth : array
        Yearly growth of the quantity behind the wall at the year asked about [x/yr].
    years : float
        Years to gain [year].
    share : array
        Share of the workload the new paradigm runs [-].

    Notes
    -----
    A multiplier m on share s lowers energy by 1 / ((1 − s) + s/m); gaining N years needs that
    reduction to equal g^N: m = s / (g^−N − (1 − s)), possible only where g^−N > 1 − s.
    """
    g = np.asarray(growth, dtype=float)
    s = np.asarray(share, dtype=float)
    target = g ** (-float(years))
    with np.errstate(divide="ignore", invalid="ignore"):
        m = s / (target - (1.0 - s))
    return np.where(target > 1.0 - s, m, np.inf)


def _r(x) -> float | None:
    if x is None or not np.isfinite(x):
        return None
    return float(f"{float(x):.4g}")


def inverse_table(tr: Trajectories, wall: str, year: int, years: float) -> dict:
    """The multiplier each adoption share needs to move ``wall`` by ``years`` at ``year``.

    ``wall`` is ``grid`` (the data-centre demand curve against the grid-build bound) or
    ``site_power`` (the single-campus wall's allowed FLOP); growth is the p50 of the curve's
    yearly growth at ``year`` [units in the keys].
    """
    j = int(np.searchsorted(tr.years, year))
    curve = tr.datacentre_demand_twh if wall == "grid" else tr.allowed_flop["site_power"]
    growth = float(np.median(curve[:, j] / curve[:, j - 1]))
    shares = [0.1, 0.2, 0.3, 0.5, 0.7, 1.0]
    need = required_multiplier(growth, years, np.array(shares))
    return {
        "wall": wall,
        "year": int(year),
        "years": years,
        "curve_growth_per_year_p50": _r(growth),
        "required_multiplier_by_share": [
            {"share": s, "multiplier": _r(m)} for s, m in zip(shares, need, strict=True)
        ],
        "note": "null: no multiplier on that share is enough (the rest of the workload alone "
        "grows past the wall); multiplier = energy per unit of work on today's hardware / on the "
        "new paradigm, applied from the given year",
    }
