"""One Monte Carlo run of a scenario: sample the drivers, apply the levers, evaluate the model.

``Simulation`` holds what every later question (quantiles, levers, presets' checks, the hindcast)
needs: the scenario, the driver table, the uniform sample behind each driver, and the paired driver
values, so a lever re-evaluates the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalewall import catalog
from scalewall.catalog.outlook import Scenario
from scalewall.outlook.drivers import CORRELATED, Driver, correlate, draw, driver_table, sample_uniform
from scalewall.outlook.levers import apply_levers
from scalewall.outlook.model import BASE_YEAR, NEAR_TERM_END, WALLS, LeverEffects, Trajectories, evaluate
from scalewall.outlook.scenario import load_scenario, overrides

__all__ = ["Simulation", "simulate"]


@dataclass
class Simulation:
    """A scenario's samples: ``p`` driver values, ``u_by_id`` their uniform quantiles [-]."""

    scenario: Scenario
    table: dict[str, Driver]
    years: np.ndarray
    walls: tuple[str, ...]
    p: dict[str, np.ndarray]
    u_by_id: dict[str, np.ndarray]
    depreciation_years: float
    base_year: int = BASE_YEAR
    near_term_end: int = NEAR_TERM_END

    def run(self, levers: list[str] | None = None) -> tuple[Trajectories, dict[str, np.ndarray]]:
        """Trajectories with the scenario's levers plus ``levers``, and the driver values used."""
        tr, q, _ = self.run_with_effects(levers)
        return tr, q

    def grid_intensity_g_kwh(self) -> np.ndarray:
        """Carbon intensity of data centres' grid electricity by sample and year [gCO2e/kWh]."""
        t = (self.years - self.base_year).astype(float)[None, :]
        g0 = float(catalog.assumption("default-grid-gco2-kwh"))
        return g0 * np.maximum(1.0 + self.p["grid-intensity-change"][:, None], 0.0) ** t

    def run_with_effects(
        self, levers: list[str] | None = None
    ) -> tuple[Trajectories, dict[str, np.ndarray], LeverEffects]:
        """As ``run``, plus the levers' effects (added campus power, efficiency multipliers)."""
        names = list(self.scenario.levers) + list(levers or [])
        q, eff = apply_levers(names, self.p, self.u_by_id, self.years, int(self.years[0]))
        tr = evaluate(
            q,
            self.years,
            self.walls,
            eff,
            self.depreciation_years,
            base_year=self.base_year,
            near_term_end=self.near_term_end,
            grid_gco2_kwh=float(catalog.assumption("default-grid-gco2-kwh")),
            load_factor=float(catalog.assumption("datacentre-load-factor")),
            grid_bound=self.scenario.grid_bound,
        )
        return tr, q, eff


def simulate(
    scenario: str | Scenario | None,
    years: np.ndarray,
    samples: int,
    seed: int,
    base_year: int = BASE_YEAR,
    near_term_end: int = NEAR_TERM_END,
) -> Simulation:
    """Sample a scenario (preset name, YAML path or a parsed ``Scenario``) [-].

    Notes
    -----
    Latin-hypercube quantiles, with the investment-driven growth rates (``CORRELATED``) joined by a
    Gaussian copula at the catalogue's ``outlook-growth-correlation``.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    table = driver_table(overrides(sc))
    paradigm_ids = list(catalog.entries("paradigms"))
    order = list(table) + [f"paradigm:{pid}" for pid in paradigm_ids]
    rho = float(catalog.assumption("outlook-growth-correlation"))
    u = correlate(sample_uniform(samples, len(order), seed), order, CORRELATED, rho)
    u_by_id = {k: u[:, j] for j, k in enumerate(order)}
    p = draw(table, u, list(table))
    return Simulation(
        scenario=sc,
        table=table,
        years=np.asarray(years, dtype=int),
        walls=tuple(sc.walls or WALLS),
        p=p,
        u_by_id=u_by_id,
        depreciation_years=float(catalog.assumption("hardware-depreciation-years")),
        base_year=base_year,
        near_term_end=near_term_end,
    )
