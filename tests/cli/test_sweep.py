"""`scalewall sweep SPEC --out DIR` and `scalewall sweep show DIR`, run as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from scalewall.sweep.spec import expand_spec, load_spec

# 4 models × 3 accelerators × 2 cluster sizes × 5 batches × 2 precisions = 240 scenarios,
# small clusters so that the planner behind each one takes milliseconds
GRID_240 = """\
command: train
base: {tokens: 1.0e12}
grid:
  model: [llama-2-7b, llama-2-13b, llama-3.1-8b, qwen3-8b]
  accelerator: [h100-sxm, h200, b200]
  devices: [8, 16]
  global_batch: [64, 128, 256, 512, 1024]
  precision: [bf16, fp8]
"""


def scalewall(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scalewall", *args], capture_output=True,
                          text=True, timeout=timeout)


def rows_on_disk(out) -> list[str]:
    keys: list[str] = []
    for p in sorted((out / "parts").glob("part-*.parquet")):
        keys += pq.read_table(p, columns=["key"]).column("key").to_pylist()
    return keys


def test_grid_of_240_killed_with_sigkill_and_rerun_has_exactly_240_distinct_rows(tmp_path):
    spec, out = tmp_path / "grid.yaml", tmp_path / "out"
    spec.write_text(GRID_240)
    expected = {s.key for s in expand_spec(load_spec(spec))}
    assert len(expected) == 240
    cmd = [sys.executable, "-m", "scalewall", "sweep", str(spec), "--out", str(out),
           "--workers", "2", "--batch-size", "4", "--no-progress"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list((out / "parts").glob("part-*.parquet")):
            assert p.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no result part written within 120 s"
            time.sleep(0.02)
        os.kill(p.pid, signal.SIGKILL)  # the driver, in the middle of its run
    finally:
        p.wait(timeout=30)
        try:
            os.killpg(p.pid, signal.SIGKILL)  # its Dask workers too, like a crashed machine
        except ProcessLookupError:
            pass
    assert p.returncode == -signal.SIGKILL
    before = rows_on_disk(out)
    assert 0 < len(before) < 240, "the kill should land mid-sweep"

    r = scalewall("sweep", str(spec), "--out", str(out), "--workers", "2", "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["skipped"] == len(before)
    assert summary["done"] + summary["failed"] == 240 - len(before)
    after = rows_on_disk(out)
    assert len(after) == 240 and set(after) == expected
    assert not list((out / "parts").glob(".*.tmp"))

    # a third run finds everything done and writes nothing
    r = scalewall("sweep", str(spec), "--out", str(out), "--json")
    assert json.loads(r.stdout)["skipped"] == 240 and len(rows_on_disk(out)) == 240


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A small sweep run through the CLI, shared by the `show` tests."""
    d = tmp_path_factory.mktemp("sweep")
    (d / "s.yaml").write_text(
        "command: train\nbase: {model: llama-2-7b, accelerator: h100-sxm, tokens: 2.0e12}\n"
        "grid: {devices: [64, 128, 256], tp: [1, 3]}\n")
    r = scalewall("sweep", str(d / "s.yaml"), "--out", str(d / "out"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert "6 scenarios — 3 done, 3 failed, 0 skipped" in r.stdout
    assert "rows/s" in r.stdout and "ETA" in r.stderr  # summary, and the progress bar
    return d / "out"


def test_show_where_and_columns_select_rows_and_columns(swept):
    r = scalewall("sweep", "show", str(swept), "--where", "in.devices >= 128 and error.isnull()",
                  "--columns", "in.devices,out.energy_mwh.*", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["in.devices"] for x in rows] == [128, 256]
    assert set(rows[0]) == {"in.devices", "out.energy_mwh.accelerator", "out.energy_mwh.node",
                            "out.energy_mwh.facility"}


def test_show_prints_a_table_with_the_varying_inputs_and_errors(swept):
    r = scalewall("sweep", "show", str(swept))
    assert r.returncode == 0, r.stderr
    assert "6 of 6 rows" in r.stdout and "in.tp" in r.stdout and "error" in r.stdout


@pytest.mark.parametrize("args, needle", [
    (["--where", "out.mfuu > 0.5"], "no column 'out.mfuu'; closest: out.mfu"),
    (["--columns", "in.device"], "no column 'in.device'; closest: in.devices"),
])
def test_show_with_an_unknown_column_is_one_sentence(swept, args, needle):
    r = scalewall("sweep", "show", str(swept), *args)
    assert r.returncode == 2 and needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_spec_with_an_invalid_option_fails_before_work_naming_it(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "command: train\nbase: {model: llama-2-7b, accelerator: h100-sxm}\n"
        "grid: {devices: [64, 128], global_bacth: [512]}\n")
    r = scalewall("sweep", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert "global_bacth: Extra inputs are not permitted" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_workers_and_scheduler_together_are_refused(tmp_path):
    r = scalewall("sweep", "any.yaml", "--out", str(tmp_path), "--workers", "2",
                  "--scheduler", "tcp://127.0.0.1:8786")
    assert r.returncode == 2 and "not both" in r.stderr


def test_sweep_chart_draws_a_site_sweep_cost_against_cfe_and_refuses_other_commands(tmp_path):
    import pyarrow as pa

    from scalewall.sweep.store import ResultStore

    rows = [
        {"key": f"k{i}", "command": "site", "in.weather": w, "in.cfe": c,
         "out.cfe_share": c, "out.cost_usd_per_mwh": cost, "error": None}
        for i, (w, c, cost) in enumerate(
            [("miami", 0.5, 90.0), ("miami", 0.9, 137.0), ("greensboro", 0.5, 101.0), ("greensboro", 0.9, 171.0)]
        )
    ]
    site_dir = tmp_path / "site"
    with ResultStore(site_dir, "site") as store:
        store.write_part(pa.Table.from_pylist(rows))
    html = tmp_path / "cost.html"
    done = scalewall("sweep", "chart", str(site_dir), "--html", str(html))
    assert done.returncode == 0, done.stderr
    page = html.read_text("utf-8")
    assert '"name": "miami"' in page and '"name": "greensboro"' in page
    assert "Plotly.newPlot" in page

    train_dir = tmp_path / "train"
    with ResultStore(train_dir, "train") as store:
        store.write_part(pa.Table.from_pylist([{**rows[0], "command": "train"}]))
    done = scalewall("sweep", "chart", str(train_dir), "--html", str(html))
    assert done.returncode == 2 and "not a sweep of `scalewall site` results" in done.stderr
    assert "Traceback" not in done.stderr
