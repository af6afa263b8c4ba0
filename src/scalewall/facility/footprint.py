"""Carbon, water and cost of a job from its energy at the boundaries: the one accounting path.

``train``, ``infer`` and the planner's cost objective (:mod:`scalewall.facility.job`) all use these
functions; :func:`job_footprint` bundles them for a job whose energy at the accelerator, node and
facility boundaries, device-hours and :class:`~scalewall.facility.site.Site` are known.

All functions but :func:`job_footprint` are vectorised: scalars or NumPy arrays of equal shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from scalewall import catalog
from scalewall.catalog import assumption
from scalewall.catalog.schema import Accelerator, Source
from scalewall.facility.site import Site
from scalewall.units import HOURS_PER_YEAR, KG_PER_T, W_PER_MW

__all__ = [
    "energy_mwh",
    "operational_co2e_t",
    "embodied_co2e_t",
    "water_m3",
    "cluster_cost_multiplier",
    "hardware_cost_usd",
    "energy_cost_usd",
    "owner_cost_usd",
    "rental_cost_usd",
    "Footprint",
    "job_footprint",
]

#: catalogue entry of the cluster cost multiplier (trends.yaml): the outlook samples its range,
#: the job accounting uses its central value
CLUSTER_COST_MULTIPLIER = "cluster-cost-multiplier"


def energy_mwh(power_w, device_hours):
    """Energy of ``device_hours`` at ``power_w`` per device [MWh]: E = P · t."""
    return np.asarray(power_w, dtype=float) * np.asarray(device_hours, dtype=float) / W_PER_MW


def operational_co2e_t(facility_energy_mwh, grid_gco2_kwh):
    """Operational carbon of the electricity drawn at the facility boundary [tCO2e].

    Notes
    -----
    ``E_facility · I_grid`` (location-based): MWh · gCO2e/kWh = kgCO2e, divided by 1,000 kg/t.
    """
    return np.asarray(facility_energy_mwh, dtype=float) * np.asarray(grid_gco2_kwh) / KG_PER_T


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
    return per_device_kg * np.asarray(device_hours, dtype=float) / (life_h * util) / KG_PER_T


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


@cache
def cluster_cost_multiplier() -> tuple[float, tuple[Source, ...], str]:
    """Cluster hardware cost per accelerator over the accelerator's price [-], its sources and note.

    The catalogue's one entry for it is the outlook driver ``cluster-cost-multiplier``
    (``trends.yaml``: low 1.4, central 1.6, high 1.9, from Cottier et al. 2024's split of
    hardware cost into accelerators, servers and interconnect); the outlook samples the range,
    a job's cost uses the central value.
    """
    t = catalog.get("trends", CLUSTER_COST_MULTIPLIER)
    return float(t.central), tuple(t.source), t.note or ""


def hardware_cost_usd(acc: Accelerator, device_hours):
    """Owner's hardware cost of the job: the cluster's price depreciated over its busy life [USD].

    Returns NaN when the catalogue has no price for the accelerator.

    Notes
    -----
    ``price · k_cluster · device_hours / (life_h · utilisation)`` with ``k_cluster`` the cluster
    cost multiplier (servers, network; :func:`cluster_cost_multiplier`), ``life_h`` from
    ``hardware-depreciation-years`` and the busy share ``embodied-utilisation``.

    References
    ----------
    B. Cottier, R. Rahman, L. Fattorini, N. Maslej, D. Owen, "The rising costs of training
    frontier AI models", arXiv:2405.21015, 2024 (amortised hardware CapEx of a run).
    """
    if acc.price_usd is None:
        return np.full_like(np.asarray(device_hours, dtype=float), np.nan)
    life_h = assumption("hardware-depreciation-years") * HOURS_PER_YEAR
    util = assumption("embodied-utilisation")
    k = cluster_cost_multiplier()[0]
    return acc.price_usd * k * np.asarray(device_hours, dtype=float) / (life_h * util)


def energy_cost_usd(facility_energy_mwh, electricity_usd_mwh):
    """Cost of the electricity drawn at the facility boundary [USD]: E · price."""
    return np.asarray(facility_energy_mwh, dtype=float) * np.asarray(electricity_usd_mwh)


def owner_cost_usd(
    acc: Accelerator, device_hours, facility_energy_mwh, electricity_usd_mwh, unpriced_hardware=np.nan
):
    """Owner's cost of a job: hardware depreciation plus facility energy [USD].

    Parameters
    ----------
    acc : the accelerator (``price_usd``)
    device_hours : accelerator-hours of the job [device·h]
    facility_energy_mwh : energy at the facility boundary [MWh]
    electricity_usd_mwh : electricity price [USD/MWh]
    unpriced_hardware : hardware cost to count when the accelerator has no price [USD]; NaN
        (the default) makes the total NaN, 0 counts energy only (the planner's objective)
    """
    hw = hardware_cost_usd(acc, device_hours)
    hw = np.where(np.isnan(hw), unpriced_hardware, hw)
    return hw + energy_cost_usd(facility_energy_mwh, electricity_usd_mwh)


def rental_cost_usd(acc: Accelerator, device_hours) -> float | None:
    """Cost of renting the devices instead [USD], or None without a catalogue hourly price."""
    return acc.hourly_usd * device_hours if acc.hourly_usd else None


@dataclass(frozen=True)
class Footprint:
    """Carbon, water and cost of one job (units in the names)."""

    co2e_t: dict[str, float]  #: operational, embodied, total [tCO2e]
    water_m3: float  #: on-site and electricity water [m³]
    cost_usd: float | None  #: owner's cost, hardware + energy; None without a hardware price [USD]
    cost_breakdown_usd: dict[
        str, float | None
    ]  #: hardware_depreciation, energy, cloud_rental_alternative [USD]
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


def job_footprint(acc: Accelerator, energy: dict[str, float], device_hours: float, site: Site) -> Footprint:
    """Operational and embodied carbon, water, owner's cost and the rental alternative of a job.

    Parameters
    ----------
    acc : the accelerator (embodied carbon, price, hourly rental price)
    energy : energy at the ``node`` (the IT boundary) and ``facility`` boundaries [MWh]
    device_hours : accelerator-hours [device·h]
    site : grid carbon, water intensities and electricity price

    Notes
    -----
    Operational CO2e = E_facility · I_grid; embodied = :func:`embodied_co2e_t`;
    water = WUE · E_node + EWIF · E_facility; owner's cost = :func:`hardware_cost_usd` (with the
    cluster multiplier) + E_facility · price; rental = hourly price · device-hours.
    """
    op = float(operational_co2e_t(energy["facility"], site.grid_gco2_kwh))
    emb = float(embodied_co2e_t(acc, device_hours))
    water = float(water_m3(energy["node"], energy["facility"], site.wue_l_kwh, site.water_l_kwh_electricity))
    hw = float(hardware_cost_usd(acc, device_hours))
    energy_cost = float(energy_cost_usd(energy["facility"], site.electricity_usd_mwh))
    k, sources, _ = cluster_cost_multiplier()
    notes = []
    if acc.price_usd is not None:
        notes.append(
            f"hardware cost: {acc.id} price × {k:g} cluster cost multiplier for servers and network "
            f"(cluster-cost-multiplier: {sources[0].publisher} {sources[0].year}, {sources[0].where}), "
            f"depreciated over {assumption('hardware-depreciation-years'):g} years at "
            f"{assumption('embodied-utilisation'):g} busy"
        )
    return Footprint(
        co2e_t={"operational": op, "embodied": emb, "total": op + emb},
        water_m3=water,
        cost_usd=None if math.isnan(hw) else hw + energy_cost,
        cost_breakdown_usd={
            "hardware_depreciation": None if math.isnan(hw) else hw,
            "energy": energy_cost,
            "cloud_rental_alternative": rental_cost_usd(acc, device_hours),
        },
        notes=notes,
        sources=list(sources) if acc.price_usd is not None else [],
    )
