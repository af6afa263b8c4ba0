"""Site-supply solve time and the accuracy of the aggregated path against the full LP.

Issue 16 targets, on this 2-core machine: one site with eight technologies (solar, wind, battery,
ldes, nuclear, geothermal, gas, grid) at CFE 0.99 solved and verified in <= 10 s; the aggregated
answer's cost within 2 % of the full 8,760-hour LP on the bundled sites; three campuses with five
technologies each in <= 30 s.

Prints, per case, the wall time of ``plan_site`` with ``solve="auto"`` (tsam segments -> design ->
8,760-hour verification, the full LP only if that fails) and with ``solve="full"``, the cost of
each and their difference, and which path answered. Imports are warmed first so the times are
the solve's own.
Run: `.venv/bin/python benchmarks/bench_site.py [--quick] [--no-full] [--portfolio]`
(--quick: Greensboro only; --no-full: skip the slow full LPs; --portfolio: the campus cases only).
"""

from __future__ import annotations

import os
import sys
import time

from scalewall.supply.site import SiteRequest, plan_site
from scalewall.supply.weather import load_weather

EIGHT = "solar,wind,battery,ldes,nuclear,geothermal,gas,grid"
CASES = [
    ("solar,wind,battery,gas,grid", 0.9),
    (EIGHT, 0.99),
]
SITES = ("greensboro", "sand-point", "miami")


def _site(site: str, techs: str, cfe: float, solve: str):
    req = SiteRequest(
        load_mw=100, weather=load_weather(site), techs=tuple(techs.split(",")), cfe=cfe, solve=solve
    )
    t0 = time.perf_counter()
    res, _ = plan_site(req)
    return res, time.perf_counter() - t0


def sites() -> None:
    full = "--no-full" not in sys.argv
    print(
        f"{'site':<11} {'technologies':<52} {'cfe':>5} {'auto s':>7} {'path':>10} {'USD/MWh':>8} "
        f"{'full s':>7} {'USD/MWh':>8} {'diff %':>7}"
    )
    for site in SITES[:1] if "--quick" in sys.argv else SITES:
        for techs, cfe in CASES:
            a, ta = _site(site, techs, cfe, "auto")
            line = (
                f"{site:<11} {techs:<52} {cfe:>5.2f} {ta:>7.1f} {a.solve_path:>10} {a.cost_usd_per_mwh:>8.2f}"
            )
            if full:
                f, tf = _site(site, techs, cfe, "full")
                diff = 100 * (a.cost_usd_per_mwh / f.cost_usd_per_mwh - 1)
                line += f" {tf:>7.1f} {f.cost_usd_per_mwh:>8.2f} {diff:>7.2f}"
            print(line, flush=True)


def portfolio() -> None:
    """Three bundled campuses, five technologies each, CFE 0.9, HVDC lines and 30 % shifting."""
    from scalewall.commands import run

    t0 = time.perf_counter()
    out = run(
        "site",
        {
            "load_mw": 100,
            "sites": "greensboro,sand-point,miami",
            "techs": "solar,wind,battery,gas,grid",
            "cfe": 0.9,
            "shift_share": 0.3,
        },
    )
    total = time.perf_counter() - t0
    port = out["portfolio"]
    print(
        f"three campuses x 5 techs, CFE 0.9: portfolio solve {out['solve_s']:.1f} s ({out['solve_path']}), "
        f"with the three single-campus solves {total:.1f} s; {out['cost_usd_per_mwh']:.2f} USD/MWh, "
        f"{port['saving_vs_islanded_share']:.1%} below islanded, lines {port['lines_mw']}"
    )
    for c in out["campuses"]:
        print(
            f"    {c['site']:<40} alone {c['alone_cost_usd_per_mwh']:>8.2f} USD/MWh, "
            f"saving {c['saving_vs_alone_usd_per_mwh']:>7.2f}"
        )
    for n in out["notes"]:
        if "segments" in n:
            print(f"    {n}")


def main() -> None:
    import pypsa  # noqa: F401  (warm the imports: the times below are the solves')
    import tsam.timeseriesaggregation  # noqa: F401

    from scalewall.supply.optimise import ipm_solver

    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
        f"first HiGHS solver: {ipm_solver()}"
    )
    if "--portfolio" not in sys.argv:
        sites()
    portfolio()


if __name__ == "__main__":
    main()
