"""``scalewall sweep SPEC --out DIR`` and ``scalewall sweep show DIR``.

``sweep`` is a command group whose default command is ``run``: any first argument that is not
a sub-command's name (``show``, ``run``, ``chart``) is taken as the SPEC of ``run``. Dask, pandas and
pyarrow are imported inside the commands so ``scalewall --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

__all__ = ["register", "sweep_app"]


class _DefaultRunGroup(TyperGroup):
    """A group that runs ``run`` when the first argument names no sub-command."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


sweep_app = typer.Typer(
    cls=_DefaultRunGroup,
    no_args_is_help=True,
    help="A grid of scenarios of any command, on Dask, resumable: "
    "`scalewall sweep SPEC.yaml --out DIR` runs it, `scalewall sweep show DIR` reads it.",
)


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _guard(fn, *args, **kwargs) -> Any:
    from scalewall.errors import ScalewallError

    try:
        return fn(*args, **kwargs)
    except ScalewallError as exc:
        _fail(" ".join(str(exc).split()))


@sweep_app.command("run")
def run_cmd(
    spec: Annotated[Path, typer.Argument(help="SPEC.yaml: command, base, grid and/or cases")],
    out: Annotated[Path, typer.Option("--out", help="output directory (resumed if it exists)")],
    workers: Annotated[
        int | None, typer.Option(help="worker processes of the local Dask cluster (default: CPU count)")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="address (tcp://host:8786) or scheduler JSON file of a running Dask cluster"),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="scenarios per Dask task (default: automatic, at most 64)")
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="progress bar on stderr")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="print the summary as JSON only")] = False,
) -> None:
    """Run every scenario of SPEC not yet in DIR; one Parquet row per scenario. Same as `scalewall sweep SPEC`."""
    if workers is not None and scheduler is not None:
        _fail("give --workers N (local cluster) or --scheduler ADDRESS (existing cluster), not both")
    from scalewall.sweep.runner import run_sweep

    try:
        summary = _guard(
            run_sweep,
            spec,
            out,
            workers=workers,
            scheduler=scheduler,
            batch_size=batch_size,
            progress=progress,
        )
    except KeyboardInterrupt:
        typer.echo(
            f"interrupted: finished rows are saved in {out}; rerun the same command to resume", err=True
        )
        raise typer.Exit(130) from None
    if json_out:
        sys.stdout.write(json.dumps(summary.to_dict(), indent=2) + "\n")
    else:
        typer.echo(summary.sentence())
    if summary.not_run:
        typer.echo(
            f"error: {summary.not_run} scenarios did not run ({summary.first_error}); "
            "rerun the same command to run them",
            err=True,
        )
        raise typer.Exit(1)


def _cell(v: Any) -> str:
    import pandas as pd

    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


@sweep_app.command("show")
def show_cmd(
    out: Annotated[Path, typer.Argument(help="output directory of a sweep")],
    where: Annotated[
        str | None,
        typer.Option(help='pandas query on the columns, e.g. "in.devices >= 256 and out.mfu > 0.5"'),
    ] = None,
    columns: Annotated[
        list[str] | None,
        typer.Option(help="columns to show: names, comma lists or globs (out.energy_mwh.*); repeatable"),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=0, help="rows to show (table default 50; 0 = all)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the rows as a JSON list only")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="print the rows as CSV only")] = False,
) -> None:
    """Read the results of a sweep as a table."""
    if json_out and csv_out:
        _fail("give --json or --csv, not both")
    from scalewall.sweep.query import default_columns, select
    from scalewall.sweep.store import read_results

    df = _guard(read_results, out)
    total = len(df)
    df = _guard(select, df, where, columns)
    matched = len(df)
    if limit is None and not (json_out or csv_out):
        limit = 50
    shown = [str(c) for c in df.columns] if columns else default_columns(df)
    if limit:
        df = df.head(limit)
    if json_out:
        sys.stdout.write(df.to_json(orient="records", indent=2) + "\n")
        return
    if csv_out:
        df.to_csv(sys.stdout, index=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{out}: {matched} of {total} rows" + (f" where {where}" if where else ""))
    for c in shown:
        table.add_column(c, overflow="fold")
    for row in df[shown].itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console = Console()
    console.print(table)
    notes = []
    if len(df) < matched:
        notes.append(f"showing {len(df)} of {matched} rows (--limit 0 for all)")
    if len(shown) < len(df.columns):
        notes.append(f"{len(df.columns) - len(shown)} more columns (choose with --columns, e.g. 'out.*')")
    for n in notes:
        console.print(f"  • {n}")


@sweep_app.command("chart")
def chart_cmd(
    out: Annotated[Path, typer.Argument(help="output directory of a sweep of `scalewall site`")],
    html: Annotated[Path, typer.Option("--html", help="HTML file to write")] = Path("cost_vs_cfe.html"),
) -> None:
    """Draw a sweep of sites x CFE targets: cost per MWh against CFE share, one line per site."""
    from scalewall.sweep.site_grid import write_cost_vs_cfe

    path = _guard(write_cost_vs_cfe, out, html)
    typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` group to the scalewall CLI."""
    app.add_typer(sweep_app, name="sweep")
