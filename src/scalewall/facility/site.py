"""Where a job runs: PUE, grid carbon, water intensity and electricity price, with provenance.

One resolution order for every command (``train``, ``plan``, ``infer``): a figure the user gives,
else the catalogue region's, else the sourced defaults of ``assumptions.yaml``. The PUE comes from
:func:`scalewall.facility.pue.resolve_pue` (given > climate and cooling > region > default), the
same function ``site`` and the outlook use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scalewall.catalog import assumption
from scalewall.catalog.schema import Region, Source
from scalewall.facility.pue import Climate, resolve_pue

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
    pue_basis: str = "default"  #: where the PUE came from: given, climate, region or default


def resolve_site(
    region: Region | None,
    pue: float | None,
    grid_gco2_kwh: float | None,
    electricity_usd_mwh: float | None = None,
    *,
    climate: Climate | None = None,
    cooling: str | None = None,
) -> Site:
    """Site figures from explicit values, else the region, else sourced defaults.

    Parameters
    ----------
    region : catalogue region, or None
    pue : PUE given [-], or None
    grid_gco2_kwh : grid carbon intensity given [gCO2e/kWh], or None
    electricity_usd_mwh : electricity price given [USD/MWh], or None
    climate : hourly weather year for the PUE (:class:`scalewall.facility.pue.Climate`), or None
    cooling : cooling type for the climate's PUE (``air``, ``evaporative``, ``liquid``), or None
    """
    notes: list[str] = []
    sources: list[Source] = []
    p = resolve_pue(pue, region=region, climate=climate, cooling=cooling)
    if region is not None:
        base = dict(
            grid=region.grid_gco2_kwh,
            wue=region.wue_l_kwh,
            ewif=region.water_l_kwh_electricity,
            price=region.price_usd_mwh,
        )
        notes.append(f"site figures from region {region.id} (grid {region.grid_year})")
        sources.extend(region.source)
    else:
        base = dict(
            grid=assumption("default-grid-gco2-kwh"),
            wue=assumption("default-wue-l-kwh"),
            ewif=assumption("default-water-l-kwh-electricity"),
            price=assumption("default-electricity-usd-mwh"),
        )
        notes.append(
            "no region given: "
            + ("default PUE, " if p.basis == "default" else "")
            + "world-average grid, default water and price"
        )
    notes.extend(p.notes)
    if grid_gco2_kwh is not None:
        base["grid"] = grid_gco2_kwh
        notes.append(f"grid intensity {grid_gco2_kwh} gCO2e/kWh given")
    if electricity_usd_mwh is not None:
        base["price"] = electricity_usd_mwh
    return Site(
        pue=p.value,
        grid_gco2_kwh=base["grid"],
        wue_l_kwh=base["wue"],
        water_l_kwh_electricity=base["ewif"],
        electricity_usd_mwh=base["price"],
        notes=notes,
        sources=sources,
        pue_basis=p.basis,
    )
