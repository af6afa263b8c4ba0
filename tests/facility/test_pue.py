"""facility/pue.py: the one PUE model (hourly climate, resolution order, outlook trend), and the
same PUE for the same region and cooling in train, infer, site and outlook."""

from __future__ import annotations

import numpy as np
import pytest

from scalewall import catalog
from scalewall import commands as api
from scalewall.errors import InputError
from scalewall.facility.pue import (
    COOLINGS,
    Climate,
    annual_pue,
    hourly_pue,
    pue_trajectory,
    resolve_pue,
    wet_bulb_c,
)
from scalewall.supply.weather import BUNDLED, load_weather

TRAIN = {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024}
INFER = {"model": "llama-3.1-8b", "accelerator": "h100-sxm", "devices": 1}


@pytest.fixture(scope="module")
def sites():
    return {k: load_weather(k) for k in BUNDLED}


def _train_pue(r: dict) -> float:
    return r["power_per_device_w"]["facility"] / r["power_per_device_w"]["node"]


def _infer_pue(r: dict) -> float:
    return r["power_w"]["facility"] / r["power_w"]["node"]


# ---- the hourly climate model (moved with the code from tests/test_supply_physics.py) ----------

def test_wet_bulb_matches_stull_2011_worked_example():
    # Stull (2011) JAMC 50:2267, text example: T = 20 C, RH = 50 % -> Tw = 13.7 C
    assert wet_bulb_c(20.0, 50.0) == pytest.approx(13.7, abs=0.1)


def test_hot_humid_site_has_higher_pue_and_liquid_cooling_the_lowest(sites):
    pue = {(k, c): hourly_pue(w.data.temp_air, w.data.relative_humidity, c).mean()
           for k, w in sites.items() for c in ("air", "evaporative", "liquid")}
    assert pue[("miami", "air")] > pue[("sand-point", "air")]
    for k in sites:
        assert pue[(k, "liquid")] < pue[(k, "air")]
        assert 1.03 < pue[(k, "liquid")] and pue[(k, "air")] < 1.2  # hyperscale range (Google 1.10)


# ---- annual PUE and the resolution order ------------------------------------------------------

def test_annual_pue_is_the_mean_for_a_flat_load_and_load_weighted_otherwise():
    pue = np.array([1.1, 1.3])
    assert annual_pue(pue) == pytest.approx(1.2)
    assert annual_pue(pue, np.array([5.0, 5.0])) == pytest.approx(1.2)
    assert annual_pue(pue, np.array([3.0, 1.0])) == pytest.approx((3 * 1.1 + 1.3) / 4)


def test_resolution_order_given_then_climate_then_region_then_default(sites):
    region = catalog.region("us-average")
    climate = Climate.of(sites["miami"])
    assert resolve_pue(1.5, region=region, climate=climate, cooling="air").value == 1.5
    c = resolve_pue(region=region, climate=climate, cooling="liquid")
    assert c.basis == "climate"
    assert c.value == pytest.approx(hourly_pue(climate.temp_air_c, climate.relative_humidity_pct,
                                               "liquid").mean())
    assert resolve_pue(region=region).value == region.pue and resolve_pue(region=region).basis == "region"
    assert resolve_pue().value == catalog.assumption("default-pue")
    # no cooling given: air, as in `site`
    assert resolve_pue(climate=climate).value == resolve_pue(climate=climate, cooling="air").value


def test_cooling_without_a_climate_is_one_clear_error():
    with pytest.raises(InputError, match="cooling needs a weather"):
        resolve_pue(region=catalog.region("us-average"), cooling="liquid")
    with pytest.raises(InputError, match="unknown cooling"):
        resolve_pue(climate=Climate(np.array([20.0]), np.array([50.0])), cooling="fog")


# ---- the same PUE across commands ------------------------------------------------------------

def test_region_gives_train_infer_and_plan_the_regions_pue():
    region = catalog.region("us-virginia")
    t = api.run("train", {**TRAIN, "region": region.id})
    i = api.run("infer", {**INFER, "region": region.id})
    assert _train_pue(t) == pytest.approx(region.pue, rel=1e-12)
    assert _infer_pue(i) == pytest.approx(region.pue, rel=1e-12)


@pytest.mark.parametrize("cooling", COOLINGS)
def test_same_weather_and_cooling_give_train_infer_and_facility_the_same_annual_pue(sites, cooling):
    want = resolve_pue(climate=Climate.of(sites["miami"]), cooling=cooling).value
    t = api.run("train", {**TRAIN, "region": "us-average", "weather": "miami", "cooling": cooling})
    i = api.run("infer", {**INFER, "weather": "miami", "cooling": cooling})
    assert _train_pue(t) == pytest.approx(want, rel=1e-12)
    assert _infer_pue(i) == pytest.approx(want, rel=1e-12)
    assert any("annual mean of the hourly" in a for a in t["assumptions"])


def test_site_gives_the_same_annual_pue_as_train_end_to_end():
    # the cheapest LP (two dispatchable sources); site rounds pue_annual to 4 decimals
    s = api.run("site", {"load_mw": 10, "weather": "greensboro", "cooling": "evaporative",
                         "techs": "gas,grid", "cfe": 0.0})
    t = api.run("train", {**TRAIN, "weather": "greensboro", "cooling": "evaporative"})
    assert s["pue_annual"] == pytest.approx(_train_pue(t), abs=5e-5)


def test_outlook_base_year_pue_is_the_default_pue_and_its_trend_is_floored():
    from scalewall.outlook.drivers import driver_table
    from scalewall.outlook.model import BASE_YEAR, evaluate

    table = driver_table()
    p = {k: np.array([d.central]) for k, d in table.items()}
    tr = evaluate(p, np.array([BASE_YEAR]))
    # facility FLOP/J = e0 · MFU / (it-overhead · PUE) in the base year (no hardware or precision gain)
    pue = (p["hardware-flop-per-j-2024"] * p["mfu"] / (p["it-overhead"] * tr.facility_flop_per_j[:, 0]))[0]
    assert pue == pytest.approx(resolve_pue().value, rel=1e-12)
    assert pue_trajectory(1.1, -0.01, 50.0) == catalog.assumption("pue-floor")
    assert pue_trajectory(1.1, -0.003, 10.0) == pytest.approx(1.07)
