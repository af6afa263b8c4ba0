"""CLI start-up time (issue 2: under 1 s). Run: `.venv/bin/python benchmarks/bench_startup.py`."""

from __future__ import annotations

import subprocess
import sys
import time


def main() -> None:
    for args in (["--help"], ["catalog", "list", "accelerators"]):
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "scalewall", *args], capture_output=True, check=True)
            best = min(best, time.perf_counter() - t0)
        print(f"scalewall {' '.join(args)}: {best:.3f} s (target < 1 s, ratio {best:.2f})")


if __name__ == "__main__":
    main()
