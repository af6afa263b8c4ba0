"""``scalewall outlook``: parse, call :func:`scalewall.outlook.api.run_outlook`, render."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

__all__ = ["register"]


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
        from scalewall.cli.app import _emit_json, _run
        from scalewall.commands.outlook import OutlookOptions, run_outlook

        opts = _run(OutlookOptions, **{"from": from_year, "to": to_year, "scenario": scenario,
                                        "samples": samples, "seed": seed, "lever": lever or [],
                                        "sensitivity_samples": sensitivity_samples})
        if json_out:
            _emit_json(_run(run_outlook, opts))
            return
        from rich.console import Console
        from rich.progress import Progress

        from scalewall.commands.outlook import check_years
        from scalewall.outlook.scenario import load_scenario

        _run(check_years, opts)  # bad input fails before the progress bar draws anything
        _run(load_scenario, opts.scenario)
        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("sampling", total=1.0)
            res = _run(run_outlook, opts,
                       lambda stage, f: bar.update(task, completed=f, description=stage)).model_dump()
        from scalewall.report.tables import print_outlook

        print_outlook(res)
