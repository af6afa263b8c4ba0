"""The accelerator → node → idle → facility chain, checked on Google's per-prompt accounting.

Elsworth et al. 2025 (arXiv:2508.15734): the median Gemini text prompt takes 0.24 Wh, of which
58 % accelerators, 25 % host CPU and DRAM, 10 % idle machines and 8 % data-centre overhead (PUE
1.09). Given the accelerators' share, the chain must rebuild the others.
"""

from __future__ import annotations

import pytest

from scalewall.facility.boundaries import boundary_chain, facility, it_with_idle, node


def test_boundary_chain_from_google_components():
    c = boundary_chain(0.10, host_ratio=0.25 / 0.58, idle_share=0.10 / 0.92, pue=1.09)
    assert c["node"] == pytest.approx(0.1431, abs=1e-3)
    assert c["accelerator"] < c["node"] < c["it_with_idle"] < c["facility_with_idle"]


def test_google_median_prompt_total_is_rebuilt_from_its_accelerator_share():
    acc_wh = 0.24 * 0.58
    c = boundary_chain(acc_wh, host_ratio=0.25 / 0.58, idle_share=0.10 / (0.58 + 0.25 + 0.10), pue=1.09)
    assert c["facility_with_idle"] == pytest.approx(0.24, rel=0.03)


def test_the_steps_compose_to_the_chain():
    n = node(100.0, host=40.0)
    assert n == 140.0
    assert it_with_idle(n, idle_share=0.3) == pytest.approx(200.0)
    assert facility(200.0, 1.1) == pytest.approx(220.0)
    assert boundary_chain(100.0, host=40.0, idle_share=0.3, pue=1.1)["facility_with_idle"] == pytest.approx(220.0)
