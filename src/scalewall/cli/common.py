"""What every command module of the CLI shares: one-sentence errors, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

__all__ = ["JsonOpt", "_emit_json", "_fail", "_run"]


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _run(fn, *args, **kwargs) -> Any:
    """Call the library; turn scalewall and validation errors into one sentence + exit 2."""
    from pydantic import ValidationError

    from scalewall.catalog.loader import format_validation_error
    from scalewall.errors import ScalewallError

    try:
        return fn(*args, **kwargs)
    except ScalewallError as exc:
        _fail(str(exc))
    except ValidationError as exc:
        _fail(format_validation_error(exc, "invalid input").replace("invalid input: ", "", 1))


def _emit_json(obj: Any) -> None:
    """Print a result (a pydantic model, or plain JSON data) as indented JSON on stdout."""
    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        obj = obj.model_dump()
    sys.stdout.write(json.dumps(obj, indent=2, default=float) + "\n")


JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON only")]
