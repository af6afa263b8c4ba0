"""Power, energy and cost of one training step for many plans at once (the planner's hot path).

Takes the step metrics of :func:`scalewall.performance.training.step_metrics` (time and
utilisation) and adds what the facility owns: accelerator power from utilisation, node and
facility power, the step's energy at the facility boundary and its owner's cost.
"""

from __future__ import annotations

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator
from scalewall.facility.boundaries import facility, node
from scalewall.facility.footprint import owner_cost_usd
from scalewall.facility.power import accelerator_power_w
from scalewall.facility.site import Site
from scalewall.units import J_PER_MWH, SECONDS_PER_HOUR

__all__ = ["step_power_metrics"]


def step_power_metrics(
    acc: Accelerator,
    r: dict[str, np.ndarray],
    devices,
    site: Site,
    power_model: str = "modelled",
    cal: Calibration | None = None,
) -> dict[str, np.ndarray]:
    """Per-device power and per-step energy and cost of every plan (vectorised).

    Parameters
    ----------
    acc : the accelerator
    r : step metrics with ``step_time_s`` [s], ``flop_utilisation`` and ``hbm_utilisation`` [-]
    devices : devices of each plan [-]
    site : PUE and electricity price of the site
    power_model : ``modelled`` (from utilisation) or ``tdp``
    cal : the power model's factors (``None``: the catalogue's)

    Returns
    -------
    ``power_acc_w``, ``power_node_w``, ``power_facility_w`` per device [W]; ``energy_step_j`` at
    the facility boundary for the whole cluster [J]; ``cost_step_usd`` (hardware depreciation plus
    facility energy, :func:`scalewall.facility.footprint.owner_cost_usd`) [USD].
    """
    step = r["step_time_s"]
    n = np.asarray(devices, dtype=float)
    if power_model == "tdp":
        p_acc = np.full_like(step, acc.tdp_w)
    else:
        p_acc = accelerator_power_w(acc, r["flop_utilisation"], r["hbm_utilisation"], cal)
    out = {"power_acc_w": p_acc, "power_node_w": node(p_acc, host=acc.host_power_w)}
    out["power_facility_w"] = facility(out["power_node_w"], site.pue)
    out["energy_step_j"] = out["power_facility_w"] * n * step
    out["cost_step_usd"] = owner_cost_usd(
        acc,
        n * step / SECONDS_PER_HOUR,
        out["energy_step_j"] / J_PER_MWH,
        site.electricity_usd_mwh,
        unpriced_hardware=0.0,
    )
    return out
