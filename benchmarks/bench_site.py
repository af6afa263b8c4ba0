"""Site-supply solve time: 8,760-hour PyPSA/HiGHS LPs of growing technology sets.

Issue 5 target: an 8,760-hour solve with eight technologies well under a minute on a 2-core
machine (aim <= 10 s). Prints the model build and HiGHS solve time of each case.
Run: `.venv/bin/python benchmarks/bench_site.py [--quick]` (--quick skips the eight-tech cases).
Prints which HiGHS solver gave the verified optimum (HiPO, or a fallback after a stall).
"""

from __future__ import annotations

import os
import sys
import time

from scalewall.supply.site import SiteRequest, plan_site
from scalewall.supply.weather import load_weather

CASES = [
    ("solar,battery,gas", 0.5),
    ("solar,wind,battery,gas,grid", 0.9),
    ("solar,wind,battery,ldes,nuclear,geothermal,gas,grid", 0.9),
    ("solar,wind,battery,ldes,nuclear,geothermal,gas,grid", 0.99),
]


def main() -> None:
    w = load_weather("greensboro")
    cases = CASES[:2] if "--quick" in sys.argv else CASES
    from scalewall.supply.optimise import ipm_solver

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"first HiGHS solver: {ipm_solver()}")
    print(f"{'technologies':<55} {'cfe':>5} {'build s':>8} {'solve s':>8} {'total s':>8} {'USD/MWh':>8}")
    for techs, cfe in cases:
        t0 = time.perf_counter()
        res, _ = plan_site(SiteRequest(load_mw=100, weather=w, techs=tuple(techs.split(",")), cfe=cfe))
        total = time.perf_counter() - t0
        print(f"{techs:<55} {cfe:>5.2f} {res.build_s:>8.2f} {res.solve_s:>8.2f} {total:>8.2f} "
              f"{res.cost_usd_per_mwh:>8.1f}")
        for n in res.notes:
            if "dominated" in n or "solver fallback" in n or "HiPO is not available" in n:
                print(f"    {n}")


if __name__ == "__main__":
    main()
