"""``scalewall site``: the least-cost hourly supply of a data-centre load at a site.

``run("site", {"load_mw": 100, "weather": "greensboro", "cfe": 0.9})`` returns exactly the object
``scalewall site --load-mw 100 --weather greensboro --cfe 0.9 --json`` prints.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from scalewall.errors import InputError
from scalewall.supply.campuses import CampusResult, PortfolioResult
from scalewall.supply.site import SiteResult as SupplyResult

__all__ = ["SiteOptions", "SiteResult", "run_site", "site_request", "load_from_result"]


class SiteOptions(BaseModel):
    """Options of ``scalewall site`` (the one declaration: CLI flags, web form, sweeps)."""

    model_config = ConfigDict(extra="forbid")

    load_mw: float | None = Field(default=None, gt=0, description="mean IT load [MW] (or give load_from)")
    load_from: str | dict | None = Field(
        default=None,
        description="take the IT load from a `scalewall train --json` or `infer --json` result "
        "(a JSON file, or the object itself in the API): its mean node power",
    )
    load_profile: str | None = Field(
        default=None,
        description="flat, diurnal or FILE (8,760 values); default: flat, or diurnal for an infer result",
    )
    weather: str | None = Field(
        default=None,
        description="bundled weather (greensboro, sand-point, miami) or a TMY3/TMY2/EPW/PVGIS file "
        "(or give lat and lon)",
    )
    lat: float | None = Field(
        default=None, ge=-90, le=90, description="clear-sky site latitude [deg] (solar upper bound only)"
    )
    lon: float | None = Field(default=None, ge=-180, le=180, description="clear-sky site longitude [deg]")
    cfe: float = Field(default=0.9, ge=0, le=1, description="hourly-matched carbon-free share target [-]")
    techs: str | list[str] | None = Field(
        default=None,
        description="comma list of energy_sources catalogue ids (`scalewall catalog list energy_sources`: "
        "solar, wind, battery, ldes, nuclear, geothermal, gas, grid, ...); default: solar, wind, battery, "
        "gas, grid",
    )
    year: int = Field(default=2030, ge=2023, le=2060, description="cost year [year]")
    region: str | None = Field(
        default=None,
        description="catalogue region for grid price and carbon; default: the catalogue's defaults",
    )
    flexible_share: float = Field(
        default=0.0, ge=0, lt=1, description="share of load shiftable within the day [-]"
    )
    cooling: Literal["air", "evaporative", "liquid"] = Field(
        default="air", description="cooling of the facility (sets the hourly PUE)"
    )
    grid_cap_mw: float | None = Field(
        default=None, ge=0, description="maximum grid import [MW]; default: no limit"
    )
    sites: str | list[str] | None = Field(
        default=None,
        description="several campuses, one portfolio: comma list of WEATHER[:SHARE[:REGION]] (bundled id "
        "or file; share of the IT load, all or none given (none = equal); catalogue region), e.g. "
        "greensboro:0.5:us-virginia,miami:0.5; default: one site (--weather)",
    )
    transmission: bool = Field(
        default=True, description="with --sites: allow long-haul HVDC lines between the campuses"
    )
    free_shares: bool = Field(
        default=False,
        description="with --sites: the optimiser picks each campus's share of the load (no shares in --sites)",
    )
    shift_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="with --sites: share of each campus's load that may move to the others each hour [-]",
    )
    build_from: int | None = Field(
        default=None,
        ge=2020,
        le=2060,
        description="year building can start [year]: a technology whose lead time ends after --year is "
        "left out, with the reason; default: lead times not checked",
    )
    grid_hourly: str | None = Field(
        default=None,
        description="CSV of 8,760 hourly rows with a header: gco2_kwh (required), clean_share [-] and "
        "price_usd_mwh (optional); imports count their clean share toward CFE hour by hour; default: "
        "the region's annual figures, imports 0 % carbon-free",
    )
    solve: Literal["auto", "full"] = Field(
        default="auto",
        description="auto: capacities from an aggregated year (tsam segments), verified on all 8,760 "
        "hours, the full LP only if that fails; full: the full 8,760-hour LP",
    )
    dispatch_out: str | None = Field(default=None, description="write hourly dispatch to .csv or .parquet")
    include_dispatch: bool = Field(
        default=False,
        description="add `dispatch_mw` {source: 8,760 hourly MW} and the hourly load to the JSON",
    )


def load_from_result(result: dict | str) -> tuple[float, str, list[str]]:
    """Mean IT load [MW], its default shape and a note, from a ``train`` or ``infer`` result.

    Parameters
    ----------
    result : dict or str
        The object ``scalewall train --json`` or ``scalewall infer --json`` prints (or
        :func:`scalewall.commands.run` returns), or the path of a JSON file holding it. It is read
        through :class:`~scalewall.commands.train.TrainResult` or
        :class:`~scalewall.commands.infer.InferResult`, so a result that is neither, or lacks a
        field, is one sentence naming what is wrong.

    Returns
    -------
    load_mw : float
        Mean power at the node boundary (accelerators + hosts) [MW]: the IT load the site's
        hourly PUE multiplies. For ``infer`` this is the fleet's mean, idle instances included.
    profile : str
        ``flat`` for a training run (constant draw for weeks), ``diurnal`` for a serving fleet.
    notes : list of str
    """
    from pathlib import Path

    from pydantic import ValidationError

    from scalewall.commands.infer import InferResult
    from scalewall.commands.train import TrainResult
    from scalewall.files import load_json
    from scalewall.supply.load import it_load_note

    name = "the result"
    if isinstance(result, str):
        p = Path(result)
        name = p.name
        if not p.is_file():
            raise InputError(
                f"--load-from {result!r}: no such file (save `scalewall train --json` "
                "or `scalewall infer --json` output to a file)"
            )
        result = load_json(p, "--load-from")  # size cap, UTF-8, nesting: one sentence
    if not isinstance(result, dict):
        raise InputError(
            f"--load-from {name!r}: expected a JSON object from `scalewall train --json` "
            "or `scalewall infer --json`"
        )
    # which command's result it is: the one whose own fields (those the other lacks) it has most of
    own = {
        "train": set(TrainResult.model_fields) - set(InferResult.model_fields),
        "infer": set(InferResult.model_fields) - set(TrainResult.model_fields),
    }
    shared = {k: len(set(result) & f) for k, f in own.items()}
    kind = max(shared, key=shared.__getitem__)
    if shared[kind] == 0:
        raise InputError(
            f"--load-from {name!r} is neither a `scalewall train --json` nor a "
            "`scalewall infer --json` result"
        )
    model = TrainResult if kind == "train" else InferResult
    try:
        r = model.model_validate(result)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(x) for x in e["loc"]) or "the object"
        what = "lacks the field" if e["type"] == "missing" else "has an invalid field"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputError(
            f"--load-from {name!r} looks like a `scalewall {kind} --json` result but "
            f"{what} {where}{more}: {e['msg']}"
        ) from None
    if isinstance(r, TrainResult):
        return it_load_note(
            r.avg_power_mw.get("node", float("nan")),
            "flat",
            f"training run of {r.model} on {r.devices:,} x {r.accelerator} ({r.wall_clock_days:.1f} days)",
            name,
        )
    fleet = r.fleet
    if not fleet:
        raise InputError(
            f"--load-from {name!r} is an infer result without a fleet: run "
            "`scalewall infer` with --queries-per-day to size one"
        )
    try:
        mw = float(fleet["avg_power_mw"]["node"])
        what = (
            f"serving fleet of {r.model} on {int(fleet['devices']):,} x {r.accelerator} "
            f"for {float(fleet['queries_per_day']):.3g} queries/day"
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"--load-from {name!r}: the infer result's fleet lacks a field the load needs ({exc})"
        ) from None
    return it_load_note(mw, "diurnal", what, name)


def site_request(o: SiteOptions):
    """The library request of a ``site`` option set (resolves weather, region, techs)."""
    from scalewall import catalog
    from scalewall.supply.site import DEFAULT_TECHS, SiteRequest
    from scalewall.supply.weather import clear_sky_weather, load_weather

    if (o.load_mw is None) == (o.load_from is None):
        raise InputError("give exactly one of --load-mw MW or --load-from RESULT.json")
    load_notes: list[str]
    load_mw, profile, load_notes = (o.load_mw, "flat", [])
    if o.load_from is not None:
        load_mw, profile, load_notes = load_from_result(o.load_from)
    if o.sites is not None:
        if o.weather is not None or o.lat is not None or o.lon is not None:
            raise InputError("give either --sites or --weather/--lat --lon, not both")
        w = None
    elif (o.weather is None) == (o.lat is None and o.lon is None):
        raise InputError("give exactly one of --weather ID|FILE or --lat X --lon Y")
    if o.sites is not None:
        pass
    elif o.weather is None:
        if o.lat is None or o.lon is None:
            raise InputError("clear-sky needs both --lat and --lon")
        w = clear_sky_weather(o.lat, o.lon)
    else:
        w = load_weather(o.weather)
    if o.techs is None:
        techs = tuple(t for t in DEFAULT_TECHS if not (w is not None and w.clear_sky and t == "wind"))
    else:
        raw = o.techs.split(",") if isinstance(o.techs, str) else o.techs
        techs = tuple(dict.fromkeys(t.strip().lower() for t in raw if t.strip()))
    region = catalog.region(o.region) if o.region else None
    assert load_mw is not None  # exactly one of load_mw and load_from (checked above)
    return SiteRequest(
        load_mw=load_mw,
        weather=w,  # type: ignore[arg-type]  # None with --sites: each campus has its own
        techs=techs,
        load_profile=o.load_profile or profile,
        load_notes=tuple(load_notes),
        cfe=o.cfe,
        year=o.year,
        region=region,
        flexible_share=o.flexible_share,
        cooling=o.cooling,
        grid_cap_mw=o.grid_cap_mw,
        solve=o.solve,
        grid_hourly=_grid_hours(o.grid_hourly),
        build_from=o.build_from,
    )


def _grid_hours(path: str | None):
    """The hourly grid figures of ``--grid-hourly``, read through the guarded reader."""
    if path is None:
        return None
    from pathlib import Path

    from scalewall.files import read_text
    from scalewall.supply.grid_hours import parse_grid_hourly

    return parse_grid_hourly(read_text(path, "--grid-hourly"), Path(path).name)


#: file types ``--dispatch-out`` writes
DISPATCH_SUFFIXES = (".csv", ".parquet", ".pq")


def write_dispatch(dispatch, path: str) -> None:
    """Write the hourly dispatch table as CSV or Parquet, chosen by the file extension."""
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() == ".csv":
        dispatch.to_csv(p, index_label="hour")
    elif p.suffix.lower() in (".parquet", ".pq"):
        dispatch.to_parquet(p)
    else:
        raise InputError(f"--dispatch-out {p.name!r}: use a .csv or .parquet file name")


#: what each field of the site result means, with units (the supply stage's model declares the
#: fields; their descriptions are added to the JSON Schema here, where the result is the answer)
SITE_FIELDS = {
    "site": "weather site name",
    "weather_source": "where the hourly weather comes from",
    "year": "cost year [year]",
    "techs": "technologies the optimiser could build",
    "load_mw_it": "mean IT load [MW]",
    "cfe_target": "hourly-matched carbon-free share target [-]",
    "capacity_mw": "capacity built per technology [MW]",
    "storage_mwh": "energy capacity per storage technology [MWh]",
    "cost_usd_per_mwh": "annual cost per MWh of facility load [USD/MWh]",
    "annual_cost_usd": "annualised capital, fixed and variable cost [USD/yr]",
    "cfe_share": "hourly-matched carbon-free share achieved [-]",
    "co2e_t_per_year": "life-cycle emissions of the supply [tCO2e/yr]",
    "co2e_direct_t_per_year": "direct (combustion and grid) emissions [tCO2e/yr]",
    "co2e_g_per_kwh": "life-cycle emissions per kWh of facility load [gCO2e/kWh]",
    "curtailment_share": "share of available variable generation curtailed [-]",
    "land_km2": "land occupied by the plants built [km²]",
    "water_m3_per_year": "water consumed by the supply and on-site cooling [m³/yr]",
    "lead_time_years": "lead time of the slowest technology built [yr]",
    "lead_time_binding": "the technology with that lead time (null if none)",
    "capacity_factor": "available capacity factor per technology [-]",
    "capacity_factor_dispatched": "capacity factor as dispatched [-]",
    "pue_annual": "energy-weighted annual PUE from the hourly weather [-]",
    "energy_mwh_per_year": "energy supplied per technology [MWh/yr]",
    "load_mwh_per_year": "facility load (IT × hourly PUE) [MWh/yr]",
    "grid": "grid price [USD/MWh], carbon [gCO2e/kWh], water [m³/MWh] and its region",
    "balance_error_mw": "largest hourly supply-demand mismatch of the solution [MW]",
    "solve_s": "LP solve time [s]",
    "build_s": "LP build time [s]",
    "notes": "what the solution assumed, in words",
}


def _describe_site_fields(schema: dict) -> None:
    for name, text in SITE_FIELDS.items():
        prop = schema.get("properties", {}).get(name)
        if prop is not None and "description" not in prop:
            prop["description"] = text


class SiteResult(SupplyResult):
    """The answer of ``scalewall site`` (its JSON is the CLI's ``--json`` output)."""

    model_config = ConfigDict(json_schema_extra=_describe_site_fields)

    dispatch_mw: dict[str, list[float]] | None = Field(
        default=None,
        description="hourly MW by source and the facility load (only with include_dispatch)",
    )

    campuses: list[CampusResult] = Field(
        default_factory=list, description="each campus of a --sites portfolio (empty for one site)"
    )
    portfolio: PortfolioResult | None = Field(
        default=None,
        description="lines, shifting and the saving against islanded campuses (null for one site)",
    )

    @model_serializer(mode="wrap")
    def _drop_absent_dispatch(self, handler):
        out = handler(self)
        if out.get("dispatch_mw") is None:
            out.pop("dispatch_mw", None)
        return out


def campus_specs(o: SiteOptions):
    """The campuses of ``--sites``: weather, share (None = equal) and region of each."""
    from scalewall import catalog
    from scalewall.supply.campuses import CampusSpec
    from scalewall.supply.weather import load_weather

    raw = o.sites.split(",") if isinstance(o.sites, str) else list(o.sites or [])
    specs = []
    for item in (x.strip() for x in raw):
        if not item:
            continue
        parts = item.split(":")
        # a file path may hold ':'; the share and region are the last fields when they parse
        region = share = None
        if len(parts) >= 3 and parts[-1].strip():
            region = catalog.region(parts[-1].strip())
            parts = parts[:-1]
        elif len(parts) >= 3:
            parts = parts[:-1]
        if len(parts) >= 2:
            text = parts[-1].strip()
            try:
                share = float(text) if text else None
            except ValueError:
                raise InputError(f"--sites {item!r}: the share {text!r} is not a number") from None
            parts = parts[:-1]
        where = ":".join(parts).strip()
        name = where.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or where
        specs.append(CampusSpec(load_weather(where), share, region, name))
    return specs


def run_site(o: SiteOptions, progress=None) -> SiteResult:
    """Run ``site`` (and write the dispatch if asked)."""
    from scalewall.files import check_output_path
    from scalewall.supply.site import plan_site

    if o.dispatch_out:  # a path that cannot be written fails now, not after the solve
        check_output_path(o.dispatch_out, "--dispatch-out", DISPATCH_SUFFIXES)
    if o.sites is not None:
        from scalewall.supply.campuses import plan_portfolio

        res, campuses, portfolio, dispatch = plan_portfolio(
            site_request(o), campus_specs(o), o.transmission, o.shift_share, o.free_shares
        )
    else:
        res, dispatch = plan_site(site_request(o), progress=progress)
        campuses = portfolio = None
    if o.dispatch_out:
        try:
            write_dispatch(dispatch, o.dispatch_out)
        except OSError as exc:
            raise InputError(
                f"cannot write --dispatch-out {o.dispatch_out!r}: {exc.strerror or exc}"
            ) from None
    out = SiteResult(**res.model_dump(), campuses=campuses or [], portfolio=portfolio)
    if o.include_dispatch and o.sites is None:
        out.dispatch_mw = hourly_supply(dispatch, out.capacity_mw)
    return out


def hourly_supply(dispatch, capacity_mw: dict) -> dict[str, list[float]]:
    """The dispatch table as {series: hourly MW}: each generator's output and storage discharge
    (≥ 0), each storage's charging as ``<storage> charging`` (≤ 0), ``curtailment`` (variable
    output available but not used, ≥ 0) and the facility ``load`` [MW], rounded to 1 kW."""
    import numpy as np

    def col(name: str, sign: float = 1.0) -> list[float]:
        return np.round(sign * np.clip(dispatch[name].to_numpy(), 0.0, None), 3).tolist()

    cols: dict[str, list[float]] = {}
    for name in capacity_mw:
        if name in dispatch.columns:
            cols[name] = col(name)
        elif f"{name}_discharge" in dispatch.columns:
            cols[name] = col(f"{name}_discharge")
            cols[f"{name} charging"] = col(f"{name}_charge", -1.0)
    cols["curtailment"] = col("curtailment")
    cols["load"] = np.round(dispatch["load"].to_numpy(), 3).tolist()
    return cols
