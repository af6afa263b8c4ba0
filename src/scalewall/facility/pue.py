"""Hourly PUE of a data centre from outdoor dry-bulb / wet-bulb temperature, by cooling type.

Facility power = IT power x PUE(t). The overhead is a constant electrical-distribution share,
a constant fan/pump share, and mechanical (compressor) cooling that switches in as the outdoor
temperature that drives heat rejection rises above the economiser limit:

* ``air``: air-side economiser, chiller/DX backup; driven by dry-bulb.
* ``evaporative``: direct/indirect evaporative cooling; driven by wet-bulb.
* ``liquid``: warm-water direct-to-chip cooling with dry coolers; driven by dry-bulb, with a
  much higher supply temperature, so compressors are rarely needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalewall.errors import InputError

__all__ = ["CoolingParameters", "COOLING_PARAMETERS", "wet_bulb_c", "hourly_pue"]


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
    tw = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh)
          - np.arctan(rh - 1.676331) + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)
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
