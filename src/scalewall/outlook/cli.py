"""``scalewall outlook``: parse, call :func:`scalewall.outlook.api.run_outlook`, render."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

__all__ = ["register"]


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    if abs(x) >= 1e5 or (0 < abs(x) < 1e-2):
        return f"{x:.2g}{unit}"
    return f"{x:,.3g}{unit}"


def _band(q: dict, unit: str = "") -> str:
    return f"{_fmt(q['p50'], unit)} ({_fmt(q['p10'])}–{_fmt(q['p90'])})"


def _print(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=f"Outlook {res['from']}–{res['to']} · scenario {res['scenario']} · "
                    f"{res['samples']:,} samples (p50, p10–p90)")
    for col in ("year", "frontier FLOP", "run power GW", "run cost USD", "DC TWh", "share of world",
                "binding (prob.)", "actors"):
        t.add_column(col)
    years = res["years"]
    pick = {years[0]["year"], years[-1]["year"]} | {y["year"] for y in years if y["year"] % 5 == 0}
    for y in years:
        if y["year"] not in pick:
            continue
        top = next(iter(y["binding_constraint"].items()))
        t.add_row(str(y["year"]), _band(y["frontier_training_flop"]), _band(y["frontier_run_power_gw"]),
                  _band(y["frontier_run_cost_usd"]), _band(y["datacentre_electricity_twh"]),
                  f"{y['share_of_world_electricity']['p50']:.1%}", f"{top[0]} {top[1]:.0%}",
                  _fmt(y["actors_able_to_afford"]["p50"]))
    con.print(t)
    w = Table(title="Year each wall first caps the trend (null: not by the last year)")
    for col in ("wall", "p10", "p50", "p90", "P(by end)"):
        w.add_column(col)
    for name, q in res["wall_year"].items():
        w.add_row(name, *(str(q[k]) if q[k] else "—" for k in ("p10", "p50", "p90")),
                  f"{q['probability_by_end']:.0%}")
    con.print(w)
    if res["levers"]:
        lv = Table(title="Levers: years gained on the first wall (and on the wall they target)")
        for col in ("lever", "acts from", "first wall p50 (p10–p90)", "target wall p50"):
            lv.add_column(col)
        for r in res["levers"]:
            g, gt = r["years_gained"], r["target_wall_years_gained"]
            lv.add_row(r["name"], str(r["acts_from"] or "now"),
                       f"{g['p50']:+g} ({g['p10']:+g}–{g['p90']:+g})", f"{r['target_wall']} {gt['p50']:+g}")
        con.print(lv)
        for r in res["levers"]:
            con.print(f"  {r['name']}: {r['change']}; {r['note']}", highlight=False)
    if res["sensitivity"]:
        s = Table(title="Sobol sensitivity (largest total effects)")
        for col in ("output", "parameter", "S1", "ST"):
            s.add_column(col)
        for r in res["sensitivity"]:
            s.add_row(r["output"], r["parameter"], f"{r['s1']:.2f}", f"{r['st']:.2f}")
        con.print(s)
    for a in res["assumptions"]:
        con.print(f"  • {a}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``outlook`` command to the scalewall CLI."""

    @app.command()
    def outlook(
        from_year: Annotated[int, typer.Option("--from", help="first year")] = 2024,
        to_year: Annotated[int, typer.Option("--to", help="last year")] = 2050,
        scenario: Annotated[Optional[str], typer.Option(help="preset (baseline, epoch-2024, constrained, accelerated) or scenario YAML file")] = None,
        samples: Annotated[int, typer.Option(help="Monte Carlo samples")] = 2000,
        seed: Annotated[int, typer.Option(help="random seed")] = 0,
        lever: Annotated[Optional[list[str]], typer.Option("--lever", help="switch on a solution and report years gained (repeatable)")] = None,
        sensitivity_samples: Annotated[int, typer.Option(help="Sobol base sample N (power of 2); 0 skips")] = 256,
        json_out: Annotated[bool, typer.Option("--json", help="print the result as JSON only")] = False,
    ) -> None:
        """2024–2050: when each wall binds, with uncertainty, and what each solution buys."""
        from scalewall.cli import _emit_json, _run
        from scalewall.outlook.api import OutlookOptions, run_outlook

        opts = _run(OutlookOptions, **{"from": from_year, "to": to_year, "scenario": scenario,
                                        "samples": samples, "seed": seed, "lever": lever or [],
                                        "sensitivity_samples": sensitivity_samples})
        if json_out:
            _emit_json(_run(run_outlook, opts))
            return
        from rich.console import Console
        from rich.progress import Progress

        from scalewall.outlook.api import _check_years
        from scalewall.outlook.scenario import load_scenario

        _run(_check_years, opts)  # bad input fails before the progress bar draws anything
        _run(load_scenario, opts.scenario)
        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("sampling", total=1.0)
            res = _run(run_outlook, opts,
                       lambda stage, f: bar.update(task, completed=f, description=stage))
        _print(res)
