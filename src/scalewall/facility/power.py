"""Accelerator power from the work it does: static power plus energy per FLOP and per byte.

Notes
-----
First-order GPU power model (as in GPUWattch/AccelWattch-style analyses): dynamic energy is
proportional to the arithmetic and to the memory traffic performed,

    P_acc = P_idle + (P_tdp - P_idle) · min(1, k_flop · u_flop + k_hbm · u_hbm)

where ``u_flop`` is achieved FLOP/s over the dense peak and ``u_hbm`` achieved HBM bytes/s over
the peak bandwidth, both averaged over the time considered; the cap at TDP is the power limit at
which the device throttles its clocks. ``k_flop`` and ``k_hbm`` are dimensionless and shared by
all devices (each device's ``idle_w`` and ``tdp_w`` set its scale); they are FITTED on
ML.ENERGY's measured H100 serving power and CHECKED on other rows and on Patterson et al. 2021's
measured training power (``calibration.yaml``). The node adds the host's draw per accelerator;
the facility multiplies by the PUE.

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


def accelerator_power_w(acc: Accelerator, flop_utilisation, hbm_utilisation, cal: Calibration | None = None):
    """Average power of one accelerator [W].

    Parameters
    ----------
    acc : the accelerator (``tdp_w``, ``idle_w``)
    flop_utilisation : achieved FLOP/s / dense peak of the precision used, time-averaged [-]
    hbm_utilisation : achieved HBM bytes/s / peak bandwidth, time-averaged [-]
    cal : gives ``k_flop`` (``power_per_flop_utilisation``) and ``k_hbm``
        (``power_per_hbm_utilisation``) [-]; ``None`` uses the catalogue's
    """
    uf = np.clip(np.asarray(flop_utilisation, dtype=float), 0.0, 1.0)
    ub = np.clip(np.asarray(hbm_utilisation, dtype=float), 0.0, 1.0)
    cal = cal or Calibration.from_catalog()
    load = cal.power_per_flop_utilisation * uf + cal.power_per_hbm_utilisation * ub
    return acc.idle_w + (acc.tdp_w - acc.idle_w) * np.minimum(1.0, load)
