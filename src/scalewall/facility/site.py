"""Where a job runs: PUE, grid carbon, water intensity and electricity price, with provenance.

One resolution order for every command (``train``, ``plan``, ``infer``): a figure the user gives,
else the catalogue region's, else the sourced defaults of ``assumptions.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scalewall.catalog import assumption
from scalewall.catalog.schema import Region, Source

__all__ = ["Site", "resolve_site"]


@dataclass(frozen=True)
class Site:
    """Where the job runs: PUE, grid, water and electricity price, with their provenance."""

    pue: float  #: power usage effectiveness [-]
    grid_gco2_kwh: float  #: grid carbon intensity [gCO2e/kWh]
    wue_l_kwh: float  #: on-site water use per IT energy [L/kWh]
    water_l_kwh_electricity: float  #: water consumed generating the electricity [L/kWh]
    electricity_usd_mwh: float  #: electricity price [USD/MWh]
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


def resolve_site(
    region: Region | None,
    pue: float | None,
    grid_gco2_kwh: float | None,
    electricity_usd_mwh: float | None = None,
) -> Site:
    """Site figures from explicit values, else the region, else sourced defaults."""
    notes: list[str] = []
    sources: list[Source] = []
    if region is not None:
        base = dict(
            pue=region.pue,
            grid=region.grid_gco2_kwh,
            wue=region.wue_l_kwh,
            ewif=region.water_l_kwh_electricity,
            price=region.price_usd_mwh,
        )
        notes.append(f"site figures from region {region.id} (grid {region.grid_year})")
        sources.extend(region.source)
    else:
        base = dict(
            pue=assumption("default-pue"),
            grid=assumption("default-grid-gco2-kwh"),
            wue=assumption("default-wue-l-kwh"),
            ewif=assumption("default-water-l-kwh-electricity"),
            price=assumption("default-electricity-usd-mwh"),
        )
        notes.append("no region given: default PUE, world-average grid, default water and price")
    if pue is not None:
        base["pue"] = pue
        notes.append(f"PUE {pue} given")
    if grid_gco2_kwh is not None:
        base["grid"] = grid_gco2_kwh
        notes.append(f"grid intensity {grid_gco2_kwh} gCO2e/kWh given")
    if electricity_usd_mwh is not None:
        base["price"] = electricity_usd_mwh
    return Site(
        pue=base["pue"],
        grid_gco2_kwh=base["grid"],
        wue_l_kwh=base["wue"],
        water_l_kwh_electricity=base["ewif"],
        electricity_usd_mwh=base["price"],
        notes=notes,
        sources=sources,
    )
