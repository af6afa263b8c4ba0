"""Bad weather input gives one clear sentence naming the problem; the site CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import numpy as np
import pandas as pd
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


def _pvgis_json_from_greensboro(tmp_path, rows=None):
    """A PVGIS TMY JSON (the layout api/v5_2/tmy?outputformat=json returns) holding the bundled
    Greensboro TMY3 hours, stamped in UTC as PVGIS does."""
    w = load_weather("greensboro")
    # hour-ending local standard time (UTC-5) -> hour start in UTC, 00:00 on 1 January first
    d = w.data.set_axis(w.data.index.tz_convert("UTC") - pd.Timedelta("1h"))
    d.index = d.index.map(lambda t: t.replace(year=2019))  # the year's last 5 hours wrap to its start
    d = d.sort_index()
    hourly = [{"time(UTC)": t.strftime("%Y%m%d:%H%M"), "T2m": r.temp_air, "RH": r.relative_humidity,
               "G(h)": r.ghi, "Gb(n)": r.dni, "Gd(h)": r.dhi, "IR(h)": 300.0, "WS10m": r.wind_speed,
               "WD10m": 180.0, "SP": r.pressure}
              for t, r in zip(d.index, d.itertuples(), strict=True)]
    doc = {"inputs": {"location": {"latitude": w.latitude, "longitude": w.longitude, "elevation": 273.0},
                      "meteo_data": {"radiation_db": "test copy of the Greensboro TMY3"}},
           "outputs": {"months_selected": [{"month": m, "year": 2019} for m in range(1, 13)],
                       "tmy_hourly": hourly[:rows] if rows else hourly},
           "meta": {"inputs": {}, "outputs": {}}}
    f = tmp_path / "greensboro_pvgis.json"
    f.write_text(json.dumps(doc))
    return w, f


def test_pvgis_tmy_json_reads_like_the_tmy3_it_was_made_from(tmp_path):
    from scalewall import catalog
    from scalewall.supply.solar import pv_capacity_factor

    tmy3, f = _pvgis_json_from_greensboro(tmp_path)
    w = read_weather_file(f)
    assert len(w.data) == 8760
    assert (w.latitude, w.longitude) == (tmy3.latitude, tmy3.longitude)
    assert w.data["temp_air"].mean() == pytest.approx(tmy3.data["temp_air"].mean())
    assert w.data["wind_speed"].mean() == pytest.approx(tmy3.data["wind_speed"].mean())
    model = {k: float(v) for k, v in catalog.get("energy_sources", "solar").model.items()}
    cf_pvgis = pv_capacity_factor(w, **model).mean()
    cf_tmy3 = pv_capacity_factor(tmy3, **model).mean()
    assert cf_pvgis == pytest.approx(cf_tmy3, rel=1e-9)  # same sky, same plant, UTC vs local stamps
    # rolled back onto local standard time: every hour lines up with the TMY3 it came from
    np.testing.assert_allclose(w.data["ghi"].to_numpy(), tmy3.data["ghi"].to_numpy())


def test_pvgis_file_of_the_wrong_length_is_named(tmp_path):
    _, f = _pvgis_json_from_greensboro(tmp_path, rows=500)
    with pytest.raises(InputError, match="500 hourly rows"):
        read_weather_file(f)


@pytest.mark.parametrize("where, expect", [("missing/dir/d.csv", "does not exist"), (".", "is a folder")])
def test_dispatch_out_that_cannot_be_written_fails_before_the_solve(tmp_path, where, expect):
    import time

    from scalewall.commands import run
    from scalewall.errors import InputError

    t0 = time.perf_counter()
    with pytest.raises(InputError, match=expect):
        run("site", {"load_mw": 100, "weather": "greensboro", "dispatch_out": str(tmp_path / where)})
    assert time.perf_counter() - t0 < 5.0  # refused before the 8,760-hour LP
