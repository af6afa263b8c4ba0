"""The chain of energy boundaries: accelerator → node → IT with idle machines → facility.

Every command goes from accelerator to facility through these functions (``train`` and the
planner per device, ``infer`` per instance and per fleet); they are linear, so they take power
[W] or energy [Wh, J, MWh] alike, scalars or arrays.

Notes
-----
``node = accelerator + host`` adds the host CPUs and DRAM (a host draw per accelerator, as the
catalogue gives it, or ``host_ratio · accelerator`` when only the ratio is known); provisioned but
idle machines (kept for peaks and failover) add ``idle`` directly, or ``idle_share`` of the IT
energy, so ``IT = node / (1 - idle_share)``; the facility multiplies by the PUE
(:mod:`scalewall.facility.pue`). This is the structure of Google's comprehensive per-prompt
accounting (Elsworth et al. 2025, arXiv:2508.15734), where the median Gemini text prompt takes
0.24 Wh: 58 % accelerators, 25 % host CPU and DRAM, 10 % idle machines, 8 % data-centre overhead
(PUE 1.09).

References
----------
C. Elsworth et al., "Measuring the environmental impact of delivering AI at Google Scale",
arXiv:2508.15734, 2025.
"""

from __future__ import annotations

import numpy as np

__all__ = ["node", "it_with_idle", "facility", "boundary_chain"]


def node(accelerator, *, host=None, host_ratio=None):
    """Energy (or power) at the node boundary: accelerators plus their host [input unit].

    Parameters
    ----------
    accelerator : energy or power at the accelerators [Wh, J, W …]
    host : host CPU and DRAM in the same unit (e.g. ``host_power_w`` per accelerator)
    host_ratio : host per accelerator energy [-], when ``host`` is not known

    Notes
    -----
    ``node = accelerator + host`` or ``node = accelerator · (1 + host_ratio)``.
    """
    if (host is None) == (host_ratio is None):
        raise ValueError("give exactly one of host and host_ratio")
    if host is not None:
        if np.any(np.asarray(host) < 0):
            raise ValueError("host must be ≥ 0")
        return accelerator + host
    if np.any(np.asarray(host_ratio) < 0):
        raise ValueError("host_ratio must be ≥ 0")
    return accelerator * (1.0 + host_ratio)


def it_with_idle(node_energy, *, idle=None, idle_share=None):
    """IT energy (or power) including provisioned but idle machines [input unit].

    Parameters
    ----------
    node_energy : energy or power of the busy nodes
    idle : what the idle machines draw, in the same unit
    idle_share : share of IT energy drawn by idle machines [-], when ``idle`` is not known

    Notes
    -----
    ``IT = node + idle`` or ``IT = node / (1 - idle_share)``.
    """
    if idle is not None:
        return node_energy + idle
    s = 0.0 if idle_share is None else idle_share
    if np.any(np.asarray(s) < 0) or np.any(np.asarray(s) >= 1):
        raise ValueError("idle_share must be in [0, 1)")
    return node_energy / (1.0 - s) if idle_share is not None else node_energy


def facility(it_energy, pue):
    """Energy (or power) at the facility boundary: IT times PUE [input unit]."""
    if np.any(np.asarray(pue) < 1):
        raise ValueError("pue must be ≥ 1")
    return it_energy * pue


def boundary_chain(
    accelerator_wh: float,
    *,
    host_ratio: float | None = None,
    host: float | None = None,
    idle_share: float | None = None,
    idle: float | None = None,
    pue: float,
) -> dict:
    """Energy at each boundary [input unit, e.g. Wh of one query].

    Parameters
    ----------
    accelerator_wh : energy at the accelerators [Wh] (or any unit of energy or power)
    host_ratio : host (CPU, DRAM) energy per accelerator energy [-]; or ``host`` in the unit
    idle_share : share of IT energy drawn by provisioned-but-idle machines [-]; or ``idle``
        in the unit; neither means no idle machines
    pue : power usage effectiveness [-]

    Returns
    -------
    dict with ``accelerator``, ``node``, ``it_with_idle``, ``facility`` (node · PUE) and
    ``facility_with_idle`` (IT · PUE).
    """
    if np.any(np.asarray(accelerator_wh) < 0):
        raise ValueError(
            "boundary_chain needs accelerator_wh ≥ 0, host_ratio ≥ 0, 0 ≤ idle_share < 1, pue ≥ 1"
        )
    try:
        n = node(accelerator_wh, host=host, host_ratio=host_ratio)
        it = it_with_idle(n, idle=idle, idle_share=idle_share)
        return {
            "accelerator": accelerator_wh,
            "node": n,
            "it_with_idle": it,
            "facility": facility(n, pue),
            "facility_with_idle": facility(it, pue),
        }
    except ValueError as exc:
        raise ValueError(
            f"boundary_chain needs accelerator_wh ≥ 0, host_ratio ≥ 0, 0 ≤ idle_share < 1, pue ≥ 1 ({exc})"
        ) from None
