"""Accelerator power from utilisation: idle at no work, capped at TDP, rising with work."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalewall import catalog
from scalewall.facility.power import accelerator_power_w

H100 = catalog.accelerator("h100-sxm")
share = st.floats(0.0, 1.0)


def test_no_work_draws_idle_power_and_saturated_work_draws_tdp():
    assert float(accelerator_power_w(H100, 0.0, 0.0)) == pytest.approx(H100.idle_w)
    assert float(accelerator_power_w(H100, 1.0, 1.0)) == pytest.approx(H100.tdp_w)


def test_utilisation_outside_0_1_is_clipped_not_extrapolated():
    assert float(accelerator_power_w(H100, -0.5, -1.0)) == pytest.approx(H100.idle_w)
    assert float(accelerator_power_w(H100, 5.0, 0.0)) == pytest.approx(H100.tdp_w)


def test_arrays_give_the_same_answer_as_scalars():
    u = np.array([0.0, 0.1, 0.3, 0.9])
    arr = accelerator_power_w(H100, u, u / 2)
    assert np.allclose(arr, [float(accelerator_power_w(H100, x, x / 2)) for x in u])


@settings(max_examples=80, deadline=None)
@given(share, share, share, share)
def test_more_flops_or_bytes_never_draw_less_power(f1, b1, df, db):
    lo = float(accelerator_power_w(H100, f1, b1))
    hi = float(accelerator_power_w(H100, min(1.0, f1 + df), min(1.0, b1 + db)))
    assert H100.idle_w - 1e-9 <= lo <= hi + 1e-9 <= H100.tdp_w + 1e-9


def test_flops_alone_no_longer_reach_tdp_at_22pct_but_training_mfu_draws_near_it():
    # k_flop is bounded so FLOPs alone reach TDP no sooner than 40 % FLOP utilisation
    assert float(accelerator_power_w(H100, 0.22, 0.0, busy_fraction=0.0)) < 0.7 * H100.tdp_w
    # a training step at 45 % MFU (kernels running throughout) draws 600-700 W on an H100
    assert 600 <= float(accelerator_power_w(H100, 0.45, 0.2)) <= H100.tdp_w


def test_kernel_activity_draws_power_even_at_low_flop_and_byte_rates():
    idle_gaps = float(accelerator_power_w(H100, 0.05, 0.3, busy_fraction=0.5))
    busy = float(accelerator_power_w(H100, 0.05, 0.3, busy_fraction=1.0))
    assert H100.idle_w < idle_gaps < busy
