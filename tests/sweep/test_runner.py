"""Sweeps on a real Dask cluster: error rows, resume, extension, other commands."""

from __future__ import annotations

import json
import logging

import pytest

from scalewall.errors import ScenarioError
from scalewall.sweep import parse_spec, read_results, run_sweep
from scalewall.sweep.spec import expand_spec

BASE = {"model": "llama-2-7b", "accelerator": "h100-sxm", "tokens": 2e12}


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_failing_scenario_writes_a_row_with_error_and_the_sweep_goes_on(tmp_path, client):
    # tp=3 does not divide llama-2-7b's 32 heads: that scenario fails, the others run
    spec = parse_spec({"command": "train", "base": BASE,
                       "grid": {"devices": [64, 128], "tp": [1, 3, 2]}})
    s = run_sweep(spec, tmp_path, client=client, batch_size=2, progress=False)
    assert (s.scenarios, s.done, s.failed, s.skipped, s.not_run) == (6, 4, 2, 0, 0)
    df = read_results(tmp_path)
    assert len(df) == 6 and df["key"].is_unique
    bad = df[df["in.tp"] == 3]
    assert len(bad) == 2 and bad["error"].str.contains("llama-2-7b").all()
    assert bad["out.mfu"].isna().all()
    good = df[df["error"].isna()]
    assert (good["out.mfu"] > 0).all() and (good["out.energy_mwh.facility"] > 0).all()
    assert json.loads(good["out.assumptions"].iloc[0])  # lists are stored as JSON text
    pd = pytest.importorskip("pandas")
    raw = pd.read_parquet(tmp_path)  # every part has one schema: the directory is one dataset
    assert len(raw) == 6 and raw["error"].notna().sum() == 2
    pl = pytest.importorskip("polars")
    assert pl.read_parquet(tmp_path / "parts").height == 6
    duckdb = pytest.importorskip("duckdb")
    ((n, errors),) = duckdb.sql(f"SELECT count(*), count(error) FROM read_parquet('{tmp_path}/parts/*.parquet')").fetchall()
    assert (n, errors) == (6, 2)


def test_rerun_skips_finished_scenarios_and_a_larger_grid_runs_only_the_new_ones(tmp_path,
                                                                                 client):
    small = parse_spec({"command": "train", "base": BASE, "grid": {"devices": [64, 128]}})
    first = run_sweep(small, tmp_path, client=client, progress=False)
    again = run_sweep(small, tmp_path, client=client, progress=False)
    assert (first.done, again.done, again.skipped, again.tasks) == (2, 0, 2, 0)
    bigger = parse_spec({"command": "train", "base": BASE, "grid": {"devices": [64, 128, 256]},
                         "cases": [{}, {"precision": "fp8"}]})
    third = run_sweep(bigger, tmp_path, client=client, progress=False)
    assert (third.skipped, third.done + third.failed) == (2, 4)
    df = read_results(tmp_path)
    assert sorted(df["key"]) == sorted(s.key for s in expand_spec(bigger))


def test_plan_sweep_flattens_nested_results(tmp_path, client):
    spec = parse_spec({"command": "plan", "base": {"model": "llama-2-7b", "global_batch": 512,
                                                     "seq_len": 4096, "top": 2},
                       "grid": {"accelerator": ["h100-sxm", "a100-80gb"], "devices": [64]}})
    s = run_sweep(spec, tmp_path, client=client, progress=False)
    assert (s.done, s.failed) == (2, 0)
    df = read_results(tmp_path)
    assert {"out.best.plan.tp", "out.candidates_evaluated"} <= set(df.columns)
    assert all(isinstance(json.loads(v), list) for v in df["out.top"])


def test_invalid_option_fails_before_any_work_or_output(tmp_path, client):
    spec = parse_spec({"command": "train", "base": BASE,
                       "grid": {"devices": [64, 128]}, "cases": [{}, {"recompute": "most"}]})
    with pytest.raises(ScenarioError, match=r"scenario 2 of 4 .*recompute"):
        run_sweep(spec, tmp_path / "out", client=client, progress=False)
    assert not (tmp_path / "out").exists()


def test_sweep_runs_on_an_existing_cluster_given_its_scheduler_address(tmp_path, client):
    spec = parse_spec({"command": "train", "base": BASE, "grid": {"devices": [64, 128, 256]}})
    s = run_sweep(spec, tmp_path, scheduler=client.scheduler.address, progress=False)
    assert (s.done, s.workers) == (3, 2)
    assert len(read_results(tmp_path)) == 3
