"""Space-based solar power from geostationary orbit: hourly availability from eclipse geometry.

A GEO satellite is in sunlight except when it crosses the Earth's shadow, which happens only in
the two eclipse seasons around the equinoxes (sun declination within about ±8.7 deg), once a
day, centred on local midnight at the satellite's longitude, for up to ~72 minutes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["R_EARTH_KM", "R_GEO_KM", "geo_sunlit_fraction", "eclipse_minutes_per_day", "hourly_availability"]

R_EARTH_KM = 6378.137  #: WGS-84 equatorial radius [km]
R_GEO_KM = 42164.17  #: geostationary orbit radius (GM / omega_sidereal^2)^(1/3) [km]
R_SUN_KM = 695700.0  #: IAU 2015 Resolution B3 nominal solar radius [km]
AU_KM = 149597870.7  #: IAU 2012 astronomical unit [km]


def geo_sunlit_fraction(declination_deg, angle_from_midnight_deg):
    r"""Fraction of the solar disk a GEO satellite sees [-].

    Parameters
    ----------
    declination_deg : array
        Solar declination [deg].
    angle_from_midnight_deg : array
        Satellite's angle from the anti-sun meridian, i.e. 15 deg per hour of local solar
        time from midnight at its longitude [deg].

    Notes
    -----
    The angle :math:`\psi` between the satellite's position and the anti-sun direction is
    :math:`\cos\psi = \cos\delta\cos\theta`. Seen from the satellite the Earth's disk has angular
    radius :math:`\rho = \arcsin(R_E / r_{GEO}) = 8.70^\circ` and the Sun
    :math:`\alpha = \arcsin(R_\odot / 1\,\mathrm{AU}) = 0.27^\circ`; the satellite is in umbra
    for :math:`\psi \le \rho - \alpha`, fully lit for :math:`\psi \ge \rho + \alpha` (or on the
    day side, :math:`\cos\psi \le 0`), and the lit fraction is taken linear in
    :math:`\psi` across the penumbra (an approximation of the overlap area of two disks).
    At :math:`\delta = 0` the eclipse lasts :math:`2(\rho+\alpha)/360^\circ \times 24\,h = 72` min.

    References
    ----------
    Vallado, D. A. (2013). Fundamentals of Astrodynamics and Applications, 4th ed., sec. 5.3
    (satellite eclipse, conical shadow). Pritchard, W. L., Sciulli, J. A. (1986). Satellite
    Communication Systems Engineering, sec. 2.4 (GEO eclipse seasons).
    """
    d = np.radians(np.asarray(declination_deg, dtype=float))
    th = np.radians(np.asarray(angle_from_midnight_deg, dtype=float))
    cos_psi = np.cos(d) * np.cos(th)
    psi = np.arccos(np.clip(cos_psi, -1.0, 1.0))
    rho = np.arcsin(R_EARTH_KM / R_GEO_KM)
    alpha = np.arcsin(R_SUN_KM / AU_KM)
    lit = np.clip((psi - (rho - alpha)) / (2 * alpha), 0.0, 1.0)
    return np.where(cos_psi <= 0, 1.0, lit)


def eclipse_minutes_per_day(declination_deg, step_min: float = 0.25):
    """Minutes per day a GEO satellite is at least partly shadowed, for each declination [min]."""
    dec = np.atleast_1d(np.asarray(declination_deg, dtype=float))
    minutes = np.arange(-720.0, 720.0, step_min)
    lit = geo_sunlit_fraction(dec[:, None], minutes[None, :] * 0.25)
    return (lit < 1.0).sum(axis=1) * step_min


def hourly_availability(index: pd.DatetimeIndex, longitude_deg: float) -> np.ndarray:
    """Mean sunlit fraction of each hour for a GEO satellite above ``longitude_deg`` [-].

    Parameters
    ----------
    index : DatetimeIndex
        Hour-ending, timezone-aware timestamps (8,760 of a typical year).
    longitude_deg : float
        Satellite (and receiving site) longitude [deg east].

    Notes
    -----
    Each hour is sampled every minute; declination and the equation of time from Spencer (1971).
    The satellite is assumed parked on the site's meridian, so eclipses fall at local solar midnight.

    References
    ----------
    Spencer, J. W. (1971). Fourier series representation of the position of the sun. Search 2(5), 172.
    """
    from pvlib.solarposition import declination_spencer71, equation_of_time_spencer71

    utc = index.tz_convert("UTC")
    start = utc - pd.Timedelta("1h")
    minute = np.arange(60.0) + 0.5
    # minutes since 00:00 UTC on each day, for each sub-sample
    day_min = (start.hour.to_numpy() * 60.0 + start.minute.to_numpy())[:, None] + minute[None, :]
    doy = start.day_of_year.to_numpy()[:, None] + day_min / 1440.0
    dec = np.degrees(declination_spencer71(doy))
    eot = equation_of_time_spencer71(doy)  # [min]
    solar_min = day_min + 4.0 * longitude_deg + eot  # local apparent solar time [min]
    angle = (solar_min / 4.0) % 360.0  # deg from local midnight
    return geo_sunlit_fraction(dec, angle).mean(axis=1)
