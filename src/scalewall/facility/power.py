"""Accelerator power from the work it does: static power, kernel activity, FLOPs and bytes.

Notes
-----
First-order GPU power model (as in GPUWattch/AccelWattch-style analyses): dynamic energy is
proportional to the time the device runs kernels (clocks and SMs active), to the arithmetic and
to the memory traffic performed,

    P_acc = P_idle + (P_tdp - P_idle) · min(1, k_busy · b + k_flop · u_flop + k_hbm · u_hbm)

where ``b`` is the share of the time the device runs kernels, ``u_flop`` achieved FLOP/s over the
dense peak and ``u_hbm`` achieved HBM bytes/s over the peak bandwidth, all averaged over the time
considered; the cap at TDP is the power limit at which the device throttles its clocks. The three
``k`` are dimensionless and shared by all devices (each device's ``idle_w`` and ``tdp_w`` set its
scale); they are FITTED on ML.ENERGY's measured serving power (H100 and B200, memory-bound decode
to compute-heavy large batches) with ``k_flop`` bounded so that FLOPs alone reach TDP no sooner
than 40 % FLOP utilisation (training at 40-50 % MFU draws close to, not beyond, its limit), and
CHECKED on the ML.ENERGY rows the fit did not use and on Patterson et al. 2021's measured
training power (``calibration.yaml``). The node adds the host's draw per accelerator; the
facility multiplies by the PUE.

References
----------
Hong & Kim, "An Integrated GPU Power and Performance Model", ISCA 2010; Chung et al.,
"The ML.ENERGY Benchmark", NeurIPS 2025 D&B.
"""

from __future__ import annotations

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator

__all__ = ["accelerator_power_w", "BOUNDARIES"]

#: energy boundaries reported everywhere (accelerator ⊂ node ⊂ facility)
BOUNDARIES = ("accelerator", "node", "facility")


def accelerator_power_w(
    acc: Accelerator,
    flop_utilisation,
    hbm_utilisation,
    cal: Calibration | None = None,
    busy_fraction=None,
):
    """Average power of one accelerator [W].

    Parameters
    ----------
    acc : the accelerator (``tdp_w``, ``idle_w``) [W]
    flop_utilisation : achieved FLOP/s / dense peak of the precision used, time-averaged [-]
    hbm_utilisation : achieved HBM bytes/s / peak bandwidth, time-averaged [-]
    cal : gives ``k_busy`` (``power-per-busy-time``), ``k_flop`` (``power-per-flop-utilisation``)
        and ``k_hbm`` (``power-per-hbm-utilisation``) [-]; ``None`` uses the catalogue's
    busy_fraction : share of the time the device runs kernels [-]; ``None``: 1 wherever it does
        any work (a training step keeps kernels running throughout), 0 where it does none

    Notes
    -----
    ``P = P_idle + (P_tdp - P_idle)·min(1, k_busy·b + k_flop·u_flop + k_hbm·u_hbm)``; inputs
    outside [0, 1] are clipped, so the result lies between ``idle_w`` and ``tdp_w``.
    """
    uf = np.clip(np.asarray(flop_utilisation, dtype=float), 0.0, 1.0)
    ub = np.clip(np.asarray(hbm_utilisation, dtype=float), 0.0, 1.0)
    if busy_fraction is None:
        busy = np.where(uf + ub > 0.0, 1.0, 0.0)
    else:
        busy = np.clip(np.asarray(busy_fraction, dtype=float), 0.0, 1.0)
    cal = cal or Calibration.from_catalog()
    load = (
        cal.power_per_busy_time * busy
        + cal.power_per_flop_utilisation * uf
        + cal.power_per_hbm_utilisation * ub
    )
    return acc.idle_w + (acc.tdp_w - acc.idle_w) * np.minimum(1.0, load)
