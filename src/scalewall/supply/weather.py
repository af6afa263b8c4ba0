"""Typical-year hourly weather: pvlib's bundled TMY files, a user's file, or clear-sky.

Every reader returns a :class:`Weather` with 8,760 hourly rows in local standard time and the
columns ``ghi, dni, dhi`` [W/m2], ``temp_air`` [C], ``relative_humidity`` [%], ``wind_speed``
[m/s at ``wind_height_m``] and ``pressure`` [Pa]. A file that cannot be read, has the wrong
length, misses a column or holds impossible values raises :class:`~scalewall.errors.InputError`
naming the problem.

Bundled ids (files shipped inside pvlib's ``data`` folder, checked in pvlib 0.16):
``greensboro`` (723170TYA.CSV, TMY3, Greensboro NC), ``sand-point`` (703165TY.csv, TMY3, Sand
Point AK) and ``miami`` (12839.tm2, TMY2, Miami FL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from scalewall.errors import InputError, closest_hint
from scalewall.files import MAX_WEATHER_BYTES, read_text
from scalewall.units import HOURS_PER_YEAR

__all__ = ["Weather", "BUNDLED", "load_weather", "read_weather_file", "clear_sky_weather"]

HOURS = int(HOURS_PER_YEAR)  #: hours of a typical meteorological year [h]

#: bundled id -> (file in pvlib/data, format, description)
BUNDLED: dict[str, tuple[str, str, str]] = {
    "greensboro": ("723170TYA.CSV", "tmy3", "Greensboro NC (TMY3, NSRDB 1991-2005)"),
    "sand-point": ("703165TY.csv", "tmy3", "Sand Point AK (TMY3, NSRDB 1991-2005)"),
    "miami": ("12839.tm2", "tmy2", "Miami FL (TMY2, NSRDB 1961-1990)"),
}

#: physical bounds of each column; values outside them mean a broken file
_BOUNDS = {
    "ghi": (0.0, 1500.0),
    "dni": (0.0, 1500.0),
    "dhi": (0.0, 1000.0),
    "temp_air": (-90.0, 65.0),
    "relative_humidity": (0.0, 110.0),
    "wind_speed": (0.0, 75.0),
    "pressure": (30000.0, 110000.0),
}
COLUMNS = tuple(_BOUNDS)


@dataclass(frozen=True)
class Weather:
    """One typical year of hourly weather at a site.

    Attributes
    ----------
    data : DataFrame
        8,760 rows, columns :data:`COLUMNS`; index = hour-ending timestamps in local standard time.
    latitude, longitude : float
        [deg]
    altitude_m : float
        [m]
    name : str
        Station or description.
    source : str
        Where the data came from (file and format, or ``clear-sky``).
    clear_sky : bool
        True when irradiance is modelled clear-sky (an upper bound; no wind).
    wind_height_m : float
        Height of ``wind_speed`` above ground [m] (10 m for TMY/EPW/PVGIS).
    notes : list of str
        Assumptions made while reading (filled values, conventions).
    """

    data: pd.DataFrame
    latitude: float
    longitude: float
    altitude_m: float
    name: str
    source: str
    clear_sky: bool = False
    wind_height_m: float = 10.0
    notes: list[str] = field(default_factory=list)

    @property
    def has_wind(self) -> bool:
        return not self.clear_sky and bool(np.isfinite(self.data["wind_speed"]).all())


def _standard_index(tz_hours: float) -> pd.DatetimeIndex:
    """Hour-ending timestamps of a non-leap year (2019) in fixed-offset local standard time."""
    tz = f"Etc/GMT{-int(tz_hours):+d}" if float(tz_hours).is_integer() else "UTC"
    return pd.date_range("2019-01-01 01:00", periods=HOURS, freq="h", tz=tz)


def _finish(df: pd.DataFrame, meta: dict, name: str, source: str, notes: list[str]) -> Weather:
    """Check length, columns and bounds; put the rows on the standard index."""
    if len(df) != HOURS:
        raise InputError(f"weather {source}: {len(df)} hourly rows, a typical-year file must have {HOURS}")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"weather {source}: missing column(s) {', '.join(missing)}")
    out = df[list(COLUMNS)].apply(pd.to_numeric, errors="coerce").astype(float)
    out = out.mask(out <= -999)  # TMY3/EPW 'missing' markers (-9900, -999)
    if out["pressure"].isna().all():
        from pvlib.atmosphere import alt2pres

        out["pressure"] = alt2pres(meta["altitude"])
        notes.append("pressure missing: standard atmosphere at the site altitude used")
    for col, (lo, hi) in _BOUNDS.items():
        bad = out[col].isna().sum()
        if bad:
            raise InputError(f"weather {source}: column {col} has {bad} missing or non-numeric values")
        outside = ((out[col] < lo) | (out[col] > hi)).sum()
        if outside:
            raise InputError(f"weather {source}: column {col} has {outside} values outside [{lo:g}, {hi:g}]")
    lat, lon = float(meta["latitude"]), float(meta["longitude"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"weather {source}: latitude/longitude {lat}, {lon} out of range")
    tz = meta.get("TZ", round(lon / 15))
    out.index = _standard_index(float(tz))
    return Weather(out, lat, lon, float(meta.get("altitude", 0.0)), name, source, notes=notes)


def _read_tmy3(path) -> tuple[pd.DataFrame, dict]:
    import pvlib

    df, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    df = df.copy()
    df["pressure"] = df["pressure"] * 100.0  # mbar -> Pa
    return df, meta


def _read_tmy2(path) -> tuple[pd.DataFrame, dict]:
    import pvlib

    df, meta = pvlib.iotools.read_tmy2(str(path))
    out = pd.DataFrame(
        {
            "ghi": df["GHI"],
            "dni": df["DNI"],
            "dhi": df["DHI"],
            "temp_air": df["DryBulb"] / 10.0,  # TMY2 stores tenths of a degree C
            "relative_humidity": df["RHum"],
            "wind_speed": df["Wspd"] / 10.0,  # tenths of m/s
            "pressure": df["Pressure"] * 100.0,  # mbar -> Pa
        }
    )
    return out, meta


def _read_epw(path) -> tuple[pd.DataFrame, dict]:
    import pvlib

    df, meta = pvlib.iotools.read_epw(str(path))
    df = df.rename(columns={"atmospheric_pressure": "pressure"})
    meta = dict(meta)
    meta.setdefault("TZ", meta.get("TZ", 0))
    return df, meta


def _read_pvgis(path) -> tuple[pd.DataFrame, dict]:
    """PVGIS TMY: hours stamped in UTC from 00:00 on 1 January; rolled onto local standard time
    (UTC offset round(longitude / 15) h, the year wrapping around) like TMY3 and EPW, so that
    hour-of-day means the same thing (diurnal load, dispatch) whatever the file format."""
    import pvlib

    res = pvlib.iotools.read_pvgis_tmy(str(path), map_variables=True)
    df, meta = res[0], res[-1]
    loc = meta.get("location", meta.get("inputs", {}).get("location", meta.get("inputs", {})))
    meta = {
        "latitude": loc.get("latitude"),
        "longitude": loc.get("longitude"),
        "altitude": loc.get("elevation", 0.0),
    }
    tz = round(float(meta["longitude"]) / 15.0)
    df = pd.DataFrame(np.roll(df.to_numpy(), tz, axis=0), columns=df.columns)
    meta["TZ"] = tz
    return df, meta


_READERS = {"tmy3": _read_tmy3, "tmy2": _read_tmy2, "epw": _read_epw, "pvgis": _read_pvgis}


def _sniff(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".epw":
        return "epw"
    if suffix in (".tm2", ".tmy2"):
        return "tmy2"
    if suffix == ".json":
        return "pvgis"
    head = path.read_text("utf-8", errors="replace")[:2000]
    if "PVGIS" in head or "T2m" in head or head.lstrip().startswith("Latitude"):
        return "pvgis"
    if suffix in (".csv", ".tmy3"):
        return "tmy3"
    raise InputError(
        f"weather file {path.name!r}: unknown format (use a TMY3 .csv, TMY2 .tm2, EPW .epw "
        "or PVGIS TMY .csv/.json)"
    )


def read_weather_file(path: str | Path, fmt: str | None = None) -> Weather:
    """Read a TMY3 CSV, TMY2, EPW or PVGIS TMY file with pvlib.iotools.

    Parameters
    ----------
    path : str or Path
        File to read.
    fmt : {'tmy3', 'tmy2', 'epw', 'pvgis'}, optional
        Format; guessed from the extension and first lines when omitted.

    Raises
    ------
    InputError
        The file does not exist, cannot be parsed, or fails the checks of :func:`_finish`.
    """
    p = Path(path)
    read_text(p, "weather file", MAX_WEATHER_BYTES)  # exists, size cap, UTF-8 text, not binary
    kind = fmt or _sniff(p)
    try:
        df, meta = _READERS[kind](p)
    except InputError:
        raise
    except Exception as exc:  # pvlib raises many types on malformed files
        raise InputError(
            f"weather file {p.name!r} could not be read as {kind.upper()}: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'malformed'}"
        ) from None
    name = str(meta.get("Name", meta.get("city", meta.get("City", p.stem)))).strip('"')
    return _finish(df, meta, name, f"{p.name} ({kind.upper()})", [])


def load_weather(weather: str) -> Weather:
    """A bundled typical year by id (see :data:`BUNDLED`) or a user's file by path."""
    key = weather.strip().lower()
    if key in BUNDLED:
        fname, kind, desc = BUNDLED[key]
        path = resources.files("pvlib").joinpath("data", fname)
        w = read_weather_file(str(path), kind)
        return Weather(
            w.data,
            w.latitude,
            w.longitude,
            w.altitude_m,
            desc,
            f"pvlib bundled {fname} ({kind.upper()})",
            notes=w.notes,
        )
    if Path(weather).suffix or Path(weather).exists():
        return read_weather_file(weather)
    hint = closest_hint(key, BUNDLED)
    raise InputError(
        f"unknown weather {weather!r}: give a bundled id ({', '.join(BUNDLED)}) or a file path{hint}"
    )


