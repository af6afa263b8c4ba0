"""``scalewall site``: the least-cost hourly supply of a data-centre load at a site.

``run("site", {"load_mw": 100, "weather": "greensboro", "cfe": 0.9})`` returns exactly the object
``scalewall site --load-mw 100 --weather greensboro --cfe 0.9 --json`` prints.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from scalewall.errors import InputError
from scalewall.supply.site import SiteResult as SupplyResult

__all__ = ["SiteOptions", "SiteResult", "run_site", "site_request"]


class SiteOptions(BaseModel):
    """Options of ``scalewall site`` (snake_case CLI option names)."""

    model_config = ConfigDict(extra="forbid")

    load_mw: float | None = Field(default=None, gt=0, description="mean IT load [MW]")
    load_from: str | dict | None = Field(
        default=None,
        description="take the IT load from a `scalewall train --json` or `infer --json` result "
                    "(a JSON file, or the object itself in the API): its mean node power",
    )
    load_profile: str | None = Field(
        default=None,
        description="flat | diurnal | FILE (8,760 values); default flat, or diurnal for an infer result",
    )
    weather: str | None = Field(default=None, description="bundled id (greensboro, sand-point, miami) or file")
    lat: float | None = Field(default=None, ge=-90, le=90, description="clear-sky site latitude [deg]")
    lon: float | None = Field(default=None, ge=-180, le=180, description="clear-sky site longitude [deg]")
    cfe: float = Field(default=0.9, ge=0, le=1, description="hourly-matched carbon-free share target [-]")
    techs: str | list[str] | None = Field(default=None, description="comma-separated technologies")
    year: int = Field(default=2030, ge=2023, le=2060, description="cost year")
    region: str | None = Field(default=None, description="catalogue region for grid price and carbon")
    flexible_share: float = Field(default=0.0, ge=0, lt=1, description="load shiftable within the day [-]")
    cooling: Literal["air", "evaporative", "liquid"] = "air"
    grid_cap_mw: float | None = Field(default=None, ge=0, description="maximum grid import [MW]")
    dispatch_out: str | None = Field(default=None, description="write hourly dispatch (.csv or .parquet)")
    include_dispatch: bool = Field(
        default=False,
        description="add `dispatch_mw` {source: 8,760 hourly MW} and the hourly load to the JSON",
    )


def site_request(o: SiteOptions):
    """The library request of a ``site`` option set (resolves weather, region, techs)."""
    from scalewall import catalog
    from scalewall.supply.site import DEFAULT_TECHS, SiteRequest
    from scalewall.supply.load import it_load_from_result
    from scalewall.supply.weather import clear_sky_weather, load_weather

    if (o.load_mw is None) == (o.load_from is None):
        raise InputError("give exactly one of --load-mw MW or --load-from RESULT.json")
    load_mw, profile, load_notes = (o.load_mw, "flat", [])
    if o.load_from is not None:
        load_mw, profile, load_notes = it_load_from_result(o.load_from)
    if (o.weather is None) == (o.lat is None and o.lon is None):
        raise InputError("give exactly one of --weather ID|FILE or --lat X --lon Y")
    if o.weather is None:
        if o.lat is None or o.lon is None:
            raise InputError("clear-sky needs both --lat and --lon")
        w = clear_sky_weather(o.lat, o.lon)
    else:
        w = load_weather(o.weather)
    if o.techs is None:
        techs = tuple(t for t in DEFAULT_TECHS if not (w.clear_sky and t == "wind"))
    else:
        raw = o.techs.split(",") if isinstance(o.techs, str) else o.techs
        techs = tuple(dict.fromkeys(t.strip().lower() for t in raw if t.strip()))
    region = catalog.region(o.region) if o.region else None
    return SiteRequest(load_mw=load_mw, weather=w, techs=techs, load_profile=o.load_profile or profile,
                       load_notes=tuple(load_notes),
                       cfe=o.cfe, year=o.year, region=region, flexible_share=o.flexible_share,
                       cooling=o.cooling, grid_cap_mw=o.grid_cap_mw)


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


class SiteResult(SupplyResult):
    """The answer of ``scalewall site`` (its JSON is the CLI's ``--json`` output)."""

    dispatch_mw: dict[str, list[float]] | None = Field(
        default=None,
        description="hourly MW by source and the facility load (only with include_dispatch)",
    )

    @model_serializer(mode="wrap")
    def _drop_absent_dispatch(self, handler):
        out = handler(self)
        if out.get("dispatch_mw") is None:
            out.pop("dispatch_mw", None)
        return out


def run_site(o: SiteOptions, progress=None) -> SiteResult:
    """Run ``site`` (and write the dispatch if asked)."""
    from scalewall.supply.site import plan_site

    if o.dispatch_out:
        from pathlib import Path

        if Path(o.dispatch_out).suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise InputError(f"--dispatch-out {o.dispatch_out!r}: use a .csv or .parquet file name")
    res, dispatch = plan_site(site_request(o), progress=progress)
    if o.dispatch_out:
        write_dispatch(dispatch, o.dispatch_out)
    out = SiteResult(**res.model_dump())
    if o.include_dispatch:
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

