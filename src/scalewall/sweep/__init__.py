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
:mod:`scalewall.cli.sweep` (its commands). Every module here imports its heavy libraries (Dask,
pandas, pyarrow) inside its functions, so importing the package is cheap.
"""

from __future__ import annotations

from scalewall.sweep.flatten import flatten
from scalewall.sweep.query import select
from scalewall.sweep.runner import SweepSummary, run_sweep
from scalewall.sweep.spec import Scenario, SweepSpec, expand_spec, load_spec, parse_spec, scenario_key
from scalewall.sweep.store import read_results

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