def clear_sky_weather(latitude: float, longitude: float, altitude_m: float = 0.0) -> Weather:
    """Clear-sky irradiance for every hour of a year (an upper bound on solar; no wind).

    Notes
    -----
    Ineichen-Perez clear-sky model with Linke turbidity from pvlib's bundled climatology. Air
    temperature 20 C and wind 0 m/s are pvlib ModelChain's defaults when no weather is given;
    relative humidity 50 % is an assumption (it only affects evaporative cooling).

    References
    ----------
    Ineichen, P., Perez, R. (2002). A new airmass independent formulation for the Linke
    turbidity coefficient. Solar Energy 73(3), 151-157. doi:10.1016/S0038-092X(02)00045-2
    """
    import pvlib

    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InputError(f"--lat {latitude} / --lon {longitude} out of range (±90, ±180)")
    tz = round(longitude / 15)
    index = _standard_index(tz)
    loc = pvlib.location.Location(latitude, longitude, altitude=altitude_m)
    mid = index - pd.Timedelta("30min")
    cs = loc.get_clearsky(mid, model="ineichen")
    data = pd.DataFrame(
        {
            "ghi": cs["ghi"].to_numpy(),
            "dni": cs["dni"].to_numpy(),
            "dhi": cs["dhi"].to_numpy(),
            "temp_air": 20.0,
            "relative_humidity": 50.0,
            "wind_speed": np.nan,
            "pressure": float(pvlib.atmosphere.alt2pres(altitude_m)),
        },
        index=index,
    )
    notes = [
        "CLEAR-SKY irradiance: solar output is an UPPER BOUND (no clouds); no wind data",
        "clear-sky: air temperature 20 C (pvlib default) and RH 50 % (assumption) for cooling",
    ]
    return Weather(
        data,
        latitude,
        longitude,
        altitude_m,
        f"clear sky at {latitude:.3f}, {longitude:.3f}",
        "clear-sky (pvlib Ineichen)",
        clear_sky=True,
        notes=notes,
    )
