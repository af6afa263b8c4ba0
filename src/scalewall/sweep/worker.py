"""What a Dask worker runs: a batch of scenarios through :func:`scalewall.commands.execute`.

Scenarios travel in batches so the scheduling cost of one task is shared by many scenarios.
A failing scenario becomes a row with ``error`` set; it never fails the batch. Each result is the
command's typed result model, dumped to its ``--json`` object and flattened; the batch's columns
are typed from the command's options and result models (:func:`~scalewall.sweep.flatten.column_types`).
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from scalewall.sweep.flatten import column_types, flatten, rows_to_table

__all__ = ["run_scenario", "run_batch", "error_message"]


def error_message(exc: BaseException) -> str:
    """One line saying why a scenario failed."""
    from pydantic import ValidationError

    from scalewall.errors import ScalewallError

    if isinstance(exc, ScalewallError):
        msg = str(exc)
    elif isinstance(exc, ValidationError):
        from scalewall.catalog.loader import format_validation_error

        msg = format_validation_error(exc, "invalid input")
    else:  # a bug, not bad input: keep its type so it can be found
        msg = f"internal error {type(exc).__name__}: {exc}"
    return " ".join(msg.split())


def run_scenario(command: str, key: str, options: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """One result row: ``key``, ``command``, ``in.*``, ``out.*``, ``error``, ``model_s``.

    ``model_s`` is the time spent in :func:`scalewall.commands.execute` [s].
    """
    from scalewall import commands as api

    row: dict[str, Any] = {"key": key, "command": command}
    row.update({f"in.{k}": v for k, v in inputs.items()})
    t0 = time.perf_counter()
    try:
        out = api.execute(command, options).model_dump()  # the typed result's --json object
    except Exception as exc:  # noqa: BLE001 - a failing scenario must not stop the sweep
        row["error"] = error_message(exc)
    else:
        row.update(flatten(out, "out."))
        row["error"] = None
    row["model_s"] = time.perf_counter() - t0
    return row


@cache
def _types(command: str, inputs: tuple[str, ...]) -> dict[str, str]:
    return column_types(command, inputs)


def run_batch(command: str, batch: list[tuple[str, dict[str, Any], dict[str, Any]]]):
    """Run ``(key, options, inputs)`` scenarios; return their rows as one Arrow table, its
    columns typed from the command's models (an all-failed batch still has typed ``out.*``)."""
    inputs = tuple(dict.fromkeys(k for _, _, i in batch for k in i))
    return rows_to_table([run_scenario(command, k, o, i) for k, o, i in batch], _types(command, inputs))
