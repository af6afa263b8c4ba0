"""Outlook 2024-2050: when each wall binds, with uncertainty, and what each solution buys.

Modules: ``schema`` (catalogue kinds, scenario file), ``drivers`` (distributions and sampling),
``model`` (trajectories and walls over samples × years), ``levers`` (solutions), ``scenario``
(presets and user files), ``sensitivity`` (Sobol), ``summary`` (quantiles and the JSON result),
``api`` (the ``outlook`` command), ``cli`` (its typer command).
"""

__all__ = ["run_outlook"]


def run_outlook(options):  # pragma: no cover - thin re-export, imported lazily
    from scalewall.outlook.api import run_outlook as _run

    return _run(options)
