"""facility/footprint.py and facility/boundaries.py: one carbon, water and cost path for train,
infer and the planner; the cluster cost multiplier in train's hardware cost."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall import commands as api
from scalewall.facility.boundaries import boundary_chain
from scalewall.facility.footprint import (
    cluster_cost_multiplier,
    energy_mwh,
    hardware_cost_usd,
    job_footprint,
    owner_cost_usd,
)
from scalewall.facility.site import resolve_site
from scalewall.units import HOURS_PER_YEAR

power = st.floats(0.0, 5e4, allow_nan=False)
hours = st.floats(0.0, 1e8, allow_nan=False)
pue = st.floats(1.0, 3.0)


# ---- the cluster multiplier ------------------------------------------------------------------

def test_cluster_multiplier_is_the_outlooks_catalogue_entry_and_sourced():
    from scalewall.outlook.drivers import driver_table

    k, sources, note = cluster_cost_multiplier()
    assert k == 1.6 == driver_table()["cluster-cost-multiplier"].central
    assert any("Cottier" in s.publisher for s in sources) and note


def test_train_hardware_cost_includes_servers_and_network(h100):
    r = api.run("train", {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024})
    life_h = catalog.assumption("hardware-depreciation-years") * HOURS_PER_YEAR
    want = h100.price_usd * 1.6 * r["device_hours"] / (life_h * catalog.assumption("embodied-utilisation"))
    assert r["cost_breakdown_usd"]["hardware_depreciation"] == pytest.approx(want, rel=1e-12)
    assert r["cost_usd"] == pytest.approx(want + r["cost_breakdown_usd"]["energy"], rel=1e-12)
    note = [a for a in r["assumptions"] if "cluster cost multiplier" in a]
    assert note and "1.6" in note[0] and "Cottier" in note[0]
    assert any("Cottier" in s["publisher"] for s in r["sources"])


def test_planner_cost_objective_uses_the_same_cost_function(h100):
    from scalewall.facility.job import step_power_metrics

    site = resolve_site(None, None, None)
    r = {"step_time_s": np.array([10.0]), "flop_utilisation": np.array([0.4]),
         "hbm_utilisation": np.array([0.2])}
    m = step_power_metrics(h100, r, np.array([64]), site)
    want = owner_cost_usd(h100, 64 * 10.0 / 3600.0, m["energy_step_j"] / 3.6e9, site.electricity_usd_mwh)
    assert m["cost_step_usd"][0] == pytest.approx(float(want[0]), rel=1e-12)


def test_unpriced_accelerator_has_no_owners_cost_but_energy_cost():
    acc = catalog.accelerator("h100-sxm").model_copy(update={"price_usd": None})
    site = resolve_site(None, None, None)
    fp = job_footprint(acc, {"node": 1.0, "facility": 1.1}, 100.0, site)
    assert fp.cost_usd is None and fp.cost_breakdown_usd["hardware_depreciation"] is None
    assert fp.cost_breakdown_usd["energy"] == pytest.approx(1.1 * site.electricity_usd_mwh)
    assert float(owner_cost_usd(acc, 100.0, 1.1, 80.0, unpriced_hardware=0.0)) == pytest.approx(88.0)


# ---- infer through the same chain and accounting ---------------------------------------------

def test_infer_carbon_and_water_per_query_follow_the_facility_accounting():
    i = api.run("infer", {"model": "llama-3.1-8b", "accelerator": "h100-sxm", "devices": 1,
                          "region": "us-virginia", "queries_per_day": 1e6})
    reg = catalog.region("us-virginia")
    wh = i["energy_wh_per_query"]
    assert wh["facility"] == pytest.approx(wh["node"] * reg.pue, rel=1e-12)
    assert i["co2e_g_per_query"] == pytest.approx(wh["facility"] / 1000 * reg.grid_gco2_kwh, rel=1e-12)
    assert i["water_ml_per_query"] == pytest.approx(
        reg.wue_l_kwh * wh["node"] + reg.water_l_kwh_electricity * wh["facility"], rel=1e-12)
    f = i["fleet"]
    assert f["avg_power_mw"]["facility"] == pytest.approx(f["avg_power_mw"]["node"] * reg.pue, rel=1e-12)
    assert f["co2e_t_per_year"] == pytest.approx(
        f["energy_twh_per_year"]["facility"] * 1e6 * reg.grid_gco2_kwh / 1000, rel=1e-12)


def test_boundary_chain_adds_a_host_draw_or_a_host_ratio_alike():
    a = boundary_chain(100.0, host=50.0, pue=1.2)
    b = boundary_chain(100.0, host_ratio=0.5, pue=1.2)
    assert a == pytest.approx(b)
    assert boundary_chain(100.0, host=50.0, idle=30.0, pue=1.2)["facility_with_idle"] == pytest.approx(216.0)
    with pytest.raises(ValueError):
        boundary_chain(100.0, host=50.0, host_ratio=0.5, pue=1.2)
    with pytest.raises(ValueError):
        boundary_chain(100.0, host=50.0, pue=0.9)


# ---- properties ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(power, hours)
def test_energy_is_power_times_time(p, h):
    assert float(energy_mwh(p, h)) == pytest.approx(p * h / 1e6, rel=1e-12, abs=1e-300)


@settings(max_examples=60, deadline=None)
@given(power, power, st.floats(0.0, 0.9), pue)
def test_boundaries_never_shrink_outward(acc, host, idle, q):
    c = boundary_chain(acc, host=host, idle_share=idle, pue=q)
    assert 0 <= c["accelerator"] <= c["node"] <= c["it_with_idle"] <= c["facility_with_idle"]
    assert c["node"] <= c["facility"] <= c["facility_with_idle"]


@settings(max_examples=60, deadline=None)
@given(power, hours, st.integers(1, 10_000), st.integers(1, 10_000), pue)
def test_footprint_is_never_negative_and_more_devices_never_use_less(p, h, n1, n2, q):
    acc = catalog.accelerator("h100-sxm")
    site = resolve_site(None, q, None)
    out = []
    for n in sorted((n1, n2)):
        dh = n * h
        node = float(energy_mwh(p, dh))
        fp = job_footprint(acc, {"node": node, "facility": node * site.pue}, dh, site)
        assert min(fp.co2e_t.values()) >= 0 and fp.water_m3 >= 0 and fp.cost_usd >= 0
        assert fp.cost_breakdown_usd["hardware_depreciation"] == pytest.approx(float(hardware_cost_usd(acc, dh)))
        out.append((node, fp.co2e_t["total"], fp.water_m3, fp.cost_usd))
    assert all(b >= a for a, b in zip(out[0], out[1], strict=True))
