"""Hourly AC output of a single-axis-tracking PV plant per MW_AC, from weather (pvlib).

The chain is pvlib's: solar position -> tracker angles (with backtracking) -> plane-of-array
irradiance (Hay-Davies transposition) -> cell temperature (SAPM) -> PVWatts DC power with its
temperature coefficient -> PVWatts system losses -> PVWatts inverter clipping at the AC rating.
"""

from __future__ import annotations

import numpy as np

from scalewall.supply.weather import Weather

__all__ = ["pv_capacity_factor"]


def pv_capacity_factor(
    weather: Weather,
    dc_ac_ratio: float = 1.34,
    gcr: float = 0.4,
    max_angle_deg: float = 45.0,
    gamma_pdc_per_c: float = -0.0035,
    system_losses: float = 0.14,
    inverter_efficiency: float = 0.96,
    albedo: float = 0.2,
) -> np.ndarray:
    r"""Hourly AC output of one MW_AC of tracking PV [MW/MW_AC], 8,760 values in [0, 1].

    Parameters
    ----------
    weather : Weather
        Hourly ghi, dni, dhi [W/m2], temp_air [C], wind_speed [m/s].
    dc_ac_ratio : float
        Inverter loading ratio, DC nameplate / AC rating [-].
    gcr : float
        Ground coverage ratio of the tracker rows [-].
    max_angle_deg : float
        Tracker rotation limit [deg].
    gamma_pdc_per_c : float
        Temperature coefficient of DC power [1/C].
    system_losses : float
        DC losses: soiling, shading, mismatch, wiring, availability (PVWatts default 14 %) [-].
    inverter_efficiency : float
        Nominal inverter efficiency [-].
    albedo : float
        Ground reflectance [-].

    Notes
    -----
    Irradiance is evaluated at the middle of each hour (TMY values are hour-ending averages).

    .. math::

        P_{dc} = \mathrm{ILR}\,\frac{G_{poa}}{1000}\,[1 + \gamma (T_{cell} - 25)]\,(1 - L)

        P_{ac} = \min(\mathrm{pvwatts\_inverter}(P_{dc}),\ 1)

    References
    ----------
    Dobos, A. P. (2014). PVWatts Version 5 Manual, NREL/TP-6A20-62641.
    Marion, W., Dobos, A. (2013). Rotation Angle for the Optimum Tracking of One-Axis Trackers,
    NREL/TP-6A20-58891.
    King, D. L. et al. (2004). Photovoltaic Array Performance Model, SAND2004-3535 (cell temperature).
    """
    import pandas as pd
    import pvlib

    d = weather.data
    mid = d.index - pd.Timedelta("30min")
    sp = pvlib.solarposition.get_solarposition(
        mid,
        weather.latitude,
        weather.longitude,
        altitude=weather.altitude_m,
        pressure=d["pressure"].to_numpy(),
        temperature=d["temp_air"].to_numpy(),
    )
    trk = pvlib.tracking.singleaxis(
        sp["apparent_zenith"],
        sp["azimuth"],
        axis_tilt=0,
        axis_azimuth=180,
        max_angle=max_angle_deg,
        backtrack=True,
        gcr=gcr,
    )
    tilt = trk["surface_tilt"].fillna(0.0)
    azim = trk["surface_azimuth"].fillna(180.0)
    dni_extra = pd.Series(pvlib.irradiance.get_extra_radiation(mid.day_of_year.to_numpy()), index=mid)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt,
        azim,
        sp["apparent_zenith"],
        sp["azimuth"],
        d["dni"].to_numpy(),
        d["ghi"].to_numpy(),
        d["dhi"].to_numpy(),
        dni_extra=dni_extra.to_numpy(),
        albedo=albedo,
        model="haydavies",
    )
    g_poa = poa["poa_global"].fillna(0.0).clip(lower=0.0).to_numpy()
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]
    wind = d["wind_speed"].fillna(0.0).to_numpy()
    t_cell = pvlib.temperature.sapm_cell(g_poa, d["temp_air"].to_numpy(), wind, **params)
    p_dc = pvlib.pvsystem.pvwatts_dc(g_poa, t_cell, dc_ac_ratio, gamma_pdc_per_c)
    p_dc = np.asarray(p_dc, dtype=float) * (1.0 - system_losses)
    p_ac = pvlib.inverter.pvwatts(p_dc, 1.0 / inverter_efficiency, inverter_efficiency)
    return np.clip(np.nan_to_num(np.asarray(p_ac, dtype=float)), 0.0, 1.0)
