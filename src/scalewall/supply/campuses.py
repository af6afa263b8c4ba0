"""The ``site`` stage for several campuses: weather per campus -> one portfolio -> typed result.

Every campus's hourly series (load and availability) are put on one UTC clock: weather files
keep local standard time, and hour 0 in Miami is not hour 0 in Sand Point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from scalewall.errors import InputError
from scalewall.supply.optimise import SupplyProblem, SupplySolution, solve_supply
from scalewall.supply.portfolio import Campus, PortfolioProblem, PortfolioSolution, solve_portfolio
from scalewall.supply.site import SiteRequest, SiteResult, _grid, _result, _sources, source_profiles

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CampusSpec", "CampusResult", "PortfolioResult", "plan_portfolio", "utc_offset_h"]


@dataclass
class CampusSpec:
    """One campus as given: its weather, its share of the IT load (None = equal shares), region."""

    weather: object  # scalewall.supply.weather.Weather
    share: float | None = None
    region: object | None = None  # scalewall.catalog.schema.Region
    name: str | None = None  # how the campus is called in the result (default: the weather's name)


class CampusResult(BaseModel):
    """One campus of a portfolio (units in the names)."""

    model_config = ConfigDict(extra="forbid")

    site: str
    weather_source: str
    region: str
    share: float = Field(description="share of the portfolio's IT load [-]")
    load_mw_it: float = Field(description="mean IT load of the campus [MW]")
    capacity_mw: dict[str, float] = Field(description="capacity built at the campus [MW]")
    storage_mwh: dict[str, float] = Field(description="storage energy at the campus [MWh]")
    energy_mwh_per_year: dict[str, float] = Field(description="energy supplied per technology [MWh/yr]")
    shifted_in_mwh_per_year: float = Field(description="facility energy of work received minus sent [MWh/yr]")
    line_import_mwh_per_year: float = Field(description="net energy received over lines [MWh/yr]")
    pue_annual: float
    alone_cost_usd_per_mwh: float = Field(
        description="cost per MWh of the same load at this campus alone, same CFE target [USD/MWh]"
    )
    saving_vs_alone_usd_per_mwh: float = Field(
        description="alone_cost_usd_per_mwh minus the portfolio's cost per MWh [USD/MWh]"
    )


class PortfolioResult(BaseModel):
    """What linking the campuses buys (units in the names)."""

    model_config = ConfigDict(extra="forbid")

    lines_mw: dict[str, float] = Field(description="long-haul line capacity per campus pair [MW]")
    distance_km: dict[str, float] = Field(description="great-circle distance per campus pair [km]")
    line_cost_usd: float = Field(description="annual cost of the lines [USD/yr]")
    shift_share: float = Field(description="share of each campus's load movable to others each hour [-]")
    islanded_annual_cost_usd: float = Field(
        description="sum of each campus meeting the CFE target alone with its own share [USD/yr]"
    )
    saving_vs_islanded_usd: float = Field(description="islanded minus portfolio annual cost [USD/yr]")
    saving_vs_islanded_share: float = Field(description="that saving over the islanded cost [-]")


#: share used for the per-campus ratios of a campus given no load (numerical, not a load) [-]
SHARE_FLOOR = 1e-9


def utc_offset_h(weather) -> int:
    """UTC offset of a weather file's local standard time [h] (0 when it has no time zone)."""
    off = weather.data.index[0].utcoffset()
    return int(round(off.total_seconds() / 3600)) if off is not None else 0


def _utc(x: np.ndarray, offset_h: int) -> np.ndarray:
    """An hourly local-standard-time series on the UTC clock (the typical year wraps around)."""
    return np.roll(np.asarray(x, dtype=float), -offset_h)


