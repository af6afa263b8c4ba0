"""Hourly grid figures (--grid-hourly): imports count their clean share toward CFE hour by hour.

Truth: a synthetic grid file whose clean hours are known exactly (clean from 10:00 to 15:59,
dirty otherwise), with gas and the grid as the only sources, so every carbon-free MWh of the
plan must be a grid import in a clean hour (Riepin & Brown 2024 accounting).
"""

from __future__ import annotations

import numpy as np
import pytest

from scalewall.commands import run
from scalewall.errors import InfeasiblePlanError, InputError
from scalewall.files import read_text
from scalewall.supply.grid_hours import parse_grid_hourly

HOURS = 8760
CLEAN = (np.arange(HOURS) % 24 >= 10) & (np.arange(HOURS) % 24 < 16)  # 6 of 24 hours: 25 %


def _write(tmp_path, clean_share=True, price=None, name="grid.csv"):
    cols = {"gco2_kwh": np.where(CLEAN, 20.0, 600.0)}
    if clean_share:
        cols["clean_share"] = CLEAN.astype(float)
    if price is not None:
        cols["price_usd_mwh"] = price
    lines = [",".join(cols)] + [",".join(f"{cols[c][i]:g}" for c in cols) for i in range(HOURS)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _site(path, cfe, techs="gas,grid"):
    return run("site", {"load_mw": 10, "weather": "greensboro", "techs": techs, "cfe": cfe, "solve": "full",
                        "grid_hourly": str(path), "include_dispatch": True})


def test_clean_grid_hours_count_toward_cfe_and_nothing_else_does(tmp_path):
    out = _site(_write(tmp_path), 0.2)
    grid = np.array(out["dispatch_mw"]["grid"])
    load = np.array(out["dispatch_mw"]["load"])
    clean_mwh = grid[CLEAN].sum()
    assert out["cfe_share"] == pytest.approx(clean_mwh / load.sum(), abs=1e-4)
    assert out["cfe_share"] >= 0.2 - 1e-5
    assert any("--grid-hourly" not in n and "grid.csv" in n for n in out["notes"])
    # on-site cooling water is in site water: default WUE [L/kWh] x IT energy [MWh] = m3
    from scalewall import catalog

    onsite = catalog.assumption("default-wue-l-kwh") * 10 * HOURS
    assert out["water_onsite_m3_per_year"] == pytest.approx(onsite, rel=1e-6)
    assert out["water_m3_per_year"] >= out["water_onsite_m3_per_year"]


def test_a_target_above_the_clean_hours_is_infeasible_and_without_the_file_any_target_is(tmp_path):
    with pytest.raises(InfeasiblePlanError):
        _site(_write(tmp_path), 0.3)  # clean hours hold ~25 % of the (PUE-weighted) load
    with pytest.raises(InfeasiblePlanError, match="carbon-free technology"):
        run("site", {"load_mw": 10, "weather": "greensboro", "techs": "gas,grid", "cfe": 0.2})
    with pytest.raises(InfeasiblePlanError, match="carbon-free technology"):
        _site(_write(tmp_path, clean_share=False), 0.2)  # no clean_share column: 0 % clean


def test_an_hourly_price_moves_imports_to_the_cheap_hours(tmp_path):
    price = np.where(np.arange(HOURS) % 24 < 6, 10.0, 300.0)  # cheap at night (dirty hours)
    flat = _site(_write(tmp_path, name="flat.csv"), 0.0)
    cheap = _site(_write(tmp_path, price=price, name="price.csv"), 0.0)
    night = np.arange(HOURS) % 24 < 6
    assert np.array(cheap["dispatch_mw"]["grid"])[night].sum() > 0.9 * np.array(cheap["dispatch_mw"]["load"])[night].sum()
    assert cheap["annual_cost_usd"] != flat["annual_cost_usd"]


def test_bad_grid_files_are_one_sentence_naming_the_column(tmp_path):
    p = tmp_path / "short.csv"
    p.write_text("gco2_kwh\n" + "300\n" * 100)
    with pytest.raises(InputError, match="100 rows, needs 8760"):
        parse_grid_hourly(read_text(p, "--grid-hourly"), p.name)
    p.write_text("gco2_kwh,clean_share\n" + "300,0.5\n" * 8759 + "300,1.5\n")
    with pytest.raises(InputError, match="clean_share .* row 8760"):
        parse_grid_hourly(read_text(p, "--grid-hourly"), p.name)
    p.write_text("carbon\n" + "300\n" * 8760)
    with pytest.raises(InputError, match="unknown column carbon"):
        parse_grid_hourly(read_text(p, "--grid-hourly"), p.name)
