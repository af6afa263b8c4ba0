"""The site's IT load taken from a training run or a serving fleet of the other commands."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scalewall import commands as api
from scalewall.commands.site import load_from_result as it_load_from_result
from scalewall.errors import InputError, ScenarioError
from scalewall.supply.load import it_load_note, it_load_profile


@pytest.fixture(scope="module")
def train_result():
    return api.run("train", {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024,
                             "tokens": 3.0e11})


@pytest.fixture(scope="module")
def infer_result():
    return api.run("infer", {"model": "llama-3.1-70b", "accelerator": "h100-sxm", "devices": 8,
                             "queries_per_day": 1.0e9})


def test_training_run_gives_its_node_power_as_a_flat_load(train_result):
    mw, profile, notes = it_load_from_result(train_result)
    assert mw == train_result["avg_power_mw"]["node"]
    # node power = devices x per-device node power (accelerator + host share) [MW]
    assert mw == pytest.approx(1024 * train_result["power_per_device_w"]["node"] / 1e6)
    assert profile == "flat" and "gpt-3-175b" in notes[0]


def test_serving_fleet_gives_its_mean_node_power_as_a_diurnal_load(infer_result):
    mw, profile, notes = it_load_from_result(infer_result)
    assert mw == infer_result["fleet"]["avg_power_mw"]["node"]
    assert profile == "diurnal" and "queries/day" in notes[0]
    load, _ = it_load_profile(mw, profile)
    assert load.mean() == pytest.approx(mw) and load.max() > 1.2 * mw


def test_infer_result_without_a_fleet_says_how_to_size_one():
    res = api.run("infer", {"model": "llama-3.1-8b", "accelerator": "h100-sxm", "devices": 1})
    with pytest.raises(InputError, match="--queries-per-day"):
        it_load_from_result(res)


@pytest.mark.parametrize("text, match", [
    ("not json {", "is not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"capacity_mw": {}}', "neither a `scalewall train --json` nor"),
    ('{"wall_clock_days": 3}', "looks like a `scalewall train --json` result but lacks the field"),
])
def test_bad_result_files_are_one_clear_sentence(tmp_path, text, match):
    f = tmp_path / "r.json"
    f.write_text(text)
    with pytest.raises(InputError, match=match):
        it_load_from_result(str(f))
    with pytest.raises(InputError, match="no such file"):
        it_load_from_result(str(tmp_path / "missing.json"))


def test_site_takes_exactly_one_load(train_result):
    with pytest.raises(InputError, match="exactly one of --load-mw"):
        api.run("site", {"weather": "greensboro"})
    with pytest.raises(InputError, match="exactly one of --load-mw"):
        api.run("site", {"load_mw": 5, "load_from": train_result, "weather": "greensboro"})


def test_site_solved_for_a_training_run_uses_its_power_and_the_hourly_pue(train_result):
    out = api.run("site", {"load_from": train_result, "weather": "greensboro", "techs": "gas,grid",
                           "cfe": 0.0})
    node = train_result["avg_power_mw"]["node"]
    assert out["load_mw_it"] == pytest.approx(node)
    assert out["load_mwh_per_year"] == pytest.approx(node * 8760 * out["pue_annual"], rel=1e-4)
    assert any("training run of gpt-3-175b" in n for n in out["notes"])


def test_cli_load_from_a_saved_infer_result(tmp_path, infer_result):
    f = tmp_path / "fleet.json"
    f.write_text(json.dumps(infer_result))
    r = subprocess.run([sys.executable, "-m", "scalewall", "site", "--load-from", str(f), "--weather",
                        "greensboro", "--techs", "gas,grid", "--cfe", "0", "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["load_mw_it"] == pytest.approx(infer_result["fleet"]["avg_power_mw"]["node"])
    assert any("diurnal IT load" in n for n in out["notes"])


def test_scenario_links_the_site_load_to_its_train_section(train_result):
    from scalewall.report.run import _linked_site_options
    from scalewall.report.scenario import parse_scenario

    with pytest.raises(ScenarioError, match="needs a train section"):
        parse_scenario({"site": {"load_from": "train", "weather": "greensboro"}})
    sc = parse_scenario({"train": {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024,
                                   "tokens": 3.0e11},
                         "site": {"load_from": "train", "weather": "greensboro"}})
    opts = _linked_site_options(sc.site, {"results": {"train": train_result}})
    assert opts["load_from"] is train_result
    with pytest.raises(ScenarioError, match="the infer section has no result"):
        _linked_site_options({"load_from": "infer"}, {"results": {}})


def test_results_are_read_through_the_result_models(tmp_path, train_result, infer_result):
    """A result of the wrong type in a field, or one missing, is one sentence naming the field."""
    bad = {**train_result, "avg_power_mw": "lots"}
    with pytest.raises(InputError, match=r"train --json` result but has an invalid field avg_power_mw") as e:
        it_load_from_result(bad)
    assert "\n" not in str(e.value)
    missing = {k: v for k, v in infer_result.items() if k != "itl_s"}
    f = tmp_path / "fleet.json"
    f.write_text(json.dumps(missing))
    with pytest.raises(InputError, match=r"'fleet.json' looks like a `scalewall infer --json` result "
                                         r"but lacks the field itl_s"):
        it_load_from_result(str(f))
    # a site result is neither
    with pytest.raises(InputError, match="neither"):
        it_load_from_result({"capacity_mw": {"solar": 1.0}, "cfe_share": 0.9, "notes": []})


def test_the_supply_stage_takes_plain_numbers():
    mw, profile, notes = it_load_note(12.5, "diurnal", "serving fleet of x")
    assert (mw, profile) == (12.5, "diurnal") and "12.50 MW" in notes[0]
    with pytest.raises(InputError, match="not a positive number"):
        it_load_note(float("nan"), "flat", "training run")
