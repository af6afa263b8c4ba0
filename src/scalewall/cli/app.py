"""The ``scalewall`` typer app, the commands catalog, validate and schema, and the helpers every
command module of the CLI shares (one-sentence errors, JSON output).

The commands train, plan, infer, site and outlook are generated from their options models by
:mod:`scalewall.cli.options` (listed by :class:`~scalewall.cli.options.ScalewallGroup`, built when
run)."""

from __future__ import annotations

from typing import Annotated

import typer

from scalewall.cli.common import JsonOpt, _emit_json, _fail, _run
from scalewall.cli.options import ScalewallGroup

__all__ = ["app", "catalog_app", "JsonOpt", "_emit_json", "_fail", "_run"]

app = typer.Typer(
    cls=ScalewallGroup,
    add_completion=False,
    no_args_is_help=True,
    help="Where does LLM scaling hit a wall? Time, memory, energy, carbon, water and cost, sourced.",
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(no_args_is_help=True, help="List and show catalogue entries and their sources.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("list")
def catalog_list(
    kind: Annotated[
        str, typer.Argument(help="accelerators | models | regions | assumptions | calibration")
    ] = "accelerators",
    json_out: JsonOpt = False,
) -> None:
    """List the entries of one catalogue kind."""
    from scalewall import catalog

    items = _run(catalog.entries, kind)
    if json_out:
        _emit_json([e.model_dump() for e in items.values()])
        return
    from scalewall.report.tables import print_catalog_list

    print_catalog_list(kind, items)


@catalog_app.command("show")
def catalog_show(
    kind: Annotated[str, typer.Argument(help="accelerators | models | regions | assumptions | calibration")],
    entry_id: Annotated[str, typer.Argument(help="the entry's id or alias")],
    json_out: JsonOpt = False,
) -> None:
    """Show one entry with every field and its sources."""
    from scalewall import catalog

    e = _run(catalog.get, kind, entry_id)
    if json_out:
        _emit_json(e.model_dump())
        return
    from scalewall.report.tables import print_entry

    print_entry(e)


@app.command()
def validate(
    json_out: JsonOpt = False,
) -> None:
    """Predicted vs published for every validation case, with errors and the bars they must meet."""
    from scalewall.validate.runner import run_all

    rows = _run(run_all)
    if json_out:
        _emit_json([r.model_dump() for r in rows])
        return
    from scalewall.report.tables import print_validation
    from scalewall.validate.runner import summarise

    print_validation(rows, summarise(rows))


@app.command()
def schema(
    name: Annotated[str | None, typer.Argument(help="a command: train, plan, infer, site or outlook")] = None,
    options: Annotated[
        bool, typer.Option("--options", help="the schema of the command's options instead of its result")
    ] = False,
) -> None:
    """The JSON Schema of a command's `--json` result (or, with --options, of its options); without NAME, the names."""
    from scalewall.commands import COMMANDS, RESULT_MODELS
    from scalewall.errors import closest_hint

    if name is None:
        for n, c in COMMANDS.items():
            typer.echo(f"{n}\t{c.summary}")
        return
    if name not in RESULT_MODELS:
        _fail(
            f"no command {name!r} has a schema; commands: {', '.join(RESULT_MODELS)}"
            + closest_hint(name, RESULT_MODELS)
        )
    model = COMMANDS[name].options if options else RESULT_MODELS[name]
    _emit_json(model.model_json_schema(mode="validation" if options else "serialization"))
