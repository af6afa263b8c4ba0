"""Hourly IT load profiles: flat (training run), diurnal (serving fleet) or a user's file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scalewall.errors import InputError
from scalewall.files import read_text
from scalewall.units import HOURS_PER_YEAR

__all__ = ["DIURNAL_AMPLITUDE", "DIURNAL_PEAK_HOUR", "it_load_profile", "it_load_note"]

HOURS = int(HOURS_PER_YEAR)  #: hours of a typical year [h]

#: Serving-fleet shape: load = mean x (1 + A cos(2 pi (h - h_peak) / 24)). ASSUMPTION, not a
#: measured trace: A = 0.25 (peak/trough = 1.67) and a 14:00 local peak are illustrative values
#: for an interactive-inference fleet serving one continent; give --load-profile FILE for a
#: measured shape.
DIURNAL_AMPLITUDE = 0.25
DIURNAL_PEAK_HOUR = 14.0


def it_load_profile(load_mw: float, profile: str = "flat") -> tuple[np.ndarray, list[str]]:
    """Hourly IT load with mean ``load_mw`` [MW] and notes on how it was built.

    Parameters
    ----------
    load_mw : float
        Mean IT load [MW].
    profile : str
        ``flat``, ``diurnal`` or the path of a CSV/text file with 8,760 numbers (one per line, or
        the last column of a CSV with a header); the file's shape is rescaled to mean ``load_mw``.

    Returns
    -------
    load : ndarray
        8,760 hourly IT loads [MW], hour-ending local standard time.
    notes : list of str
    """
    if not np.isfinite(load_mw) or load_mw <= 0:
        raise InputError(f"--load-mw must be a positive number of MW, got {load_mw}")
    if profile == "flat":
        return np.full(HOURS, float(load_mw)), ["flat IT load (training run)"]
    if profile == "diurnal":
        hour = (np.arange(HOURS) % 24) + 0.5  # middle of each hour-ending interval, local time
        shape = 1.0 + DIURNAL_AMPLITUDE * np.cos(2 * np.pi * (hour - DIURNAL_PEAK_HOUR) / 24.0)
        return load_mw * shape, [
            f"diurnal IT load (serving fleet): ±{DIURNAL_AMPLITUDE:.0%} around the mean, peak "
            f"{DIURNAL_PEAK_HOUR:.0f}:00 local — an illustrative assumption, not a measured trace"
        ]
    p = Path(profile)
    if not p.is_file():
        raise InputError(f"--load-profile must be flat, diurnal or an existing file; {profile!r} is none")
    import io

    import pandas as pd

    text = read_text(p, "load profile")  # size cap, UTF-8 text, not binary: one sentence
    try:
        df = pd.read_csv(io.StringIO(text), header=None, comment="#")
        col = pd.to_numeric(df.iloc[:, -1], errors="coerce")
        if np.isnan(col.iloc[0]):  # a header row
            col = col.iloc[1:]
        values = col.to_numpy(dtype=float)
    except Exception as exc:
        raise InputError(f"load profile {p.name!r} could not be read: {exc}") from None
    if len(values) != HOURS:
        raise InputError(f"load profile {p.name!r} has {len(values)} values, needs {HOURS} (one per hour)")
    if not np.isfinite(values).all() or (values < 0).any() or values.sum() <= 0:
        raise InputError(f"load profile {p.name!r} has missing, negative or all-zero values")
    return load_mw * values / values.mean(), [f"IT load shape from {p.name}, scaled to mean {load_mw:g} MW"]


def it_load_note(
    load_mw: float,
    profile: str,
    what: str,
    name: str = "the result",
) -> tuple[float, str, list[str]]:
    """The IT load of another command's result, checked, with the note that says where it came from.

    Reading the result itself (a ``train`` or ``infer`` JSON object) is the command layer's job
    (:func:`scalewall.commands.site.load_from_result`); the supply stage takes plain numbers.

    Parameters
    ----------
    load_mw : float
        Mean power at the node boundary (accelerators + hosts) [MW].
    profile : str
        Default shape of the load: ``flat`` (training run) or ``diurnal`` (serving fleet).
    what : str
        The run or fleet in words, for the note.
    name : str
        The result's file name, for error messages.

    Returns
    -------
    load_mw : float
    profile : str
    notes : list of str
    """
    mw = float(load_mw)
    if not np.isfinite(mw) or mw <= 0:
        raise InputError(f"--load-from {name!r}: node power {mw} MW is not a positive number")
    return mw, profile, [f"IT load {mw:,.2f} MW = mean node power (accelerators + hosts) of the {what}"]