def plan_portfolio(
    req: SiteRequest,
    specs: list[CampusSpec],
    transmission: bool,
    shift_share: float,
    free_shares: bool = False,
):
    """Least-cost supply of ``req.load_mw`` shared by several campuses; see :mod:`scalewall.supply.portfolio`.

    Returns the site result of the whole portfolio (capacities summed over campuses), the
    campuses' results and the portfolio's, and the combined hourly dispatch [MW].
    """
    from scalewall import catalog
    from scalewall.facility.pue import Climate
    from scalewall.supply.load import it_load_profile

    if req.grid_hourly is not None:
        raise InputError(
            "--grid-hourly applies to one site; with --sites each campus uses its region's figures"
        )
    if len(specs) < 2:
        raise InputError("--sites needs at least two campuses (use --weather for one)")
    given = [s.share for s in specs if s.share is not None]
    if given and len(given) != len(specs):
        raise InputError("give a share for every campus in --sites, or for none (equal shares)")
    if free_shares and given:
        raise InputError("free shares: leave the shares out of --sites (the optimiser picks them)")
    # every campus has a share when any has (checked above), so ``given`` is the specs' shares in order
    shares: list[float] = list(given) if given else [1.0 if free_shares else 1.0 / len(specs)] * len(specs)
    if given and (min(given) <= 0 or abs(sum(given) - 1.0) > 1e-6):
        raise InputError(
            f"campus shares must be positive and sum to 1, got {', '.join(f'{x:g}' for x in given)}"
        )
    sources, notes = _sources(req.techs, req.year, None, req.build_from)
    it, load_notes = it_load_profile(req.load_mw, req.load_profile)
    notes += list(req.load_notes) + load_notes
    campuses, facilities, pues, grids = [], [], [], []
    names: list[str] = []
    for spec, share in zip(specs, shares, strict=True):
        w = spec.weather
        if w.clear_sky and any(s.tech == "wind" for s in sources):  # type: ignore[attr-defined]
            raise InputError(f"wind needs measured wind speeds; campus {w.name} is clear-sky")  # type: ignore[attr-defined]
        off = utc_offset_h(w)
        name = spec.name or w.name  # type: ignore[attr-defined]
        if name in names:
            name = f"{name}-{len(names) + 1}"
        names.append(name)
        pue = _utc(Climate.of(w).hourly_pue(req.cooling), off)
        facility = share * it * pue
        grid, gnotes = _grid(spec.region)
        notes += [f"{name}: {n}" for n in gnotes]
        profiles = {t: _utc(v, off) for t, v in source_profiles(sources, w).items()}
        campuses.append(
            Campus(name, facility, sources, profiles, float(grid["price_usd_mwh"]), w.latitude, w.longitude)  # type: ignore[attr-defined]
        )
        facilities.append(facility)
        pues.append(pue)
        grids.append(grid)
    link = catalog.get("links", "hvdc-overhead") if transmission else None
    problem = PortfolioProblem(campuses, req.year, req.cfe, link, shift_share, free_shares)
    sol = solve_portfolio(problem, method=req.solve)
    # each campus alone with the same CFE target: its cost per MWh is that of the whole load there
    # too (the LP is homogeneous in the load), and their sum is the islanded portfolio
    alone = [
        solve_supply(
            SupplyProblem(c.load_mw, sources, c.profiles, req.year, req.cfe, c.grid_price_usd_mwh),
            method=req.solve,
        )
        for c in campuses
    ]
    alone_mwh = [a.annual_cost_usd / float(c.load_mw.sum()) for a, c in zip(alone, campuses, strict=True)]
    if free_shares:  # each campus serves the share the optimiser gave it
        shares = [sol.shares[c.name] for c in campuses]
        facilities = [x * f for x, f in zip(shares, facilities, strict=True)]
        notes.append(
            "free shares: " + ", ".join(f"{c.name} {x:.1%}" for c, x in zip(campuses, shares, strict=True))
        )
    return _results(
        req, specs, shares, campuses, facilities, pues, grids, sources, sol, alone_mwh, problem, notes
    )


def _campus_solution(sol: PortfolioSolution, name: str) -> SupplySolution:
    d = sol.dispatch[name].copy()
    d["flex_shift"] = 0.0
    return SupplySolution(
        sol.capacity_mw[name], sol.storage_mwh[name], d, 0.0, sol.balance_error_mw, 0.0, 0.0
    )


def _results(
    req: SiteRequest,
    specs: list[CampusSpec],
    shares: list[float],
    campuses: list[Campus],
    facilities: list[np.ndarray],
    pues: list[np.ndarray],
    grids: list[dict],
    sources: list,
    sol: PortfolioSolution,
    alone_mwh: list[float],
    problem: PortfolioProblem,
    notes: list[str],
) -> tuple[SiteResult, list[CampusResult], PortfolioResult, pd.DataFrame]:
    load_mwh = float(sum(f.sum() for f in facilities))
    cost_mwh = sol.annual_cost_usd / load_mwh
    per_campus: list[SiteResult] = []
    out_campuses = []
    for spec, share, c, f, pue, grid, a_mwh in zip(
        specs, shares, campuses, facilities, pues, grids, alone_mwh, strict=True
    ):
        sub_req = SiteRequest(
            load_mw=req.load_mw * max(share, SHARE_FLOOR),
            weather=spec.weather,
            techs=req.techs,
            cfe=req.cfe,
            year=req.year,
            region=spec.region,
        )
        # a campus given no load (free shares) may still generate for export: its ratios are
        # taken on a vanishing load so that its totals (energy, land, water) stay exact
        f_r = f if float(f.sum()) > 0 else SHARE_FLOOR * pue * req.load_mw
        r = _result(
            sub_req, spec.weather, sources, c.profiles, f_r, pue, grid, _campus_solution(sol, c.name), []
        )
        per_campus.append(r)
        d = sol.dispatch[c.name]
        out_campuses.append(
            CampusResult(
                site=c.name,
                weather_source=r.weather_source,
                region=str(grid["region"]),
                share=round(share, 6),
                load_mw_it=r.load_mw_it,
                capacity_mw=r.capacity_mw,
                storage_mwh=r.storage_mwh,
                energy_mwh_per_year=r.energy_mwh_per_year,
                shifted_in_mwh_per_year=round(float(d["shift_in"].sum()), 1),
                line_import_mwh_per_year=round(float(d["line_in"].sum()), 1),
                pue_annual=r.pue_annual,
                alone_cost_usd_per_mwh=round(a_mwh, 3),
                saving_vs_alone_usd_per_mwh=round(a_mwh - cost_mwh, 3),
            )
        )
    islanded = float(sum(a_mwh * f.sum() for a_mwh, f in zip(alone_mwh, facilities, strict=True)))
    portfolio = PortfolioResult(
        lines_mw={k: round(v, 3) for k, v in sol.line_mw.items()},
        distance_km={f"{a.name}-{b.name}": round(km, 1) for a, b, km in problem.pairs()},
        line_cost_usd=round(sol.line_cost_usd, 0),
        shift_share=problem.shift_share,
        islanded_annual_cost_usd=round(islanded, 0),
        saving_vs_islanded_usd=round(islanded - sol.annual_cost_usd, 0),
        saving_vs_islanded_share=round(1.0 - sol.annual_cost_usd / islanded, 5),
    )
    top = _combined(req, per_campus, sol, load_mwh, notes, problem)
    return top, out_campuses, portfolio, _combined_dispatch(sol)


