"""Web server memory across repeated site solves (target: RSS after N solves ≤ 1.3 × after 10).

Starts ``scalewall web`` as its own process on a free loopback port, posts N real site requests
(full 8,760-hour LPs of a few seconds: three bundled sites, two technology sets, two CFE targets,
in turn) through ``POST /api/site`` from two clients at once, and prints the server's resident memory after the first 10 and after
all N, and their ratio. Run: ``.venv/bin/python benchmarks/bench_web_memory.py [N]`` (default 100;
about 5 minutes on a 2-core machine).
"""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import psutil

from scalewall.web.testing import free_port

BODIES = [{"load_mw": 100, "weather": w, "techs": techs, "cfe": cfe}
          for w in ("greensboro", "sand-point", "miami")
          for techs in ("solar,gas", "solar,wind,gas")
          for cfe in (0.3, 0.45)]
CLIENTS = 2
TARGET_RATIO = 1.3


def main(n: int = 100) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "scalewall", "web", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "/api/catalog", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        server = psutil.Process(proc.pid)
        start_mb = server.memory_info().rss / 1e6
        rss10 = None
        t0 = time.perf_counter()
        from concurrent.futures import ThreadPoolExecutor

        def solve(i: int) -> None:
            r = httpx.post(url + "/api/site", json=BODIES[i % len(BODIES)], timeout=600)
            r.raise_for_status()

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(solve, range(min(10, n))))
            rss10 = server.memory_info().rss / 1e6
            list(pool.map(solve, range(min(10, n), n)))
        wall = time.perf_counter() - t0
        end_mb = server.memory_info().rss / 1e6
        ratio = end_mb / rss10
        print(f"web server RSS: {start_mb:.0f} MB at start, {rss10:.0f} MB after 10 site solves, "
              f"{end_mb:.0f} MB after {n} ({wall / n:.1f} s per solve, {CLIENTS} clients)")
        print(f"ratio after {n} / after 10: {ratio:.2f} (target ≤ {TARGET_RATIO}: "
              f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
