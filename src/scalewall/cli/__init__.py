"""The ``scalewall`` command line: parse, call :mod:`scalewall.commands`, render. No physics here.

train, plan, infer, site and outlook are generated from their options models
(:mod:`scalewall.cli.options`); the other command modules are imported here by name. Heavy
libraries load inside the command functions, so ``scalewall --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

from scalewall.cli import report, sweep, web
from scalewall.cli.app import app

__all__ = ["app", "main"]

for _module in (sweep, report, web):
    _module.register(app)


def main() -> None:
    """Entry point: any scalewall or validation error becomes one sentence and exit code 2."""
    from pydantic import ValidationError

    from scalewall.catalog.loader import format_validation_error
    from scalewall.errors import ScalewallError

    try:
        app()
    except ScalewallError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except ValidationError as exc:
        msg = format_validation_error(exc, "invalid input").replace("invalid input: ", "", 1)
        typer.echo(f"error: {msg}", err=True)
        sys.exit(2)
