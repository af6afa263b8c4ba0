"""Sweeps: grids of scenarios of any scalewall command, on Dask, resumable, to Parquet.

>>> from scalewall.sweep import parse_spec, run_sweep, read_results
>>> spec = parse_spec({"command": "train",
...                    "base": {"model": "llama-2-7b", "accelerator": "h100-sxm"},
...                    "grid": {"devices": [64, 128], "precision": ["bf16", "fp8"]}})
>>> summary = run_sweep(spec, "out/", workers=2)          # doctest: +SKIP
>>> read_results("out/").query("`out.mfu` > 0.5")         # doctest: +SKIP

Modules: :mod:`~scalewall.sweep.spec` (SPEC, scenario keys), :mod:`~scalewall.sweep.worker`
(what a Dask task runs), :mod:`~scalewall.sweep.flatten` (nested results to flat rows),
:mod:`~scalewall.sweep.store` (atomic Parquet parts, resume), :mod:`~scalewall.sweep.runner`
(the Dask driver), :mod:`~scalewall.sweep.query` (``show --where/--columns``) and
:mod:`scalewall.cli.sweep` (its commands). Names are imported lazily so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "SweepSpec",
    "Scenario",
    "load_spec",
    "parse_spec",
    "expand_spec",
    "scenario_key",
    "run_sweep",
    "SweepSummary",
    "read_results",
    "select",
    "flatten",
]

_WHERE = {
    "SweepSpec": "spec",
    "Scenario": "spec",
    "load_spec": "spec",
    "parse_spec": "spec",
    "expand_spec": "spec",
    "scenario_key": "spec",
    "run_sweep": "runner",
    "SweepSummary": "runner",
    "read_results": "store",
    "select": "query",
    "flatten": "flatten",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"scalewall.sweep.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'scalewall.sweep' has no attribute {name!r}")
