"""From sample × year arrays to the quantiles, probabilities and wall years of the JSON result."""

from __future__ import annotations

import numpy as np

from scalewall.outlook.model import HARDWARE_WALLS, Trajectories

__all__ = [
    "quantiles",
    "first_capped_year",
    "wall_years",
    "binding_probability",
    "year_quantiles",
    "cluster_binding",
    "power_fall_reasons",
    "actors_able",
]


def quantiles(x: np.ndarray, axis: int = 0) -> dict:
    """{p10, p50, p90} of ``x`` along ``axis`` (floats, or lists for higher-dimensional x)."""
    q = np.quantile(np.asarray(x, dtype=float), [0.1, 0.5, 0.9], axis=axis)
    return {"p10": q[0], "p50": q[1], "p90": q[2]}


def year_quantiles(years: np.ndarray) -> dict:
    """{p10, p50, p90} of years that may be ``inf`` (beyond the horizon → None) [year]."""
    q = np.quantile(years, [0.1, 0.5, 0.9], method="inverted_cdf")
    return {k: (int(v) if np.isfinite(v) else None) for k, v in zip(("p10", "p50", "p90"), q, strict=True)}


def first_capped_year(capped: np.ndarray, years: np.ndarray) -> np.ndarray:
    """First year each sample's trend is capped (``inf`` if never within ``years``) [year]."""
    any_cap = capped.any(axis=1)
    idx = np.argmax(capped, axis=1)
    return np.where(any_cap, years[idx].astype(float), np.inf)


def wall_years(tr: Trajectories) -> dict[str, np.ndarray]:
    """First year each wall caps the demanded run, per sample, and ``first_wall`` for any wall."""
    out = {w: first_capped_year(tr.demanded_flop > tr.allowed_flop[w], tr.years) for w in tr.walls}
    out["first_wall"] = first_capped_year(tr.demanded_flop > tr.allowed_min_flop, tr.years)
    return out


def binding_probability(tr: Trajectories) -> list[dict[str, float]]:
    """Per year, the share of samples in which each wall binds ('none': the trend runs free) [-]."""
    stack = np.stack([tr.allowed_flop[w] for w in tr.walls])  # (W, n, T)
    which = np.argmin(stack, axis=0)
    capped = tr.demanded_flop > tr.allowed_min_flop
    n = capped.shape[0]
    rows = []
    for j in range(capped.shape[1]):
        d = {"none": float(np.sum(~capped[:, j]) / n)}
        for i, w in enumerate(tr.walls):
            share = float(np.sum(capped[:, j] & (which[:, j] == i)) / n)
            if share > 0:
                d[w] = share
        rows.append({k: round(v, 4) for k, v in sorted(d.items(), key=lambda kv: -kv[1])})
    return rows


def cluster_binding(tr: Trajectories) -> np.ndarray:
    """Index of the hardware wall that sets each sample's cluster, −1 where the trend does [-].

    Indices refer to ``HARDWARE_WALLS`` (power, grid, chips, cost); (n, T).
    """
    hw = [w for w in HARDWARE_WALLS if w in tr.allowed_flop]
    if not hw:
        return np.full(tr.cluster_flop.shape, -1)
    stack = np.stack([tr.allowed_flop[w] for w in hw])
    which = np.array([HARDWARE_WALLS.index(w) for w in hw])[np.argmin(stack, axis=0)]
    return np.where(tr.cluster_flop < tr.demanded_flop, which, -1)


def power_fall_reasons(tr: Trajectories, tolerance: float = 0.01) -> list[dict[str, float]]:
    """Per year, the share of samples whose frontier-run power falls by more than ``tolerance``
    from the year before, by the hardware wall that sets the cluster ('trend' if none) [-]."""
    which = cluster_binding(tr)
    falls: np.ndarray = np.zeros(tr.run_power_gw.shape, dtype=bool)
    falls[:, 1:] = tr.run_power_gw[:, 1:] < (1.0 - tolerance) * tr.run_power_gw[:, :-1]
    n = falls.shape[0]
    rows = []
    for j in range(falls.shape[1]):
        d: dict[str, float] = {}
        for i, w in [(-1, "trend"), *enumerate(HARDWARE_WALLS)]:
            share = float(np.sum(falls[:, j] & (which[:, j] == i)) / n)
            if share > 0:
                d[w] = round(share, 4)
        rows.append(d)
    return rows


def actors_able(tr: Trajectories, p: dict[str, np.ndarray]) -> np.ndarray:
    """Catalogue actors whose frontier budget covers the cluster AND the run's electricity [-].

    Notes
    -----
    Each actor's capex is scaled with the sample's largest budget and its growth, times the
    share of capex a frontier cluster can take (``budget-share-for-frontier``); (n, T).
    """
    from typing import cast

    from scalewall import catalog
    from scalewall.catalog.outlook import Actor

    actors = cast("dict[str, Actor]", catalog.entries("actors"))
    capex = np.array([a.capex_usd for a in actors.values()])
    scale = p["largest-budget-2024"] / capex.max()
    budget = (
        capex[None, :, None]
        * scale[:, None, None]
        * tr.budget_scale[:, None, :]
        * p["budget-share-for-frontier"][:, None, None]
    )
    need = tr.cluster_capex_usd + tr.run_energy_cost_usd
    return np.sum(budget >= need[:, None, :], axis=1)


def region_rows(tr: Trajectories, mode: str) -> list[dict[str, dict]]:
    """Per year, per grid region: data-centre electricity [TWh], new generation [GW/yr] (p10/p50/p90),
    the largest share of it data centres can take [-] (p50) and the share of samples whose data-centre
    demand there exceeds its limit and moves elsewhere [-] (``mode="world"``: 0, no regional limit)."""
    out: list[dict[str, dict]] = [{} for _ in tr.years]
    for r, dc in tr.datacentre_electricity_by_region_twh.items():
        dem = tr.datacentre_demand_by_region_twh[r]
        gw = tr.new_generation_gw_by_region[r]
        cap = float(np.median(tr.datacentre_share_cap_by_region[r]))
        at_limit = (dem > dc * (1.0 + 1e-9)).mean(axis=0) if mode == "regions" else np.zeros(len(tr.years))
        for j in range(len(tr.years)):
            out[j][r] = {
                "datacentre_electricity_twh": quantiles(dc[:, j]),
                "new_generation_gw_per_year": quantiles(gw[:, j]),
                "datacentre_share_of_new_generation_limit": round(cap, 4) if mode == "regions" else None,
                "probability_at_limit": round(float(at_limit[j]), 4),
            }
    return out
