"""Megatron-Bridge releases nothing was fitted on (26.02, 25.09): the step model at each
published plan (``validate/cases/training_releases.yaml``)."""

from __future__ import annotations

import numpy as np

from scalewall import catalog
from scalewall.validate.training import releases_rows


def test_every_release_row_is_a_check_at_the_modern_bar():
    rows = releases_rows()
    assert len(rows) == 44
    assert {r.role for r in rows} == {"check"}
    assert all(r.bar == "±25%" and r.predicted > 0 for r in rows)


def test_dense_runs_of_other_releases_hold_the_modern_bar():
    dense = [r for r in releases_rows() if catalog.model(_model_of(r.case)).moe is None]
    err = np.abs([r.error for r in dense])
    assert len(dense) == 21
    assert err.max() <= 0.25
    assert np.median(err) <= 0.10


def _model_of(case: str) -> str:
    from scalewall.validate.rows import cases

    (c,) = [c for c in cases("training_releases")["megatron_bridge_releases"]["cases"] if c["name"] == case]
    return c["model_id"]
