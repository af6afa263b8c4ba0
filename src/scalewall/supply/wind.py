"""Hourly output of a wind plant per MW, from 10 m weather-station wind (windpowerlib).

Wind speed is extrapolated from the measurement height to hub height with the logarithmic wind
profile (neutral stability) over a roughness length ``z0``; the power curve of a turbine from
windpowerlib's bundled library is applied with the IEC 61400-12 air-density correction; a flat
loss factor covers wakes, electrical losses and availability.
"""

from __future__ import annotations

import numpy as np

from scalewall.errors import InputError, closest_hint
from scalewall.supply.weather import Weather

__all__ = ["hub_height_wind_speed", "wind_capacity_factor"]


def hub_height_wind_speed(wind_speed, measured_height_m, hub_height_m, roughness_length_m):
    r"""Wind speed at hub height by the logarithmic law [m/s].

    Parameters
    ----------
    wind_speed : array
        Measured wind speed [m/s].
    measured_height_m, hub_height_m : float
        [m]
    roughness_length_m : float
        Surface roughness length z0 [m].

    Notes
    -----
    .. math:: v_{hub} = v_{ref} \frac{\ln(h_{hub}/z_0)}{\ln(h_{ref}/z_0)}

    References
    ----------
    windpowerlib.wind_speed.logarithmic_profile; Hau, E. (2013). Wind Turbines, 3rd ed.,
    Springer, sec. 13.2.
    """
    from windpowerlib.wind_speed import logarithmic_profile

    return np.asarray(
        logarithmic_profile(
            np.asarray(wind_speed, dtype=float), measured_height_m, hub_height_m, roughness_length_m
        ),
        dtype=float,
    )


def _power_curve(turbine_type: str):
    """Power curve of a turbine in windpowerlib's installed library: (speeds [m/s], power [W]).

    Read from windpowerlib's ``oedb/power_curves.csv`` directly (the same file ``WindTurbine``
    reads; its own reader uses a pandas call deprecated in pandas 3).
    """
    from importlib import resources

    import pandas as pd

    path = resources.files("windpowerlib").joinpath("oedb", "power_curves.csv")
    with resources.as_file(path) as f:
        curves = pd.read_csv(f, index_col=0)
    if turbine_type not in curves.index:
        raise InputError(
            f"turbine {turbine_type!r} has no power curve in windpowerlib's library"
            + closest_hint(turbine_type, curves.index)
        )
    row = curves.loc[turbine_type].dropna()
    speeds = np.array([float(s) for s in row.index])
    order = np.argsort(speeds)
    return speeds[order], row.to_numpy(dtype=float)[order]


def wind_capacity_factor(
    weather: Weather,
    turbine_type: str = "GE130/3200",
    hub_height_m: float = 103.0,
    roughness_length_m: float = 0.03,
    losses: float = 0.15,
    weather_height_m: float | None = None,
) -> np.ndarray:
    r"""Hourly output of one MW of wind capacity [MW/MW], 8,760 values in [0, 1].

    Parameters
    ----------
    weather : Weather
        Hourly wind_speed [m/s] at ``weather.wind_height_m``, temp_air [C], pressure [Pa].
    turbine_type : str
        windpowerlib turbine id with a power curve.
    hub_height_m : float
        [m]
    roughness_length_m : float
        z0 of the terrain around the weather station [m].
    losses : float
        Wake, electrical and availability losses [-].
    weather_height_m : float, optional
        Overrides ``weather.wind_height_m`` [m].

    Notes
    -----
    Air density at hub height from the ideal gas law with the barometric pressure and a
    -6.5 K/km temperature gradient (windpowerlib), then

    .. math:: v_{std} = v_{hub} (\rho / 1.225)^{1/3},\quad
              \mathrm{CF} = (1 - L)\,P(v_{std}) / P_{rated}

    References
    ----------
    Haas, S. et al. (2024). windpowerlib - a Python library to model wind power plants. Journal of
    Open Source Software 9(93), 5464. doi:10.21105/joss.05464
    IEC 61400-12-1:2017, density normalisation of the power curve.
    """
    from windpowerlib.density import ideal_gas
    from windpowerlib.power_output import power_curve
    from windpowerlib.temperature import linear_gradient

    if not weather.has_wind:
        raise InputError(
            "wind needs measured wind speeds: clear-sky (--lat/--lon) gives solar only; use --weather ID|FILE"
        )
    d = weather.data
    h_ref = weather_height_m or weather.wind_height_m
    v_hub = hub_height_wind_speed(d["wind_speed"].to_numpy(), h_ref, hub_height_m, roughness_length_m)
    t_hub_k = np.asarray(linear_gradient(d["temp_air"].to_numpy() + 273.15, 2.0, hub_height_m), dtype=float)
    rho = np.asarray(ideal_gas(d["pressure"].to_numpy(), 0.0, hub_height_m, t_hub_k), dtype=float)
    speeds, power_w = _power_curve(turbine_type)
    p = power_curve(v_hub, speeds, power_w, density=rho, density_correction=True)
    cf = np.asarray(p, dtype=float) / power_w.max() * (1.0 - losses)
    return np.clip(np.nan_to_num(cf), 0.0, 1.0)
