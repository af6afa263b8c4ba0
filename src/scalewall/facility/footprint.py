"""Energy at three boundaries, operational and embodied carbon, water and cost of a job.

All functions are vectorised: scalars or NumPy arrays of equal shape.
"""

from __future__ import annotations

import numpy as np

from scalewall.catalog import assumption
from scalewall.catalog.schema import Accelerator

__all__ = ["energy_mwh", "embodied_co2e_t", "water_m3", "hardware_cost_usd"]

HOURS_PER_YEAR = 8760.0


def energy_mwh(power_w, device_hours):
    """Energy of ``device_hours`` at ``power_w`` per device [MWh]: E = P · t."""
    return np.asarray(power_w, dtype=float) * np.asarray(device_hours, dtype=float) / 1e6


def embodied_co2e_t(acc: Accelerator, device_hours):
    """Manufacturing carbon of the devices and their hosts, amortised over the job [tCO2e].

    Notes
    -----
    ``(device + host share) · device_hours / (lifetime_h · utilisation)``: the job is charged
    the share of the hardware's busy life it uses, as in Luccioni et al. 2022 (BLOOM, Sec. 4.1)
    and LLMCarbon (Faiz et al. 2024, Eq. 9).
    """
    life_h = assumption("embodied-lifetime-years") * HOURS_PER_YEAR
    util = assumption("embodied-utilisation")
    per_device_kg = acc.embodied.device_kgco2e + acc.embodied.host_kgco2e
    return per_device_kg * np.asarray(device_hours, dtype=float) / (life_h * util) / 1000.0


def water_m3(it_energy_mwh, facility_energy_mwh, wue_l_kwh, water_l_kwh_electricity):
    """Water consumed on site (cooling) and off site (generating the electricity) [m³].

    Notes
    -----
    ``WUE · E_IT + EWIF · E_facility`` (Li et al. 2023, "Making AI Less Thirsty", Eq. 1);
    1 MWh = 1000 kWh and 1 m³ = 1000 L, so L/kWh · MWh = m³.
    """
    return np.asarray(wue_l_kwh) * np.asarray(it_energy_mwh) + np.asarray(
        water_l_kwh_electricity
    ) * np.asarray(facility_energy_mwh)


def hardware_cost_usd(acc: Accelerator, device_hours):
    """Owner's hardware cost of the job: purchase price depreciated over busy life [USD].

    Returns NaN when the catalogue has no price for the accelerator.
    """
    if acc.price_usd is None:
        return np.full_like(np.asarray(device_hours, dtype=float), np.nan)
    life_h = assumption("hardware-depreciation-years") * HOURS_PER_YEAR
    util = assumption("embodied-utilisation")
    return acc.price_usd * np.asarray(device_hours, dtype=float) / (life_h * util)
