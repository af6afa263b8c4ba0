"""Re-derive the fitted calibration factors from the published cases they were fitted on.

``gemm-efficiency`` is fitted on Korthikanti 2022 Table 5 (full recomputation column) by
minimising the mean absolute relative error of the iteration time; every other case in
``scalewall validate`` is a check it has not seen. Tests assert that the value shipped in
``calibration.yaml`` is the one this fit returns, so the catalogue cannot drift from its note.
"""

from __future__ import annotations

from unittest import mock

import numpy as np

from scalewall import catalog
from scalewall.performance.plan import STACKS, Plan, PlanArrays
from scalewall.validate.runner import cases, gpt_model
from scalewall.workload.transformer import model_dims

__all__ = ["korthikanti_full_errors", "fit_gemm_efficiency"]


def korthikanti_full_errors(eta: float) -> np.ndarray:
    """Relative errors of the full-recomputation iteration times at GEMM efficiency ``eta`` [-]."""
    import scalewall.performance.step as step

    blk = cases("training_performance")["korthikanti_2022_table5"]
    acc = catalog.accelerator(blk["accelerator"])
    real = catalog.calibration

    def patched(key: str) -> float:
        return eta if key == "gemm-efficiency" else real(key)

    errs = []
    with mock.patch.object(step, "calibration", patched):
        for c in blk["cases"]:
            d = model_dims(gpt_model(c["model"], c["name"]))
            plan = Plan(tp=c["tp"], pp=c["pp"], dp=c["dp"], micro_batch=c["micro_batch"],
                        global_batch=c["global_batch"], interleave=c["interleave"],
                        recompute="full", zero=0)
            r = step.evaluate(d, acc, PlanArrays.from_plans([plan]), c["model"]["s"],
                              blk["precision"], STACKS[blk["stack"]])
            errs.append(float(r["step_time_s"][0]) / c["full_s"] - 1.0)
    return np.array(errs)


def fit_gemm_efficiency(lo: float = 0.5, hi: float = 0.95, tol: float = 1e-4) -> float:
    """GEMM efficiency minimising mean |error| on Korthikanti Table 5 (full) [-].

    Golden-section search; the objective is unimodal in ``eta`` because every case's time
    falls monotonically as ``eta`` rises.
    """
    g = (np.sqrt(5) - 1) / 2
    f = lambda x: float(np.mean(np.abs(korthikanti_full_errors(x))))  # noqa: E731
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2
