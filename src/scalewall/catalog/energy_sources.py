"""Catalogue schema of an energy source (``energy_sources.yaml``).

Costs are overnight capital cost per kW of power (storage: per kW including its energy block of
``duration_hours``), fixed O&M per kW-year, variable O&M and fuel per MWh delivered. Costs for a
given year come from a per-year table, interpolated linearly and held flat outside it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from scalewall.catalog.schema import Entry
from scalewall.units import HOURS_PER_YEAR

__all__ = ["EnergySource", "LongHaulLink", "ResourceLimit", "capital_recovery_factor"]


def capital_recovery_factor(discount_rate, lifetime_years):
    r"""Annuity factor that turns an overnight cost into an equal annual payment [1/year].

    Parameters
    ----------
    discount_rate : float or array
        Real discount rate (weighted average cost of capital) [-].
    lifetime_years : float or array
        Economic lifetime [year].

    Notes
    -----
    .. math:: \mathrm{CRF} = \frac{r (1+r)^n}{(1+r)^n - 1}, \quad \mathrm{CRF}(r{=}0) = 1/n

    References
    ----------
    Short, W., Packey, D. J., Holt, T. (1995). A Manual for the Economic Evaluation of Energy
    Efficiency and Renewable Energy Technologies, NREL/TP-462-5173, eq. 4-4.
    """
    r = np.asarray(discount_rate, dtype=float)
    n = np.asarray(lifetime_years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = np.where(r > 0, r * (1 + r) ** n / ((1 + r) ** n - 1), 1.0 / n)
    return crf


def _interp_year(table: dict[int, float], year: int) -> float:
    years = sorted(table)
    return float(np.interp(year, years, [table[y] for y in years]))


class EnergySource(Entry):
    """A technology that can supply a site: generator, storage, grid import or SBSP."""

    tech: str = Field(description="short name used by `scalewall site --techs`")
    role: Literal["variable", "firm", "dispatchable", "storage", "import"]
    carbon_free: bool = Field(description="counts toward the hourly carbon-free (CFE) share")
    cost_year_usd: int = Field(ge=2000, le=2100, description="dollar year of the costs")
    capex_usd_per_kw: dict[int, float] | None = Field(
        default=None, description="overnight capital cost by year [USD/kW]"
    )
    lcoe_usd_per_mwh: dict[int, float] | None = Field(
        default=None,
        description="published levelised cost by year, used instead of capex when only an LCOE "
        "is published (SBSP) [USD/MWh]",
    )
    lcoe_capacity_factor: float | None = Field(
        default=None, gt=0, le=1, description="capacity factor the LCOE was computed at [-]"
    )
    fixed_om_usd_per_kw_year: float = Field(default=0.0, ge=0, description="[USD/kW-year]")
    variable_om_usd_per_mwh: float = Field(default=0.0, ge=0, description="[USD/MWh]")
    fuel_usd_per_mwh: float = Field(default=0.0, ge=0, description="fuel per MWh electric [USD/MWh]")
    lifetime_years: float = Field(gt=0, description="economic lifetime [year]")
    discount_rate: float = Field(ge=0, lt=0.5, description="real WACC [-]")
    lifecycle_gco2e_kwh: float = Field(ge=0, description="lifecycle emissions [gCO2e/kWh]")
    direct_gco2e_kwh: float = Field(default=0.0, ge=0, description="stack emissions [gCO2e/kWh]")
    water_m3_per_mwh: float = Field(ge=0, description="operational water consumption [m3/MWh]")
    land_km2_per_mw: float = Field(ge=0, description="total project area [km2/MW]")
    lead_time_years: float = Field(ge=0, description="decision to energisation [year]")
    earliest_year: int = Field(ge=2000, le=2100, description="first year it can be energised")
    availability: float = Field(
        default=1.0, gt=0, le=1, description="maximum output as a share of capacity [-]"
    )
    duration_hours: float | None = Field(default=None, gt=0, description="storage: energy/power [h]")
    round_trip_efficiency: float | None = Field(default=None, gt=0, le=1, description="storage [-]")
    model: dict[str, float | str | bool] = Field(
        default_factory=dict, description="technology model parameters (PV, wind turbine)"
    )

    @field_validator("capex_usd_per_kw", "lcoe_usd_per_mwh")
    @classmethod
    def _non_negative(cls, v: dict[int, float] | None) -> dict[int, float] | None:
        if v is not None and (not v or any(x < 0 for x in v.values())):
            raise ValueError("cost tables need at least one year and no negative cost")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> EnergySource:
        if self.role == "storage" and (self.duration_hours is None or self.round_trip_efficiency is None):
            raise ValueError("storage needs duration_hours and round_trip_efficiency")
        if self.role != "import" and (self.capex_usd_per_kw is None) == (self.lcoe_usd_per_mwh is None):
            raise ValueError("give exactly one of capex_usd_per_kw or lcoe_usd_per_mwh")
        if self.lcoe_usd_per_mwh is not None and self.lcoe_capacity_factor is None:
            raise ValueError("lcoe_usd_per_mwh needs lcoe_capacity_factor")
        return self

    def capex_at(self, year: int) -> float:
        """Overnight capital cost in ``year`` [USD/kW]."""
        return _interp_year(self.capex_usd_per_kw, year) if self.capex_usd_per_kw else 0.0

    def annualised_cost_usd_per_mw_year(self, year: int) -> float:
        """Capital annuity plus fixed O&M per MW of capacity [USD/MW-year].

        Notes
        -----
        ``(CRF(r, n) * capex + FOM) * 1000``; for an entry given by its LCOE only,
        ``LCOE * CF_LCOE * 8760`` (the whole LCOE recovered as a fixed cost per MW, so the
        optimiser pays the published LCOE when it runs the plant at the published capacity factor).
        """
        if self.lcoe_usd_per_mwh is not None:
            assert self.lcoe_capacity_factor is not None  # the validator requires it with an LCOE
            return _interp_year(self.lcoe_usd_per_mwh, year) * self.lcoe_capacity_factor * HOURS_PER_YEAR
        crf = float(capital_recovery_factor(self.discount_rate, self.lifetime_years))
        return (crf * self.capex_at(year) + self.fixed_om_usd_per_kw_year) * 1000.0

    @property
    def marginal_usd_per_mwh(self) -> float:
        """Variable O&M plus fuel [USD/MWh]."""
        return self.variable_om_usd_per_mwh + self.fuel_usd_per_mwh


class LongHaulLink(Entry):
    """A long-haul transmission line between two campuses (``site_resources.yaml``, ``links``).

    Its cost is per MW of capacity and km of route, plus a converter pair per MW; its losses are a
    share per 1,000 km of line plus a share at each of the two converter stations.
    """

    cost_year_usd: int = Field(ge=2000, le=2100, description="dollar year of the costs")
    capex_usd_per_mw_km: float = Field(gt=0, description="line investment [USD/(MW km)]")
    converter_pair_capex_usd_per_kw: float = Field(ge=0, description="both converter stations [USD/kW]")
    fixed_om_share: float = Field(ge=0, lt=1, description="fixed O&M per year, share of capex [1/year]")
    lifetime_years: float = Field(gt=0, description="economic lifetime [year]")
    discount_rate: float = Field(ge=0, lt=0.5, description="real WACC [-]")
    loss_per_1000_km: float = Field(ge=0, lt=1, description="line losses per 1,000 km at full load [-]")
    converter_loss: float = Field(ge=0, lt=1, description="losses of one converter station [-]")

    def annualised_usd_per_mw_year(self, km: float) -> float:
        """Capital annuity plus fixed O&M of 1 MW over ``km`` of route [USD/MW-year].

        Notes
        -----
        ``(CRF(r, n) + FOM) * (capex_km * km + converter_pair * 1000)``
        """
        capex = self.capex_usd_per_mw_km * km + self.converter_pair_capex_usd_per_kw * 1000.0
        crf = float(capital_recovery_factor(self.discount_rate, self.lifetime_years))
        return (crf + self.fixed_om_share) * capex

    def efficiency(self, km: float) -> float:
        """Share of the power sent that arrives over ``km`` of route [-]."""
        return (1.0 - self.converter_loss) ** 2 * max(0.0, 1.0 - self.loss_per_1000_km * km / 1000.0)


class ResourceLimit(Entry):
    """Where a technology may be built (``site_resources.yaml``, ``resource_limits``).

    A site whose ``--region`` is not in ``regions`` cannot build ``tech``; ``reason`` is shown.
    """

    tech: str = Field(description="energy_sources id the limit applies to")
    regions: list[str] = Field(description="catalogue regions where a sourced resource exists")
    reason: str = Field(description="why the technology is left out elsewhere, in words")
