"""Sobol sensitivity (SALib) of the outlook's key outputs to its drivers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["sobol_indices"]


def sobol_indices(
    names: list[str],
    model: Callable[[np.ndarray], dict[str, np.ndarray]],
    n_base: int,
    seed: int,
) -> list[dict]:
    """First-order (S1) and total (ST) Sobol indices of each output to each named input [-].

    Parameters
    ----------
    names : list of str
        Inputs, each uniform on [0, 1] (the driver's quantile).
    model : callable
        Maps a (rows, len(names)) array of quantiles to {output name: (rows,) array}.
    n_base : int
        Base sample size N (a power of 2); the model runs N·(d + 2) rows.
    seed : int
        Seed of the scrambled Sobol sequence and of the bootstrap.

    Notes
    -----
    Saltelli's scheme with Jansen's estimators as implemented in SALib, second order off.

    References
    ----------
    A. Saltelli et al., "Variance based sensitivity analysis of model output", Comput. Phys.
    Commun. 181 (2010) 259-270. J. Herman, W. Usher, "SALib", JOSS 2 (2017) 97.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, scramble=True, seed=seed)
    outputs = model(x)
    rows: list[dict[str, Any]] = []
    for out_name, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if not np.all(np.isfinite(y)) or np.var(y) == 0.0:
            s1 = st = np.zeros(len(names))
        else:
            res = sobol_analyze.analyze(
                problem, y, calc_second_order=False, print_to_console=False, seed=seed
            )
            s1, st = np.asarray(res["S1"]), np.asarray(res["ST"])
        for j, name in enumerate(names):
            rows.append(
                {
                    "parameter": name,
                    "output": out_name,
                    "s1": round(float(s1[j]), 4),
                    "st": round(float(st[j]), 4),
                }
            )
    rows.sort(key=lambda r: (r["output"], -r["st"]))
    return rows
