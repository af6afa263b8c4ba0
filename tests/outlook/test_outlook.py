"""Outlook: anchor checks against the IEA and Epoch AI, reproducibility, walls, levers, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from scalewall import catalog
from scalewall.commands.outlook import OutlookOptions, run_outlook
from scalewall.errors import InputError, ScenarioError
from scalewall.outlook.drivers import Driver, quantile_map
from scalewall.outlook.model import landauer_j_per_bit
from scalewall.outlook.simulate import simulate


def _run(**kw) -> dict:
    kw.setdefault("samples", 600)
    kw.setdefault("sensitivity_samples", 0)
    return run_outlook(OutlookOptions(**kw)).model_dump()


@pytest.fixture(scope="module")
def baseline() -> dict:
    return _run(to=2035, lever=["space-solar", "distributed-training"], sensitivity_samples=32)


@pytest.fixture(scope="module")
def epoch() -> dict:
    return _run(scenario="epoch-2030", to=2032, samples=2000)


def _year(res: dict, y: int) -> dict:
    return next(r for r in res["years"] if r["year"] == y)


# ---------------------------------------------------------------- anchors (IEA Energy and AI 2025)
def test_2024_datacentre_electricity_p50_within_350_480_twh_iea_415(baseline):
    # IEA Energy and AI (2025): ~415 TWh in 2024; acceptance band 350-480 TWh
    assert 350 <= _year(baseline, 2024)["datacentre_electricity_twh"]["p50"] <= 480


def test_2030_datacentre_electricity_p50_within_700_1400_twh_iea_base_945(baseline):
    # IEA Energy and AI (2025) base case ~945 TWh in 2030; acceptance band 700-1,400 TWh
    assert 700 <= _year(baseline, 2030)["datacentre_electricity_twh"]["p50"] <= 1400


# ---------------------------------------------------------------- anchors (Epoch AI 2024)
def test_epoch_2030_preset_2030_run_power_band_overlaps_4_to_16_gw(epoch):
    # Epoch AI, "Can AI Scaling Continue Through 2030?" (2024): largest runs 4-16 GW by 2030
    band = _year(epoch, 2030)["frontier_run_power_gw"]
    assert band["p10"] <= 16 and band["p90"] >= 4


def test_epoch_2030_preset_2e29_flop_feasible_by_2030_in_the_median(epoch):
    # same report: "training runs of 2e29 FLOP will likely be feasible by 2030"
    assert _year(epoch, 2030)["feasible_max_flop"]["p50"] >= 2e29


def test_2024_frontier_run_matches_epoch_database_scale(baseline):
    # Epoch notable models: largest 2024 runs 3.8e25 (Llama 3.1 405B) to ~5e25 (Gemini Ultra)
    assert 3e25 <= _year(baseline, 2024)["frontier_training_flop"]["p50"] <= 1e26


# ---------------------------------------------------------------- reproducibility and contract
def test_same_seed_gives_identical_output():
    a = _run(to=2030, samples=300, seed=7, sensitivity_samples=16)
    b = _run(to=2030, samples=300, seed=7, sensitivity_samples=16)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_another_seed_gives_other_samples():
    a = _run(to=2026, samples=300, seed=1)
    b = _run(to=2026, samples=300, seed=2)
    assert a["years"][0]["frontier_training_flop"] != b["years"][0]["frontier_training_flop"]


def test_json_contract_has_the_issue_fields(baseline):
    assert {"years", "wall_year", "levers", "sensitivity", "assumptions"} <= set(baseline)
    row = baseline["years"][0]
    for k in ("frontier_training_flop", "frontier_run_power_gw", "frontier_run_energy_twh",
              "frontier_run_cost_usd", "ai_electricity_twh", "datacentre_electricity_twh",
              "share_of_world_electricity", "actors_able_to_afford"):
        assert set(row[k]) == {"p10", "p50", "p90"}, k
        assert row[k]["p10"] <= row[k]["p50"] <= row[k]["p90"], k
    assert abs(sum(row["binding_constraint"].values()) - 1.0) < 1e-3
    assert {"parameter", "output", "s1", "st"} <= set(baseline["sensitivity"][0])
    json.dumps(baseline)  # JSON-able


def test_the_run_never_exceeds_the_trend_or_any_wall(baseline):
    for row in baseline["years"]:
        assert row["frontier_training_flop"]["p50"] <= row["demanded_training_flop"]["p50"] * (1 + 1e-9)
        assert row["frontier_training_flop"]["p90"] <= row["feasible_max_flop"]["p90"] * (1 + 1e-9)


def test_wall_years_lie_in_the_horizon_or_are_null(baseline):
    for name, q in baseline["wall_year"].items():
        for k in ("p10", "p50", "p90"):
            assert q[k] is None or 2024 <= q[k] <= 2035, name
    first = baseline["wall_year"]["first_wall"]["p50"]
    others = [q["p50"] for k, q in baseline["wall_year"].items() if k != "first_wall" and q["p50"]]
    assert first is not None and first <= min(others)


# ---------------------------------------------------------------- levers
def test_space_solar_before_2050_is_shown_as_no_gain_with_the_reason(baseline):
    # NASA OTPS (2024): the systems it costs begin operating in 2050
    lv = next(r for r in baseline["levers"] if r["name"] == "space-solar")
    assert lv["acts_from"] == 2050
    assert lv["years_gained"]["p50"] == 0 and lv["target_wall_years_gained"]["p90"] == 0
    assert "cannot act before 2050" in lv["note"]
    assert any("NASA" in s for s in lv["sources"])


def test_distributed_training_pushes_the_site_power_wall_later(baseline):
    lv = next(r for r in baseline["levers"] if r["name"] == "distributed-training")
    assert lv["target_wall"] == "site_power"
    assert lv["target_wall_years_gained"]["p50"] >= 1
    assert lv["years_gained"]["p10"] >= 0  # switching a solution on never brings a wall forward


def test_unknown_lever_names_the_closest():
    with pytest.raises(InputError, match="closest: smr"):
        _run(lever=["smrr"])


# ---------------------------------------------------------------- drivers and physics
def test_quantile_map_median_is_central_and_range_is_low_to_high():
    d = Driver("x", "x/yr", 2.0, 3.0, 5.0, "linear")
    assert quantile_map(d, np.array([0.0, 0.5, 1.0])).tolist() == [2.0, 3.0, 5.0]
    g = Driver("y", "FLOP", 1e25, 1e26, 1e28, "log")
    assert quantile_map(g, np.array([0.5]))[0] == pytest.approx(1e26)
    assert quantile_map(g, np.array([0.75]))[0] == pytest.approx(10**27)


def test_landauer_limit_at_300_k_is_2_87e_21_joule():
    # k_B * 300 K * ln 2 = 1.380649e-23 * 300 * 0.693147 = 2.871e-21 J
    assert landauer_j_per_bit(300.0) == pytest.approx(2.871e-21, rel=1e-3)


def test_hardware_efficiency_growth_stops_at_the_cmos_headroom():
    from scalewall.outlook.drivers import driver_table
    from scalewall.outlook.model import evaluate

    table = driver_table({"cmos-headroom": (10.0, 10.0, 10.0), "hardware-efficiency-growth": (2.0, 2.0, 2.0)})
    p = {k: np.array([d.central]) for k, d in table.items()}
    tr = evaluate(p, np.arange(2024, 2040))
    hw = tr.facility_flop_per_j[0]
    # efficiency 2x/yr hits 10x the 2024 level by 2028 (2^4 = 16 > 10) and stays there
    assert hw[-1] / hw[4] == pytest.approx(1.0, rel=0.05)  # only PUE drift afterwards


def test_catalogue_outlook_kinds_load_with_sources():
    for kind in ("trends", "paradigms", "equivalences", "countries", "actors"):
        items = catalog.entries(kind)
        assert items and all(e.source for e in items.values()), kind
    pa = catalog.get("paradigms", "ibm-northpole")
    assert pa.demonstrated.boundary in ("chip", "system") and "inference" in pa.applies_to


# ---------------------------------------------------------------- bad input
def test_scenario_with_unknown_driver_names_the_field(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("name: s\ndrivers:\n  frontier-compute-grwth: {value: 3}\n")
    with pytest.raises(ScenarioError, match=r"drivers\.frontier-compute-grwth.*closest: frontier-compute-growth"):
        _run(scenario=str(f))


def test_scenario_distribution_with_low_above_high_names_the_field(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("name: s\ndrivers:\n  mfu: {low: 0.6, central: 0.5, high: 0.4}\n")
    with pytest.raises(ScenarioError, match=r"drivers\.mfu.*low 0\.6 > high 0\.4"):
        _run(scenario=str(f))


@pytest.mark.parametrize("kw, needle", [({"from": 2010}, "--from 2010 is outside the data"),
                                        ({"to": 2099}, "--to 2099 is outside the data"),
                                        ({"from": 2030, "to": 2025}, "before --from")])
def test_years_outside_the_data_name_the_option(kw, needle):
    with pytest.raises(InputError, match=needle):
        _run(**kw)


def test_unknown_preset_lists_the_presets():
    with pytest.raises(ScenarioError, match="epoch-2030"):
        _run(scenario="epoch-2042")


# ---------------------------------------------------------------- CLI
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scalewall", "outlook", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_outlook_json_prints_only_the_result():
    p = _cli("--to", "2027", "--samples", "200", "--sensitivity-samples", "0", "--lever", "smr", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert [r["year"] for r in out["years"]] == [2024, 2025, 2026, 2027]
    assert out["levers"][0]["name"] == "smr"


def test_cli_bad_scenario_file_is_one_sentence_and_exit_code_2(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: bad\ndrivers:\n  warp-drive: {value: 1}\n")
    p = _cli("--scenario", str(f), "--samples", "100")
    assert p.returncode == 2 and p.stdout == ""
    assert "drivers.warp-drive" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_samples_above_the_memory_cap_are_refused_before_any_work():
    # a million samples used to take 9.6 GB; the cap keeps a run under ~1 GB
    from scalewall.commands.outlook import MAX_SAMPLES

    p = _cli("--samples", str(MAX_SAMPLES + 1), "--json")
    assert p.returncode == 2 and "samples" in p.stderr and "Traceback" not in p.stderr


def test_outlook_table_at_80_columns_cuts_no_range():
    import os

    p = subprocess.run([sys.executable, "-m", "scalewall", "outlook", "--samples", "200",
                        "--sensitivity-samples", "0", "--to", "2030"], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "COLUMNS": "80"})
    assert p.returncode == 0, p.stderr
    table = p.stdout.split("Year each wall")[0]
    assert "…" not in table and "–" in table  # every p10–p90 range is printed whole


def test_epoch_2024_is_an_alias_of_the_epoch_2030_preset():
    assert _run(scenario="epoch-2024", to=2026)["scenario"] == "epoch-2030"


def test_iea_cases_order_as_the_report_orders_them_in_2030_though_fitted_on_2035_only():
    # Lift-Off and Headwinds are fitted on 2035 alone; 2030 follows from one factor on Base's rates
    years = np.arange(2024, 2031)
    p50 = {}
    for case in ("iea-2025-headwinds", "iea-2025", "iea-2025-lift-off"):
        tr, _ = simulate(case, years, 500, 0).run()
        p50[case] = float(np.median(tr.datacentre_electricity_twh[:, -1]))
    assert p50["iea-2025-headwinds"] < p50["iea-2025"] < p50["iea-2025-lift-off"]
