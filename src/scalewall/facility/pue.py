"""PUE: the one model of facility power over IT power, for every command.

Facility power = IT power x PUE. :func:`resolve_pue` gives the PUE of a job in one order for
``train``, ``plan``, ``infer`` and ``site``: a PUE the user gives, else the annual PUE of an hourly
climate (a weather year) and a cooling type, else the catalogue region's published PUE, else the
sourced default (``assumptions.yaml`` ``default-pue``). ``site`` always has a climate, so the same
weather and cooling give ``train``, ``infer`` and ``site`` the same annual PUE. The outlook's PUE
path over the years is :func:`pue_trajectory` (a trend with a floor).

Hourly PUE from outdoor dry-bulb / wet-bulb temperature, by cooling type: the overhead is a
constant electrical-distribution share, a constant fan/pump share, and mechanical (compressor)
cooling that switches in as the outdoor temperature that drives heat rejection rises above the
economiser limit:

* ``air``: air-side economiser, chiller/DX backup; driven by dry-bulb.
* ``evaporative``: direct/indirect evaporative cooling; driven by wet-bulb.
* ``liquid``: warm-water direct-to-chip cooling with dry coolers; driven by dry-bulb, with a
  much higher supply temperature, so compressors are rarely needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scalewall.catalog import assumption
from scalewall.catalog.schema import Region, Source
from scalewall.errors import InputError

__all__ = [
    "CoolingParameters",
    "COOLING_PARAMETERS",
    "COOLINGS",
    "Climate",
    "PueEstimate",
    "wet_bulb_c",
    "hourly_pue",
    "annual_pue",
    "resolve_pue",
    "pue_trajectory",
]


@dataclass(frozen=True)
class CoolingParameters:
    """Parameters of one cooling type (units in the names)."""

    driver: str  #: "dry_bulb" or "wet_bulb"
    supply_c: float  #: air or water supply temperature to the IT equipment [C]
    approach_k: float  #: heat-exchanger approach to the outdoor driver temperature [K]
    ramp_k: float  #: driver range over which the economiser hands over to compressors [K]
    fan_pump_share: float  #: fans/pumps as a share of IT power [-]
    electrical_share: float  #: UPS, transformer and lighting losses as a share of IT power [-]
    carnot_fraction: float  #: compressor COP as a fraction of the Carnot COP [-]


#: Sources: supply temperatures are ASHRAE TC 9.9 limits (air: recommended inlet <= 27 C,
#: Thermal Guidelines for Data Processing Environments, 5th ed., 2021; liquid: facility water
#: class W32, <= 32 C, Liquid Cooling Guidelines for Datacom Equipment Centers, 2nd ed., 2014).
#: The shares, approaches, ramps and the Carnot fraction are ESTIMATES, chosen so that a cool
#: site gives annual PUE near published fleet figures: Google 2023 fleet 1.10 (2024 Environmental
#: Report), Meta evaporative fleet ~1.08-1.10 (Sustainability Report 2023), NREL ESIF warm-water
#: liquid cooling ~1.04 (NREL, ESIF data centre annual PUE). They are not fitted per site.
COOLING_PARAMETERS: dict[str, CoolingParameters] = {
    "air": CoolingParameters("dry_bulb", 27.0, 3.0, 6.0, 0.04, 0.04, 0.5),
    "evaporative": CoolingParameters("wet_bulb", 27.0, 4.0, 4.0, 0.03, 0.04, 0.5),
    "liquid": CoolingParameters("dry_bulb", 32.0, 5.0, 6.0, 0.015, 0.03, 0.5),
}
#: the cooling types, in display order
COOLINGS = tuple(COOLING_PARAMETERS)


def wet_bulb_c(temp_air_c, relative_humidity_pct):
    r"""Wet-bulb temperature from dry-bulb and relative humidity at sea-level pressure [C].

    Parameters
    ----------
    temp_air_c : array
        Dry-bulb temperature [C].
    relative_humidity_pct : array
        Relative humidity [%].

    Notes
    -----
    Stull (2011), eq. 1 (valid for RH 5-99 % and -20 to 50 C; error within about ±1 K):

    .. math:: T_w = T\arctan[0.151977(RH+8.313659)^{1/2}] + \arctan(T+RH)
              - \arctan(RH-1.676331) + 0.00391838 RH^{3/2}\arctan(0.023101 RH) - 4.686035

    References
    ----------
    Stull, R. (2011). Wet-Bulb Temperature from Relative Humidity and Air Temperature. Journal of
    Applied Meteorology and Climatology 50(11), 2267-2269. doi:10.1175/JAMC-D-11-0143.1
    """
    t = np.asarray(temp_air_c, dtype=float)
    rh = np.clip(np.asarray(relative_humidity_pct, dtype=float), 5.0, 99.0)
    tw = (
        t * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
        + np.arctan(t + rh)
        - np.arctan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh)
        - 4.686035
    )
    return np.minimum(tw, t)


def hourly_pue(temp_air_c, relative_humidity_pct, cooling: str = "air"):
    r"""PUE of each hour for a cooling type [-].

    Parameters
    ----------
    temp_air_c : array
        Outdoor dry-bulb temperature [C].
    relative_humidity_pct : array
        Relative humidity [%].
    cooling : {'air', 'evaporative', 'liquid'}

    Notes
    -----
    With :math:`T_d` the driver temperature (dry- or wet-bulb), economiser limit
    :math:`T_e = T_{supply} - \Delta T_{approach}`, mechanical share
    :math:`m = \mathrm{clip}((T_d - T_e)/\Delta T_{ramp}, 0, 1)` and compressor
    :math:`\mathrm{COP} = \eta_C\,(T_{supply} - 5 + 273.15) / \max(T_d + \Delta T_{approach} - T_{supply} + 5, 5)`,

    .. math:: \mathrm{PUE} = 1 + s_{elec} + s_{fan} + m / \mathrm{COP}
    """
    if cooling not in COOLING_PARAMETERS:
        raise InputError(f"unknown cooling {cooling!r}; allowed: {', '.join(COOLING_PARAMETERS)}")
    p = COOLING_PARAMETERS[cooling]
    t = np.asarray(temp_air_c, dtype=float)
    drive = wet_bulb_c(t, relative_humidity_pct) if p.driver == "wet_bulb" else t
    t_econ = p.supply_c - p.approach_k
    mech = np.clip((drive - t_econ) / p.ramp_k, 0.0, 1.0)
    t_evap_k = p.supply_c - 5.0 + 273.15
    lift_k = np.maximum(drive + p.approach_k - (p.supply_c - 5.0), 5.0)
    cop = p.carnot_fraction * t_evap_k / lift_k
    return 1.0 + p.electrical_share + p.fan_pump_share + mech / cop


def annual_pue(pue_hourly, it_load=None) -> float:
    r"""Annual PUE of hourly PUEs: facility energy over IT energy [-].

    Parameters
    ----------
    pue_hourly : array
        PUE of each hour [-].
    it_load : array, optional
        IT load of each hour [any power unit]; ``None`` is a flat load.

    Notes
    -----
    .. math:: \mathrm{PUE}_{year} = \sum_h P_{IT,h}\,\mathrm{PUE}_h \,/\, \sum_h P_{IT,h}

    which is the mean hourly PUE for a flat load (a training run) and the load-weighted mean for a
    varying one (a serving fleet's diurnal load), as The Green Grid defines annual PUE from
    metered energies.

    References
    ----------
    The Green Grid, "PUE: A Comprehensive Examination of the Metric", White Paper #49, 2012.
    """
    pue = np.asarray(pue_hourly, dtype=float)
    if it_load is None:
        return float(np.mean(pue))
    it = np.asarray(it_load, dtype=float)
    return float((it * pue).sum() / it.sum())


@dataclass(frozen=True)
class Climate:
    """An hourly weather year, reduced to what the PUE model needs (units in the names)."""

    temp_air_c: np.ndarray  #: outdoor dry-bulb temperature of each hour [C]
    relative_humidity_pct: np.ndarray  #: relative humidity of each hour [%]
    name: str = "weather"  #: the station or file, for notes

    @classmethod
    def of(cls, weather) -> Climate:
        """The climate of a :class:`scalewall.supply.weather.Weather` (its ``data`` table)."""
        return cls(
            weather.data["temp_air"].to_numpy(),
            weather.data["relative_humidity"].to_numpy(),
            getattr(weather, "name", "weather"),
        )

    def hourly_pue(self, cooling: str) -> np.ndarray:
        """PUE of each hour with ``cooling`` [-] (see :func:`hourly_pue`)."""
        return hourly_pue(self.temp_air_c, self.relative_humidity_pct, cooling)


@dataclass(frozen=True)
class PueEstimate:
    """A job's PUE and where it came from."""

    value: float  #: power usage effectiveness [-]
    basis: str  #: "given", "climate", "region" or "default"
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


def resolve_pue(
    pue: float | None = None,
    *,
    region: Region | None = None,
    climate: Climate | None = None,
    cooling: str | None = None,
) -> PueEstimate:
    """The PUE of a job, in one order for every command [-].

    Parameters
    ----------
    pue : float, optional
        A PUE the user gives [-]; wins over everything.
    region : Region, optional
        Catalogue region; its published typical PUE applies when no climate is given.
    climate : Climate, optional
        An hourly weather year; with ``cooling`` (default ``air``, as in ``site``) its annual
        PUE for a flat IT load applies (:func:`annual_pue` of :func:`hourly_pue`).
    cooling : {'air', 'evaporative', 'liquid'}, optional
        Cooling type; needs a climate (a region's PUE is a published average of whatever
        cooling its data centres use).

    Returns
    -------
    PueEstimate

    Notes
    -----
    Order: given > climate and cooling > region > ``default-pue``. A climate is more specific
    than a region's average, so it wins over the region's PUE (the region still sets grid
    carbon, water and price). ``site`` computes the same annual figure, weighted by its hourly IT
    load (:func:`annual_pue`), so a flat load gives ``site`` the same PUE as ``train``; a serving
    fleet's diurnal load (``site`` with an ``infer`` result) weights the warm daytime hours more,
    so its annual PUE is slightly above the flat-load figure ``infer`` reports.

    The outlook has no site: its base-year PUE is the driver ``pue-2024`` (central 1.10, the same
    Google fleet figure as ``default-pue``), carried forward by :func:`pue_trajectory`.
    """
    if cooling is not None and cooling not in COOLING_PARAMETERS:
        raise InputError(f"unknown cooling {cooling!r}; allowed: {', '.join(COOLING_PARAMETERS)}")
    if cooling is not None and climate is None and pue is None:
        raise InputError(
            "cooling needs a weather year (weather ID|FILE): the PUE of a cooling type "
            "is computed from the hourly climate (a region's PUE is a published average "
            "whatever the cooling); or give pue"
        )
    if pue is not None:
        return PueEstimate(float(pue), "given", [f"PUE {pue} given"])
    if climate is not None:
        kind = cooling or "air"
        value = annual_pue(climate.hourly_pue(kind))
        note = (
            f"PUE {value:.3f}: annual mean of the hourly {kind}-cooled PUE at {climate.name} "
            "(flat IT load; facility.pue.hourly_pue)"
        )
        return PueEstimate(value, "climate", [note])
    if region is not None:
        return PueEstimate(region.pue, "region", [], list(region.source))
    return PueEstimate(assumption("default-pue"), "default", [])


def pue_trajectory(pue_base, change_per_year, years_since_base):
    """PUE in later years: a linear trend, floored [-].

    Parameters
    ----------
    pue_base : array
        PUE in the base year [-].
    change_per_year : array
        Yearly change of PUE [1/yr] (negative: improvement).
    years_since_base : array
        Years after the base year [yr]; broadcast against the others.

    Notes
    -----
    PUE(t) = max(PUE_floor, PUE_0 + ΔPUE · t), PUE_floor = ``pue-floor`` (``assumptions.yaml``).

    References
    ----------
    LBNL, "2024 United States Data Center Energy Usage Report" (Shehabi et al.), 2024: PUE of new
    hyperscale builds versus the stock (``trends.yaml`` ``pue-change``).
    """
    return np.maximum(assumption("pue-floor"), pue_base + change_per_year * years_since_base)