def _combined_dispatch(sol: PortfolioSolution):
    import pandas as pd

    frames = [d.add_prefix(f"{name}/") for name, d in sol.dispatch.items()]
    return pd.concat(frames, axis=1)


def _combined(
    req, per_campus: list[SiteResult], sol: PortfolioSolution, load_mwh: float, notes, problem
) -> SiteResult:
    def total(field: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in per_campus:
            for k, v in getattr(r, field).items():
                out[k] = round(out.get(k, 0.0) + v, 3)
        return out

    life = sum(r.co2e_t_per_year for r in per_campus)
    first = per_campus[0]
    notes = list(notes) + sol.notes
    if problem.shift_share > 0:
        notes.append(
            f"load shifting: each campus runs between {1 - problem.shift_share:.0%} and "
            f"{1 + problem.shift_share:.0%} of its share each hour; moved work is counted at the "
            "sending campus's PUE (a simplification)"
        )
    notes.append("campus hours are on one UTC clock; each typical year wraps around at its ends")
    slowest = max(per_campus, key=lambda r: r.lead_time_years)
    return SiteResult(
        site=" + ".join(r.site for r in per_campus),
        weather_source="; ".join(r.weather_source for r in per_campus),
        year=req.year,
        techs=first.techs,
        load_mw_it=req.load_mw,
        cfe_target=req.cfe,
        capacity_mw=total("capacity_mw"),
        storage_mwh=total("storage_mwh"),
        cost_usd_per_mwh=round(sol.annual_cost_usd / load_mwh, 3),
        annual_cost_usd=round(sol.annual_cost_usd, 0),
        cfe_share=round(sol.cfe_share, 5),
        co2e_t_per_year=round(life, 1),
        co2e_direct_t_per_year=round(sum(r.co2e_direct_t_per_year for r in per_campus), 1),
        co2e_g_per_kwh=round(life * 1e3 / load_mwh, 3),
        curtailment_share=round(
            sum(r.curtailment_share * r.load_mwh_per_year for r in per_campus) / load_mwh, 5
        ),
        land_km2=round(sum(r.land_km2 for r in per_campus), 4),
        water_m3_per_year=round(sum(r.water_m3_per_year for r in per_campus), 0),
        water_onsite_m3_per_year=round(sum(r.water_onsite_m3_per_year for r in per_campus), 0),
        lead_time_years=slowest.lead_time_years,
        lead_time_binding=slowest.lead_time_binding,
        capacity_factor={},  # per campus: run the campus alone for its resource
        capacity_factor_dispatched={},
        pue_annual=round(load_mwh / (req.load_mw * len(next(iter(sol.dispatch.values())))), 4),
        energy_mwh_per_year=total("energy_mwh_per_year"),
        storage_losses_mwh_per_year=total("storage_losses_mwh_per_year"),
        curtailment_mwh_per_year=round(sum(r.curtailment_mwh_per_year for r in per_campus), 1),
        simultaneous_storage_hours=0,
        load_mwh_per_year=round(load_mwh, 1),
        grid=first.grid,
        balance_error_mw=sol.balance_error_mw,
        solve_s=round(sol.solve_s, 2),
        build_s=round(sol.build_s, 2),
        solve_path=sol.method,
        notes=notes,
        sources=[s for r in per_campus for s in r.sources],
    )
