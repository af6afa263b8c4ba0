"""Accelerator and node power as a function of what the device is doing, vectorised.

Notes
-----
Accelerator power is not its TDP: it follows the share of time the device spends in
compute-bound kernels, memory-bound kernels and communication/idle waits,

    P_acc = P_idle + (P_tdp - P_idle) · (φ_c·f_c + φ_m·f_m + φ_n·(1 - f_c - f_m))

with φ from ``calibration.yaml`` (fitted on ML.ENERGY's measured H100 power at low and high
batch, checked on Patterson et al. 2021's measured training power). The node adds the host's draw
per accelerator (CPUs, DRAM, NICs, fans); the facility multiplies by the PUE.
"""

from __future__ import annotations

import numpy as np

from scalewall.catalog import calibration
from scalewall.catalog.schema import Accelerator

__all__ = ["accelerator_power_w", "BOUNDARIES"]

#: energy boundaries reported everywhere (accelerator ⊂ node ⊂ facility)
BOUNDARIES = ("accelerator", "node", "facility")


def accelerator_power_w(acc: Accelerator, compute_share, memory_share):
    """Average power of one accelerator [W].

    Parameters
    ----------
    acc : the accelerator (``tdp_w``, ``idle_w``)
    compute_share : share of time in compute-bound kernels [-]
    memory_share : share of time in memory-bound kernels [-]
    """
    fc = np.clip(np.asarray(compute_share, dtype=float), 0.0, 1.0)
    fm = np.clip(np.asarray(memory_share, dtype=float), 0.0, 1.0 - fc)
    fn = 1.0 - fc - fm
    load = (
        calibration("power-fraction-compute-bound") * fc
        + calibration("power-fraction-memory-bound") * fm
        + calibration("power-fraction-communication") * fn
    )
    return acc.idle_w + (acc.tdp_w - acc.idle_w) * load
