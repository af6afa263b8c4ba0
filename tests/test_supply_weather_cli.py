"""Bad weather input gives one clear sentence naming the problem; the site CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest

from scalewall.errors import InputError
from scalewall.supply.weather import load_weather, read_weather_file

TMY3 = resources.files("pvlib").joinpath("data", "723170TYA.CSV")


def _lines():
    return TMY3.read_text("utf-8").splitlines(keepends=True)


def test_truncated_file_names_the_wrong_length(tmp_path):
    f = tmp_path / "short.csv"
    f.write_text("".join(_lines()[:102]))
    with pytest.raises(InputError, match="100 hourly rows, a typical-year file must have 8760"):
        read_weather_file(f)


def test_missing_column_is_named(tmp_path):
    lines = _lines()
    lines[1] = lines[1].replace("GHI (W/m^2)", "XYZ")
    f = tmp_path / "nocol.csv"
    f.write_text("".join(lines))
    with pytest.raises(InputError, match="missing column"):
        read_weather_file(f)


def test_impossible_values_are_named_with_their_column(tmp_path):
    lines = _lines()
    head = lines[1].split(",")
    i = head.index("Dry-bulb (C)")
    row = lines[2].split(",")
    row[i] = "99.0"
    lines[2] = ",".join(row)
    f = tmp_path / "hot.csv"
    f.write_text("".join(lines))
    with pytest.raises(InputError, match="column temp_air has 1 values outside"):
        read_weather_file(f)


def test_garbage_file_is_reported_as_unreadable(tmp_path):
    f = tmp_path / "junk.epw"
    f.write_text("this is not weather\n1,2,3\n")
    with pytest.raises(InputError, match="could not be read as EPW"):
        read_weather_file(f)


def test_unknown_id_suggests_the_bundled_one():
    with pytest.raises(InputError, match="closest: greensboro"):
        load_weather("greensborough")


def _run(*args):
    return subprocess.run([sys.executable, "-m", "scalewall", "site", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_bad_weather_is_one_sentence_and_exit_code_2(tmp_path):
    f = tmp_path / "junk.csv"
    f.write_text("garbage\n")
    p = _run("--load-mw", "10", "--weather", str(f), "--json")
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_cli_clear_sky_json_is_labelled_an_upper_bound_and_writes_dispatch(tmp_path):
    out = tmp_path / "dispatch.parquet"
    p = _run("--load-mw", "10", "--lat", "33.45", "--lon", "-112.07", "--techs", "solar,battery,gas",
             "--cfe", "0.3", "--dispatch-out", str(out), "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)  # stdout is exactly one JSON document (solver banner suppressed)
    assert any("UPPER BOUND" in n for n in res["notes"])
    assert res["cfe_share"] >= 0.3 - 1e-6
    import pandas as pd

    d = pd.read_parquet(out)
    assert len(d) == 8760 and {"solar", "gas", "battery_charge", "load"} <= set(d.columns)
