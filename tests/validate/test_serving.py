"""Serving validation: every ML.ENERGY v3 row (vLLM; Llama-3.1-8B and 70B on H100 and B200) is in
``scalewall validate`` as FIT or CHECK with its engine, the fitted factors are the fit, and the
errors meet the issue's bar (median |error| ≤ 10 % for ITL and for accelerator J per token)."""

from __future__ import annotations

import numpy as np
import pytest

from scalewall import catalog
from scalewall.validate import serving
from scalewall.validate.rows import cases

ROWS = serving.mlenergy_rows()


def _errors(quantity, role=None):
    return np.abs([r.error for r in ROWS if r.quantity == quantity and role in (None, r.role)])


def test_every_mlenergy_row_is_listed_with_engine_and_role():
    blk = cases("serving_mlenergy")["mlenergy_v3"]
    assert len(blk["cases"]) == 42  # every Llama-3.1-8B/70B row on H100 and B200
    assert len(ROWS) == 3 * len(blk["cases"])
    assert all(r.case.startswith("vllm ") and r.role in {"fit", "check"} for r in ROWS)
    itl = [r for r in ROWS if r.quantity == "median ITL [ms]"]
    assert sum(r.role == "check" for r in itl) == 28 and sum(r.role == "fit" for r in itl) == 14


def test_itl_and_energy_per_token_median_error_within_10pct_on_mlenergy_v3():
    # the bar, on all 42 rows and on the 28 the fit did not use
    assert np.median(_errors("median ITL [ms]")) <= 0.10
    assert np.median(_errors("accelerator J per output token")) <= 0.10
    assert np.median(_errors("median ITL [ms]", "check")) <= 0.10
    assert np.median(_errors("accelerator J per output token", "check")) <= 0.10


def test_every_configuration_runs_and_running_batch_follows_measured_admission():
    # no row is refused, and the running batch is the cap wherever ML.ENERGY ran at its cap
    assert all(r.predicted >= 1 for r in ROWS if r.quantity == "running batch [-]")
    assert np.median(_errors("running batch [-]")) <= 0.01


def test_serving_and_power_factors_in_catalogue_are_the_fit_on_mlenergy():
    from scalewall.validate.calibrate import fit_serving

    fitted = fit_serving()
    vllm = catalog.engine("vllm")
    for key, value in fitted.items():
        if key == "lm-arena-chat input tokens":
            shipped = cases("serving_mlenergy")["mlenergy_v3"]["fitted_input_tokens"]
        elif "/" in key:
            _, acc, factor = key.split("/")
            shipped = getattr(vllm.accelerators[acc], factor)
        else:
            shipped = catalog.Calibration.from_catalog().get(key)
        assert shipped == pytest.approx(value, rel=0.02, abs=1e-7), key


def test_trtllm_published_throughput_checks_within_10pct_median():
    # TensorRT-LLM Performance Overview (v1.0), FP8: the 405B TP8 H100 column and every H200 cell
    rows = serving.trtllm_rows()
    assert len(rows) == 60 and all(r.case.startswith("trtllm ") for r in rows)
    checks = np.abs([r.error for r in rows if r.role == "check"])
    assert len(checks) == 40 and np.median(checks) <= 0.10


def test_trtllm_factors_in_catalogue_are_the_fit_on_its_table():
    from scalewall.validate.calibrate import fit_trtllm

    trt = catalog.engine("trtllm")
    for key, value in fit_trtllm().items():
        _, acc, factor = key.split("/")
        assert getattr(trt.accelerators[acc], factor) == pytest.approx(value, rel=0.02, abs=1e-7), key


def test_sglang_factors_are_the_fit_on_its_8b_a100_rows_and_checked_on_70b_h100():
    from scalewall.validate.calibrate import fit_sglang

    sgl = catalog.engine("sglang")
    for key, value in fit_sglang().items():
        _, acc, factor = key.split("/")
        assert getattr(sgl.accelerators[acc], factor) == pytest.approx(value, rel=0.02, abs=1e-7), key
        assert getattr(sgl.accelerators["h100-sxm"], factor) == getattr(sgl.accelerators[acc], factor)
    rows = serving.sglang_rows()
    assert [r.role for r in rows] == ["fit"] * 3 + ["check"] * 3
    # the online checks (median ITL of 70B TP4 on H100) hold within 20 %
    assert all(abs(r.error) <= 0.20 for r in rows if r.role == "check" and "ITL" in r.quantity)


def test_vllm_mi300x_factors_are_the_fit_and_its_check_batches_hold_within_20pct():
    from scalewall.validate.calibrate import fit_vllm_mi300x

    mi = catalog.engine("vllm").accelerators["mi300x"]
    for key, value in fit_vllm_mi300x().items():
        assert getattr(mi, key.split("/")[-1]) == pytest.approx(value, rel=0.02, abs=1e-7), key
    checks = [r for r in serving.mi300x_rows() if r.role == "check"]
    assert len(checks) == 4 and all(abs(r.error) <= 0.20 for r in checks)


def test_h100_training_node_power_matches_latif_2025_within_15pct():
    # Latif et al. 2025: an 8x H100 node peaked at ~8.4 kW training Llama-2-13B (of 10.2 kW)
    (r,) = serving.power_rows()
    assert r.role == "check" and abs(r.error) <= 0.15
