"""Serving validation: every ML.ENERGY v3 row (vLLM; Llama-3.1-8B and 70B on H100 and B200) is in
``scalewall validate`` as FIT or CHECK with its engine, and the fitted factors are the fit."""

from __future__ import annotations

import pytest

from scalewall import catalog
from scalewall.validate import serving
from scalewall.validate.rows import cases


def test_every_mlenergy_row_is_listed_with_engine_and_role():
    blk = cases("serving_mlenergy")["mlenergy_v3"]
    rows = serving.mlenergy_rows()
    assert len(blk["cases"]) == 42  # every Llama-3.1-8B/70B row on H100 and B200
    assert len(rows) == 2 * len(blk["cases"])
    assert all(r.case.startswith("vllm ") and r.role in {"fit", "check"} for r in rows)
    assert sum(r.role == "check" for r in rows) > sum(r.role == "fit" for r in rows)


def test_serving_and_power_factors_in_catalogue_are_the_fit_on_mlenergy():
    from scalewall.validate.calibrate import fit_serving

    fitted = fit_serving()
    for key, value in fitted.items():
        if key == "lm-arena-chat input tokens":
            shipped = cases("serving_mlenergy")["mlenergy_v3"]["fitted_input_tokens"]
        else:
            shipped = catalog.Calibration.from_catalog().get(key)
        assert shipped == pytest.approx(value, rel=0.02), key
