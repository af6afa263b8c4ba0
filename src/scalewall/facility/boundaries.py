"""The chain of energy boundaries of a served query: accelerator → node → fleet → facility.

Notes
-----
``node = accelerator · (1 + host_ratio)`` adds the host CPUs and DRAM; provisioned but idle
machines (kept for peaks and failover) add ``idle_share`` of the IT energy, so
``IT = node / (1 - idle_share)``; the facility multiplies by the PUE. This is the structure of
Google's comprehensive per-prompt accounting (Elsworth et al. 2025, arXiv:2508.15734), where the
median Gemini text prompt takes 0.24 Wh: 58 % accelerators, 25 % host CPU and DRAM, 10 % idle
machines, 8 % data-centre overhead (PUE 1.09).
"""

from __future__ import annotations

__all__ = ["boundary_chain"]


def boundary_chain(accelerator_wh: float, *, host_ratio: float, idle_share: float, pue: float) -> dict:
    """Energy of one query at each boundary [Wh].

    Parameters
    ----------
    accelerator_wh : energy at the accelerators [Wh]
    host_ratio : host (CPU, DRAM) energy per accelerator energy [-]
    idle_share : share of IT energy drawn by provisioned-but-idle machines [-]
    pue : power usage effectiveness [-]
    """
    if accelerator_wh < 0 or host_ratio < 0 or not 0 <= idle_share < 1 or pue < 1:
        raise ValueError("boundary_chain needs accelerator_wh ≥ 0, host_ratio ≥ 0, 0 ≤ idle_share < 1, pue ≥ 1")
    node = accelerator_wh * (1.0 + host_ratio)
    it = node / (1.0 - idle_share)
    return {
        "accelerator": accelerator_wh,
        "node": node,
        "it_with_idle": it,
        "facility": node * pue,
        "facility_with_idle": it * pue,
    }
