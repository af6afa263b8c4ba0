"""Power caps: a device held below its power limit lowers its clock, and so its speed.

A cap (``nvidia-smi -pl``, MLPerf Power "MaxQ" submissions, torchtitan's 500 W H100s) bounds the
accelerator's power; the device's power manager meets it by lowering the core clock and voltage.
This module says how far the clock falls for a given demand and cap, and gives the capped device
as an :class:`~scalewall.catalog.schema.Accelerator` whose peaks are scaled by that clock, so the
performance model evaluates the capped run unchanged.
"""

from __future__ import annotations

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator
from scalewall.errors import InputError
from scalewall.facility.power import accelerator_power_w

__all__ = ["DVFS_POWER_EXPONENT", "clock_ratio_under_cap", "capped_accelerator"]

#: exponent of dynamic power in the clock under voltage-frequency scaling [-]: P_dyn ∝ f·V² with
#: the supply voltage following the clock (V ∝ f) in the DVFS range gives P_dyn ∝ f³
DVFS_POWER_EXPONENT = 3.0


def clock_ratio_under_cap(demand_w, idle_w, cap_w):
    """Clock of a capped device over its uncapped clock, ``f / f_max`` [-].

    Parameters
    ----------
    demand_w : power the device would draw uncapped at this workload [W]
    idle_w : static (idle) power, which the clock does not change [W]
    cap_w : the power cap [W]

    Returns
    -------
    ratio in (0, 1]: 1 where the demand is at or below the cap.

    Notes
    -----
    ``P(f) = P_idle + (P_demand - P_idle)·(f/f_max)³`` (dynamic CMOS power ``C·V²·f`` with
    ``V ∝ f``); the cap is met at ``f/f_max = ((P_cap - P_idle)/(P_demand - P_idle))^(1/3)``.
    The memory clock is not scaled (HBM bandwidth is kept).

    References
    ----------
    Mei, X., Wang, Q., Chu, X. (2017). A survey and measurement study of GPU DVFS on energy
    conservation. Digital Communications and Networks 3(2), 89-100.
    doi:10.1016/j.dcan.2016.10.001 (Sec. 2: dynamic power ∝ V²·f, voltage scaled with frequency).
    """
    demand, idle, cap = (np.asarray(x, dtype=float) for x in (demand_w, idle_w, cap_w))
    dyn = np.maximum(demand - idle, 1e-9)
    ratio = ((cap - idle) / dyn) ** (1.0 / DVFS_POWER_EXPONENT)
    return np.where(demand <= cap, 1.0, np.clip(ratio, 0.0, 1.0))


def capped_accelerator(
    acc: Accelerator,
    cap_w: float,
    flop_utilisation: float,
    hbm_utilisation: float,
    cal: Calibration | None = None,
) -> tuple[Accelerator, float]:
    """The accelerator as it runs under a power cap, and its clock ratio ``f / f_max`` [-].

    Parameters
    ----------
    acc : the uncapped accelerator
    cap_w : the power cap per device [W]
    flop_utilisation, hbm_utilisation : the workload's utilisations uncapped [-]
    cal : the power model's factors (``None``: the catalogue's)

    Returns
    -------
    (capped accelerator, clock ratio): the capped device's every dense peak is scaled by the
    clock ratio, and its power range ``tdp_w - idle_w`` by the ratio cubed, so the power model
    gives the cap at the same utilisations.

    Raises
    ------
    InputError
        If the cap is at or below the device's idle power (no clock meets it).
    """
    if not cap_w > acc.idle_w:
        raise InputError(
            f"power cap {cap_w:g} W is at or below {acc.id}'s idle power {acc.idle_w:g} W; "
            f"give a cap between {acc.idle_w:g} and {acc.tdp_w:g} W"
        )
    demand = float(accelerator_power_w(acc, flop_utilisation, hbm_utilisation, cal))
    ratio = float(clock_ratio_under_cap(demand, acc.idle_w, cap_w))
    if ratio >= 1.0:
        return acc, 1.0
    capped = acc.model_copy(
        update={
            "peak_tflops": {k: v * ratio for k, v in acc.peak_tflops.items()},
            "tdp_w": acc.idle_w + (acc.tdp_w - acc.idle_w) * ratio**DVFS_POWER_EXPONENT,
        }
    )
    return capped, ratio
