"""Outlook speed (issue 15: 10,000 samples × 27 years with sensitivity in ≤ 5 s on 2 cores).

Run: `.venv/bin/python benchmarks/bench_outlook.py`. Prints figures and ratios to the target.
"""

from __future__ import annotations

import time

from scalewall.commands.outlook import OutlookOptions, run_outlook


def _time(**kw) -> tuple[float, dict]:
    best, res = float("inf"), {}
    for _ in range(3):
        t0 = time.perf_counter()
        res = run_outlook(OutlookOptions(**kw)).model_dump()
        best = min(best, time.perf_counter() - t0)
    return best, res


def main() -> None:
    target = 5.0
    cases = [
        ("10,000 samples x 27 years, no levers, Sobol N=256", dict(samples=10_000)),
        ("10,000 samples x 27 years, 4 levers, Sobol N=256",
         dict(samples=10_000, lever=["smr", "distributed-training", "lower-precision", "neuromorphic"])),
        ("10,000 samples x 27 years, no Sobol", dict(samples=10_000, sensitivity_samples=0)),
        ("10,000 samples x 27 years, every named lever priced, Sobol N=256",
         dict(samples=10_000, lever=["smr", "geothermal", "fusion", "space-solar", "neuromorphic",
                                     "photonic", "analog", "efficient-chips", "lower-precision",
                                     "distributed-training"])),
    ]
    for label, kw in cases:
        s, res = _time(**kw)
        n_years = len(res["years"])
        print(f"{label}: {s:.2f} s for {kw['samples'] * n_years:,} sample-years "
              f"(target < {target:g} s, ratio {s / target:.2f}); first wall p50 "
              f"{res['wall_year']['first_wall']['p50']}")


if __name__ == "__main__":
    main()
