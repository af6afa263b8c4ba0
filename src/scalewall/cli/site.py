"""``scalewall site``: parse options, call the library, render. No physics here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``site`` command to the scalewall app."""

    @app.command()
    def site(
        load_mw: Annotated[Optional[float], typer.Option(help="mean IT load [MW]")] = None,
        load_from: Annotated[Optional[Path], typer.Option(help="IT load from a saved `scalewall train --json` or `infer --json` result")] = None,
        load_profile: Annotated[Optional[str], typer.Option(help="flat | diurnal | FILE with 8,760 values (default: flat; diurnal for an infer result)")] = None,
        weather: Annotated[Optional[str], typer.Option(help="greensboro | sand-point | miami | TMY3/TMY2/EPW/PVGIS file")] = None,
        lat: Annotated[Optional[float], typer.Option(help="clear-sky latitude (solar upper bound only)")] = None,
        lon: Annotated[Optional[float], typer.Option(help="clear-sky longitude")] = None,
        cfe: Annotated[float, typer.Option(help="hourly-matched carbon-free share target, 0-1")] = 0.9,
        techs: Annotated[Optional[str], typer.Option(help="comma list of solar,wind,battery,ldes,nuclear,smr,geothermal,gas,gas-ccs,grid,sbsp,sbsp-optimistic")] = None,
        year: Annotated[int, typer.Option(help="cost year")] = 2030,
        region: Annotated[Optional[str], typer.Option(help="catalogue region for grid price and carbon")] = None,
        flexible_share: Annotated[float, typer.Option(help="share of load shiftable within the day")] = 0.0,
        cooling: Annotated[str, typer.Option(help="air | evaporative | liquid")] = "air",
        grid_cap_mw: Annotated[Optional[float], typer.Option(help="maximum grid import [MW]")] = None,
        dispatch_out: Annotated[Optional[Path], typer.Option(help="write hourly dispatch to .csv or .parquet")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print the result as JSON only")] = False,
    ) -> None:
        """The least-cost hourly power supply for a data-centre load at a site, with a CFE target."""
        from scalewall.cli.app import _emit_json, _run
        from scalewall.commands.site import SiteOptions, run_site

        opts = _run(SiteOptions, load_mw=load_mw, load_from=str(load_from) if load_from else None,
                    load_profile=load_profile, weather=weather, lat=lat,
                    lon=lon, cfe=cfe, techs=techs, year=year, region=region,
                    flexible_share=flexible_share, cooling=cooling, grid_cap_mw=grid_cap_mw,
                    dispatch_out=str(dispatch_out) if dispatch_out else None)
        if json_out:
            _emit_json(_run(run_site, opts))
            return
        from rich.console import Console

        with Console(stderr=True).status("planning the site supply…") as status:
            res = _run(run_site, opts, progress=lambda msg: status.update(msg)).model_dump()
        from scalewall.report.tables import print_site

        print_site(res)
