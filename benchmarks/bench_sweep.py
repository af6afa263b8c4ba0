"""Sweep throughput on Dask (issue 8): 10,000 training scenarios with 1 and 2 workers.

Run: `.venv/bin/python benchmarks/bench_sweep.py [--n 10000] [--workers 1 2]`.

Scenarios are `train` runs of Llama-2-7B on H100 with the parallel plan given (tp=1, pp=1,
dp=devices), so each takes milliseconds and the sweep's own overhead is what is measured:
10 clusters (5 sizes × 2 batches) × 10 token counts × 10 PUEs × 10 grid intensities = 10,000.

Printed per worker count: wall time (cluster start included), throughput, the time inside the
model (sum over scenarios of the time in `scalewall.commands.run`), and the share of worker time
spent outside the model (scheduling, transfers, Parquet writing, cluster start):
``1 - model_s / (wall_s × workers)``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import resource
import shutil
import tempfile
import time
from pathlib import Path

from scalewall.sweep import parse_spec, read_results, run_sweep
from scalewall.sweep.spec import expand_spec


def spec_of(n: int):
    """``n`` feasible scenarios: 10 clusters × 10 token counts × 10 PUEs × 10 grids for 10,000."""
    side = max(1, math.ceil(n ** 0.25))
    # 5 cluster sizes × 2 batches, all with dp = devices dividing the batch: every one runs
    clusters = [(d, b) for d in (16, 32, 64, 128, 256) for b in (1024, 2048)]
    clusters = (clusters * math.ceil(side / len(clusters)))[:side]
    tokens = [1e11 * (i + 1) for i in range(side)]
    pues = [round(1.05 + 0.05 * i, 2) for i in range(side)]
    grid_g = [float(20 + 50 * i) for i in range(side)]
    combos = itertools.islice(itertools.product(clusters, tokens, pues, grid_g), n)
    cases = [{"devices": d, "dp": d, "global_batch": b, "tokens": t, "pue": p,
              "grid_gco2_kwh": g} for (d, b), t, p, g in combos]
    return parse_spec({"command": "train",
                       "base": {"model": "llama-2-7b", "accelerator": "h100-sxm", "tp": 1,
                                "pp": 1},
                       "cases": cases})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="scenarios")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch-size", type=int, default=None)
    args = ap.parse_args()
    spec = spec_of(args.n)
    t0 = time.perf_counter()
    n = len(expand_spec(spec))
    print(f"{n:,} train scenarios; expanding and validating the SPEC: "
          f"{time.perf_counter() - t0:.2f} s")
    from scalewall import commands as api

    sample = expand_spec(spec)[:200]
    t0 = time.perf_counter()
    for s in sample:
        api.run("train", s.options)
    serial_ms = (time.perf_counter() - t0) / len(sample) * 1e3
    print(f"one scenario in this process, no Dask: {serial_ms:.2f} ms "
          f"(→ {1e3 / serial_ms:,.0f} scenarios/s on one core)")
    results = {}
    for w in args.workers:
        out = Path(tempfile.mkdtemp(prefix=f"bench-sweep-{w}w-"))
        try:
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            s = run_sweep(spec, out, workers=w, batch_size=args.batch_size, progress=False)
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            driver_cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
            t0 = time.perf_counter()
            rows = len(read_results(out))
            read_s = time.perf_counter() - t0
        finally:
            shutil.rmtree(out, ignore_errors=True)
        assert rows == n and s.done == n, (rows, s)
        busy = s.wall_s * w
        run_s = s.wall_s - s.startup_s
        results[w] = s
        print(f"{w} worker{'s' * (w > 1)}: {s.wall_s:6.1f} s wall ({s.startup_s:.1f} s cluster "
              f"start), {n / s.wall_s:7,.0f} scenarios/s ({n / run_s:,.0f}/s after start); "
              f"model {s.model_s:.1f} s = {s.model_s / n * 1e3:.2f} ms/scenario; outside the "
              f"model {1 - s.model_s / busy:.0%} of worker time ({1 - s.model_s / (run_s * w):.0%} "
              f"after start); {s.tasks} tasks of {s.batch_size}, {s.parts} parts; "
              f"driver (scheduler, Parquet writing) CPU {driver_cpu_s:.1f} s; "
              f"reading {rows:,} rows back {read_s:.2f} s")
    if 1 in results and 2 in results:
        a, b = results[1], results[2]
        print(f"2 workers vs 1: speed-up {a.wall_s / b.wall_s:.2f}× on wall time, "
              f"{(a.wall_s - a.startup_s) / (b.wall_s - b.startup_s):.2f}× after cluster start")


if __name__ == "__main__":
    main()
