"""The ``site`` stage: weather -> profiles and PUE -> least-cost supply -> typed result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from scalewall.catalog.energy_sources import EnergySource
from scalewall.errors import InputError
from scalewall.supply.optimise import SupplyProblem, SupplySolution, solve_supply

if TYPE_CHECKING:
    from scalewall.supply.grid_hours import GridHours
    from scalewall.supply.weather import Weather

__all__ = ["SiteRequest", "SiteResult", "tech_names", "DEFAULT_TECHS", "plan_site", "source_profiles"]


def tech_names() -> tuple[str, ...]:
    """Every ``--techs`` name: the ids of the ``energy_sources`` catalogue, in its order (a new
    technology is one catalogue entry; one whose output follows the weather also needs a
    profile in :func:`source_profiles`)."""
    from scalewall import catalog

    return tuple(catalog.entries("energy_sources"))


DEFAULT_TECHS = ("solar", "wind", "battery", "gas", "grid")
#: mean IT loads a site plan accepts [MW]: from one small server room (1 kW) to 100 GW, about
#: a fifth of the United States' average electricity demand (EIA 2023: ~4,200 TWh/yr ≈ 480 GW);
#: outside it, land, water and resource figures lose physical meaning
LOAD_MW_RANGE = (1e-3, 1e5)


@dataclass
class SiteRequest:
    """Library inputs of one site plan (the CLI/API resolve ids and files into these)."""

    load_mw: float
    weather: Weather
    techs: tuple[str, ...] = DEFAULT_TECHS
    load_profile: str = "flat"
    cfe: float = 0.9
    year: int = 2030
    region: object | None = None  # scalewall.catalog.schema.Region
    flexible_share: float = 0.0
    cooling: str = "air"
    grid_cap_mw: float | None = None
    load_notes: tuple[str, ...] = ()  # where load_mw came from (e.g. a training run)
    solve: str = "auto"  # auto (aggregated design, verified; full LP if that fails) or full
    grid_hourly: GridHours | None = None  # --grid-hourly
    build_from: int | None = None  # year building can start (lead times checked against --year)


class SiteResult(BaseModel):
    """The ``scalewall site --json`` object (units in the names)."""

    model_config = ConfigDict(extra="forbid")

    site: str
    weather_source: str
    year: int
    techs: list[str]
    load_mw_it: float
    cfe_target: float
    capacity_mw: dict[str, float]
    storage_mwh: dict[str, float]
    cost_usd_per_mwh: float
    annual_cost_usd: float
    cfe_share: float
    co2e_t_per_year: float
    co2e_direct_t_per_year: float
    co2e_g_per_kwh: float
    curtailment_share: float
    land_km2: float
    water_m3_per_year: float = Field(
        description="water consumed: the supply's generation plus on-site cooling [m3/yr]"
    )
    water_onsite_m3_per_year: float = Field(
        default=0.0, description="on-site cooling water: region's WUE x IT energy [m3/yr]"
    )
    lead_time_years: float
    lead_time_binding: str | None
    capacity_factor: dict[str, float]
    capacity_factor_dispatched: dict[str, float]
    pue_annual: float
    energy_mwh_per_year: dict[str, float]
    storage_losses_mwh_per_year: dict[str, float] = Field(
        description="energy charged minus energy delivered, per storage technology [MWh/yr]"
    )
    curtailment_mwh_per_year: float = Field(
        description="variable output available but not used (solar, wind, SBSP) [MWh/yr]"
    )
    simultaneous_storage_hours: int = Field(
        description="hours in which some storage both charges and discharges (0 expected) [h]"
    )
    load_mwh_per_year: float
    grid: dict[str, float | str]
    balance_error_mw: float
    solve_s: float
    build_s: float
    solve_path: str = Field(
        default="full",
        description="how the answer was found: 'aggregated' (capacities from tsam segments of the "
        "year, verified by an 8,760-hour dispatch with them fixed) or 'full' (one 8,760-hour LP)",
    )
    notes: list[str]
    sources: list[dict] = Field(
        default_factory=list,
        description="sources of the technologies' costs and figures, the region and the weather",
    )


def _sources(
    techs, year: int, region=None, build_from: int | None = None
) -> tuple[list[EnergySource], list[str]]:
    """The technologies a site may build, and a note for each one left out with its reason.

    Left out: a technology not available before ``year``; with ``build_from`` (the year building
    can start), one whose lead time would energise it after ``year``; with a ``region``, one whose
    resource the catalogue (``resource_limits``) does not place in that region.
    """
    from scalewall import catalog
    from scalewall.catalog.energy_sources import ResourceLimit

    limits: dict[str, ResourceLimit] = {}
    for entry in catalog.entries("resource_limits").values():
        assert isinstance(entry, ResourceLimit)  # the loader validates the kind's schema
        limits[entry.tech] = entry
    out, notes = [], []
    for t in techs:
        s = catalog.get("energy_sources", t)
        if s.earliest_year > year:
            notes.append(f"{s.tech} left out: not available before {s.earliest_year} (--year {year})")
            continue
        if build_from is not None and build_from + s.lead_time_years > year:
            notes.append(
                f"{s.tech} left out: its lead time of {s.lead_time_years:g} years from "
                f"--build-from {build_from} energises it in {build_from + s.lead_time_years:g}, after --year {year}"
            )
            continue
        lim = limits.get(s.tech)
        if lim is not None and region is not None and region.id not in lim.regions:
            notes.append(f"{s.tech} left out in region {region.id}: {lim.reason}")
            continue
        out.append(s)
    if region is None and any(t in limits for t in techs):
        notes.append(
            "resource limits not checked (no --region): "
            + ", ".join(sorted(set(limits) & set(techs)))
            + " allowed as if the resource were there"
        )
    if not out:
        raise InputError(f"no technology of {', '.join(techs)} is available in {year}")
    return out, notes


def source_profiles(sources: list[EnergySource], weather) -> dict[str, np.ndarray]:
    """Hourly maximum output per MW of each variable source at the site [MW/MW]."""
    from scalewall.supply.sbsp import hourly_availability
    from scalewall.supply.solar import pv_capacity_factor
    from scalewall.supply.wind import wind_capacity_factor

    out: dict[str, np.ndarray] = {}
    for s in sources:
        if s.role != "variable":
            continue
        if s.tech == "solar":
            out[s.tech] = pv_capacity_factor(weather, **{k: float(v) for k, v in s.model.items()})
        elif s.tech == "wind":
            kw: dict[str, Any] = {k: v for k, v in s.model.items()}
            out[s.tech] = wind_capacity_factor(weather, **kw)
        elif s.tech.startswith("sbsp"):
            out[s.tech] = hourly_availability(weather.data.index, weather.longitude)
        else:
            raise InputError(f"no hourly model for variable source {s.tech!r}")
    return out


def _sources_used(sources, region, w) -> list[dict]:
    """The catalogue sources of every technology considered and of the region, and the weather."""
    out: list[dict] = []
    for s in sources:
        out += [x.model_dump() for x in s.source]
    if region is not None:
        out += [x.model_dump() for x in region.source]
    out.append({"title": f"weather: {w.source}", "publisher": w.name, "year": None, "where": "hourly year"})
    unique = {repr(sorted(d.items(), key=lambda kv: kv[0])): d for d in out}
    return list(unique.values())


def _grid(region) -> tuple[dict, list[str]]:
    from scalewall import catalog

    if region is None:
        return (
            {
                "region": "default",
                "price_usd_mwh": catalog.assumption("default-electricity-usd-mwh"),
                "gco2e_kwh": catalog.assumption("default-grid-gco2-kwh"),
                "water_m3_per_mwh": catalog.assumption("default-water-l-kwh-electricity"),
            },
            ["no --region: grid import at the default price, world-average carbon and water"],
        )
    return (
        {
            "region": region.id,
            "price_usd_mwh": region.price_usd_mwh,
            "gco2e_kwh": region.grid_gco2_kwh,
            "water_m3_per_mwh": region.water_l_kwh_electricity,
        },
        [],
    )


def plan_site(req: SiteRequest, progress=None) -> tuple[SiteResult, pd.DataFrame]:
    """Least-cost supply for a site; returns the result and the hourly dispatch [MW]."""
    from scalewall.facility.pue import Climate
    from scalewall.supply.load import it_load_profile

    w = req.weather
    allowed = tech_names()
    unknown = [t for t in req.techs if t not in allowed]
    if unknown:
        raise InputError(f"unknown technology {', '.join(unknown)} in --techs; allowed: {', '.join(allowed)}")
    if not req.techs:
        raise InputError("--techs is empty; allowed: " + ", ".join(allowed))
    lo, hi = LOAD_MW_RANGE
    if not lo <= req.load_mw <= hi:
        raise InputError(
            f"IT load {req.load_mw:g} MW is outside {lo * 1e3:g} kW to {hi / 1e3:g} GW, the range "
            "a site plan models (a 100 GW campus is ~20 % of US average demand)"
        )
    if req.grid_cap_mw is not None and req.grid_cap_mw < 0:
        raise InputError(f"--grid-cap-mw must be >= 0, got {req.grid_cap_mw}")
    sources, notes = _sources(req.techs, req.year, req.region, req.build_from)
    notes = list(w.notes) + notes
    if w.clear_sky and "wind" in [s.tech for s in sources]:
        raise InputError(
            "wind needs measured wind speeds: --lat/--lon gives clear-sky solar only; "
            "use --weather ID|FILE or drop wind from --techs"
        )
    it, load_notes = it_load_profile(req.load_mw, req.load_profile)
    pue = Climate.of(w).hourly_pue(req.cooling)
    facility = it * pue
    notes += list(req.load_notes) + load_notes
    if progress:
        progress("weather → capacity factors")
    profiles = source_profiles(sources, w)
    grid, gnotes = _grid(req.region)
    notes += gnotes
    gh = req.grid_hourly
    if any(s.role == "import" for s in sources):
        if gh is None:
            notes.append(
                "grid imports at the region's annual carbon intensity and price, counted 0 % "
                "carbon-free (give --grid-hourly for the grid's hourly clean share)"
            )
        else:
            notes.append(
                f"grid imports hour by hour from {gh.name}: carbon intensity"
                + (", clean share counted toward CFE in its hour" if gh.clean_share is not None else "")
                + (", price" if gh.price_usd_mwh is not None else "")
                + (
                    ""
                    if gh.clean_share is not None
                    else "; no clean_share column: imports count 0 % carbon-free"
                )
            )
    problem = SupplyProblem(
        facility,
        sources,
        profiles,
        req.year,
        req.cfe,
        float(grid["price_usd_mwh"]),
        req.grid_cap_mw,
        req.flexible_share,
        grid_clean_share=None if gh is None else gh.clean_share,
        grid_price_hourly=None if gh is None else gh.price_usd_mwh,
    )
    if progress:
        progress("solving 8,760-hour LP (PyPSA + HiGHS)")
    sol = solve_supply(problem, method=req.solve)
    return _result(req, w, sources, profiles, facility, pue, grid, sol, notes), sol.dispatch


def _result(req, w, sources, profiles, facility, pue, grid, sol: SupplySolution, notes) -> SiteResult:
    from scalewall import catalog
    from scalewall.facility.footprint import water_m3
    from scalewall.facility.pue import annual_pue
    from scalewall.units import KG_PER_T

    load_mwh = float(facility.sum())
    built = {s.tech: s for s in sources if s.tech in sol.capacity_mw}
    energy, cf_disp, losses = {}, {}, {}
    for tech, s in built.items():
        col = tech if s.role != "storage" else f"{tech}_discharge"
        energy[tech] = float(sol.dispatch[col].sum())  # storage: energy delivered
        if s.role == "storage":
            charge = sol.dispatch[f"{tech}_charge"].to_numpy()
            losses[tech] = float(charge.sum()) - energy[tech]
        if sol.capacity_mw[tech] > 1e-6 and s.role != "import":
            cf_disp[tech] = energy[tech] / (sol.capacity_mw[tech] * len(facility))
    gh = req.grid_hourly
    dirty = 0.0
    grid_gco2 = None if gh is None else gh.gco2_kwh
    for t, e in energy.items():
        s = built[t]
        if s.role == "import" and gh is not None:
            share = 1.0 if gh.clean_share is None else 1.0 - gh.clean_share
            dirty += float((sol.dispatch[t].to_numpy() * share).sum())
        elif not s.carbon_free and s.role != "storage":
            dirty += e
    life_t = direct_t = water = land = 0.0
    for tech, s in built.items():
        e = energy[tech]
        if s.role == "import":
            kg = (
                float((sol.dispatch[tech].to_numpy() * grid_gco2).sum())
                if grid_gco2 is not None
                else e * float(grid["gco2e_kwh"])
            )  # MWh · g/kWh = kg
            life_t += kg / KG_PER_T
            direct_t += kg / KG_PER_T
            water += e * float(grid["water_m3_per_mwh"])
        elif s.role != "storage":
            life_t += e * s.lifecycle_gco2e_kwh / KG_PER_T
            direct_t += e * s.direct_gco2e_kwh / KG_PER_T
            water += e * s.water_m3_per_mwh
        land += sol.capacity_mw[tech] * s.land_km2_per_mw if s.role != "import" else 0.0
    # on-site cooling water: WUE x IT energy (Li et al. 2023, eq. 1), at the region's typical WUE
    wue = req.region.wue_l_kwh if req.region is not None else catalog.assumption("default-wue-l-kwh")
    onsite = float(water_m3(float((facility / pue).sum()), 0.0, wue, 0.0))
    threshold = 1e-3 * float(facility.max())
    used = [
        s
        for t, s in built.items()
        if (sol.capacity_mw[t] > threshold if s.role != "import" else energy[t] > threshold)
    ]
    slowest = max(used, key=lambda s: s.lead_time_years) if used else None
    available = sum(
        float((profiles[s.tech] * sol.capacity_mw[s.tech]).sum()) for s in sources if s.role == "variable"
    )
    cf = {t: float(np.mean(v)) for t, v in profiles.items()}
    cf.update({s.tech: s.availability for s in sources if s.role in ("firm", "dispatchable")})
    notes = notes + sol.notes
    if w.clear_sky:
        notes.insert(0, "UPPER BOUND: clear-sky solar, no clouds — real output is lower")
    r = lambda x, k=4: float(round(x, k))  # noqa: E731
    return SiteResult(
        site=w.name,
        weather_source=w.source,
        year=req.year,
        techs=[s.tech for s in sources],
        load_mw_it=req.load_mw,
        cfe_target=req.cfe,
        capacity_mw={t: r(v, 3) for t, v in sol.capacity_mw.items()},
        storage_mwh={t: r(v, 2) for t, v in sol.storage_mwh.items()},
        cost_usd_per_mwh=r(sol.annual_cost_usd / load_mwh, 3),
        annual_cost_usd=r(sol.annual_cost_usd, 0),
        cfe_share=r(1.0 - dirty / load_mwh, 5),
        co2e_t_per_year=r(life_t, 1),
        co2e_direct_t_per_year=r(direct_t, 1),
        co2e_g_per_kwh=r(life_t * KG_PER_T / load_mwh, 3),  # t/MWh · 1000 = kg/MWh = g/kWh
        curtailment_share=r(
            float(sol.dispatch["curtailment"].sum()) / available if available > 0 else 0.0, 5
        ),
        land_km2=r(land, 4),
        water_m3_per_year=r(water + onsite, 0),
        water_onsite_m3_per_year=r(onsite, 0),
        lead_time_years=float(slowest.lead_time_years) if slowest else 0.0,
        lead_time_binding=slowest.tech if slowest else None,
        capacity_factor={t: r(v) for t, v in cf.items()},
        capacity_factor_dispatched={t: r(v) for t, v in cf_disp.items()},
        pue_annual=r(annual_pue(pue, facility / pue)),
        energy_mwh_per_year={t: r(v, 1) for t, v in energy.items()},
        storage_losses_mwh_per_year={t: r(v, 1) for t, v in losses.items()},
        curtailment_mwh_per_year=r(float(sol.dispatch["curtailment"].sum()), 1),
        simultaneous_storage_hours=sol.simultaneous_storage_hours,
        load_mwh_per_year=r(load_mwh, 1),
        grid={k: (v if isinstance(v, str) else float(v)) for k, v in grid.items()},
        balance_error_mw=float(sol.balance_error_mw),
        solve_s=r(sol.solve_s, 2),
        build_s=r(sol.build_s, 2),
        solve_path=sol.method,
        notes=notes,
        sources=_sources_used(sources, req.region, w),
    )
