"""The ``scalewall`` command line: parse, call :mod:`scalewall.commands`, render. No physics here.

Every command module of the CLI is imported here by name; heavy libraries load inside the
command functions, so ``scalewall --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

from scalewall.cli import infer, outlook, report, site, sweep, web
from scalewall.cli.app import app

__all__ = ["app", "main"]

for _module in (infer, site, outlook, sweep, report, web):
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
