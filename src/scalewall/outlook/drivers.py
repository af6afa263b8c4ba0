"""Drivers as distributions: resolve a scenario's ranges and sample them (Latin hypercube).

Every driver is a catalogue ``trend`` with ``low``, ``central`` and ``high``. A uniform number
u ∈ [0, 1) maps piecewise-linearly through (0, low), (0.5, central), (1, high) — in log10 of the
value for ``scale: log`` — so the median is ``central`` and the range is [low, high].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from scipy.stats import qmc

from scalewall import catalog

if TYPE_CHECKING:
    from scalewall.catalog.outlook import Trend

__all__ = [
    "CORRELATED",
    "Driver",
    "driver_table",
    "quantile_map",
    "sample_uniform",
    "correlate",
    "draw",
]

#: growth rates that investment moves together (rank correlation ``outlook-growth-correlation``)
CORRELATED = (
    "frontier-compute-growth",
    "budget-growth-to-2030",
    "chip-output-growth",
    "ai-compute-demand-growth",
    "campus-power-growth",
)


@dataclass(frozen=True)
class Driver:
    """One resolved driver: its range in ``unit`` and how it is interpolated."""

    id: str
    unit: str
    low: float
    central: float
    high: float
    scale: str

    @property
    def varies(self) -> bool:
        return self.low != self.high


def driver_table(overrides: dict[str, tuple[float, float, float]] | None = None) -> dict[str, Driver]:
    """Catalogue trends with a scenario's ``overrides`` {id: (low, central, high)} applied [-]."""
    table = {}
    for tid, t in cast("dict[str, Trend]", catalog.entries("trends")).items():
        lo, ce, hi = (
            overrides.get(tid, (t.low, t.central, t.high)) if overrides else (t.low, t.central, t.high)
        )
        table[tid] = Driver(tid, t.unit, float(lo), float(ce), float(hi), t.scale)
    return table


def quantile_map(d: Driver, u: np.ndarray) -> np.ndarray:
    """Values of driver ``d`` at uniform quantiles ``u`` [d.unit].

    Notes
    -----
    x(u) = low + (central − low)·2u for u < ½, central + (high − central)·(2u − 1) otherwise; in
    log10 space when ``d.scale == "log"`` and low > 0.
    """
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    lo, ce, hi = d.low, d.central, d.high
    log = d.scale == "log" and lo > 0
    if log:
        lo, ce, hi = np.log10(lo), np.log10(ce), np.log10(hi)
    x = np.where(u < 0.5, lo + (ce - lo) * 2.0 * u, ce + (hi - ce) * (2.0 * u - 1.0))
    return 10.0**x if log else x


def sample_uniform(n: int, d: int, seed: int) -> np.ndarray:
    """A Latin-hypercube sample of ``n`` points in [0, 1)^d, reproducible from ``seed`` [-]."""
    return qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(n)


def correlate(u: np.ndarray, order: list[str], group: tuple[str, ...], rho: float) -> np.ndarray:
    """Uniform sample ``u`` with the columns of ``group`` made pairwise correlated [-].

    Notes
    -----
    Gaussian copula: z = Φ⁻¹(u); the group's columns become L·z with L the Cholesky factor of the
    equicorrelation matrix (1 on the diagonal, ρ elsewhere); u' = Φ(z'). Every column keeps its
    uniform marginal (so each driver keeps its range and median); the group's rank correlation
    becomes (6/π)·asin(ρ/2) ≈ ρ. The Latin-hypercube stratification of mixed columns is lost.
    """
    from scipy.stats import norm

    cols = [order.index(k) for k in group if k in order]
    if len(cols) < 2 or rho == 0.0:
        return u
    if not -1.0 / (len(cols) - 1) < rho < 1.0:
        raise ValueError(f"correlation {rho} is not a valid equicorrelation for {len(cols)} drivers")
    c = np.full((len(cols), len(cols)), rho)
    np.fill_diagonal(c, 1.0)
    lower = np.linalg.cholesky(c)
    eps = 0.5 / u.shape[0]
    z = norm.ppf(np.clip(u[:, cols], eps, 1.0 - eps))
    out = u.copy()
    out[:, cols] = norm.cdf(z @ lower.T)
    return out


def draw(table: dict[str, Driver], u: np.ndarray, order: list[str]) -> dict[str, np.ndarray]:
    """Driver values for each row of ``u``; column j of ``u`` is driver ``order[j]`` [units]."""
    return {k: quantile_map(table[k], u[:, j]) for j, k in enumerate(order)}
