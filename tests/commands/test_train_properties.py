"""Physics invariants, property-tested with hypothesis."""

from __future__ import annotations

import pint
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.commands.train import TrainingRequest, estimate_training

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODELS = ["llama-2-7b", "llama-3.1-8b", "qwen3-8b", "mixtral-8x7b"]
ACCS = ["a100-80gb", "h100-sxm", "h200", "mi300x", "tpu-v5p"]


def _req(model, acc, dp, tokens, **kw):
    return TrainingRequest(
        model=catalog.model(model), accelerator=catalog.accelerator(acc), devices=8 * dp,
        tokens=tokens, tp=8, pp=1, dp=dp, cp=1, ep=1, global_batch=512, seq_len=4096, micro_batch=1, **kw)


@SETTINGS
@given(model=st.sampled_from(MODELS), acc=st.sampled_from(ACCS),
       tokens=st.floats(1e9, 1e13), k=st.floats(1.5, 20))
def test_energy_scales_linearly_with_duration(model, acc, tokens, k):
    a = estimate_training(_req(model, acc, 4, tokens))
    b = estimate_training(_req(model, acc, 4, tokens * k))
    for bnd in ("accelerator", "node", "facility"):
        assert b.energy_mwh[bnd] == pytest.approx(a.energy_mwh[bnd] * k, rel=1e-9)
    assert b.co2e_t["total"] == pytest.approx(a.co2e_t["total"] * k, rel=1e-9)


@SETTINGS
@given(model=st.sampled_from(MODELS), acc=st.sampled_from(ACCS), dp=st.sampled_from([2, 4, 8]))
def test_more_devices_never_use_less_energy_for_the_same_work(model, acc, dp):
    few = estimate_training(_req(model, acc, dp, 1e11))
    many = estimate_training(_req(model, acc, 2 * dp, 1e11))
    for bnd in ("accelerator", "node", "facility"):
        assert many.energy_mwh[bnd] >= few.energy_mwh[bnd] * (1 - 1e-9)


@SETTINGS
@given(model=st.sampled_from(MODELS), acc=st.sampled_from(ACCS), dp=st.sampled_from([2, 16]),
       pue=st.floats(1.0, 2.0), grid=st.floats(0, 1000))
def test_no_negative_outputs(model, acc, dp, pue, grid):
    r = estimate_training(_req(model, acc, dp, 1e11, pue=pue, grid_gco2_kwh=grid)).model_dump()

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                yield from walk(v)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            yield x

    assert all(v >= 0 for v in walk({k: v for k, v in r.items() if k != "plan"}))


@SETTINGS
@given(model=st.sampled_from(MODELS), acc=st.sampled_from(ACCS))
def test_results_are_stable_under_unit_conversion(model, acc):
    ureg = pint.UnitRegistry()
    r = estimate_training(_req(model, acc, 2, 5e10))
    # energy [MWh] = power [MW] x time [days], computed in joules by pint
    e_j = (r.avg_power_mw["facility"] * ureg.MW * r.wall_clock_days * ureg.day).to("J").magnitude
    assert (r.energy_mwh["facility"] * ureg.MWh).to("J").magnitude == pytest.approx(e_j, rel=1e-9)
    # device-hours = devices x wall clock
    assert r.device_hours == pytest.approx(r.devices * (r.wall_clock_days * ureg.day).to("h").magnitude)
    # operational CO2e [t] = energy [kWh] x grid [g/kWh] in tonnes
    grid = catalog.assumption("default-grid-gco2-kwh") * ureg("g/kWh")
    co2 = (r.energy_mwh["facility"] * ureg.MWh * grid).to("t").magnitude
    assert r.co2e_t["operational"] == pytest.approx(co2, rel=1e-9)
