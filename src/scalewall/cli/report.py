"""``scalewall report``: read a scenario, run it through the library, write one HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the scalewall CLI."""

    @app.command()
    def report(
        scenario: Annotated[
            Path | None, typer.Argument(help="scenario YAML file (default: the built-in scenario)")
        ] = None,
        out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write")] = Path("report.html"),
        quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
    ) -> None:
        """A self-contained HTML report of a scenario (charts, works offline), and a short summary."""
        from scalewall.cli.common import _fail, _run
        from scalewall.report.scenario import load_scenario

        sc = _run(load_scenario, scenario)
        if out.exists() and out.is_dir():
            _fail(f"--out {str(out)!r} is a directory; give a file name such as report.html")
        if not out.parent.exists():
            _fail(f"the folder of --out {str(out)!r} does not exist")

        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from scalewall.report.html import render_report
        from scalewall.report.run import run_scenario
        from scalewall.report.summary import summary_rows
        from scalewall.report.tables import print_report_summary

        with Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            TimeElapsedColumn(),
            transient=True,
            console=Console(stderr=True),
            disable=quiet,
        ) as bar:
            task = bar.add_task("starting", total=1.0)

            def tick(label: str, done: float, total: float) -> None:
                bar.update(task, description=label, completed=done / max(total, 1.0))

            res = _run(run_scenario, sc, tick)
            bar.update(task, description="writing HTML")
            page = render_report(res, sc.report.dispatch_week_start_day)
        try:
            out.write_text(page, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {str(out)!r}: {exc.strerror or exc}")
        print_report_summary(res["title"], summary_rows(res), str(out.resolve()))
