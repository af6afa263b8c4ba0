"""Hourly grid figures for the imports of a site (``--grid-hourly FILE``).

A grid is cleaner in some hours than in others. With an hourly clean share ``c_t`` (the share of
the grid's generation in hour t that is carbon-free) an import ``g_t`` brings ``c_t g_t`` of
carbon-free energy, counted toward the hourly-matched CFE share in that hour only, as in the 24/7
CFE accounting of Riepin & Brown (2024, section 2): the grid's clean share is the grid's
"background" CFE. Its hourly carbon intensity sets the emissions of the import and its hourly
price, when given, its cost.

References
----------
Riepin, I., Brown, T. (2024). On the means, costs, and system-level impacts of 24/7 carbon-free
energy procurement. Energy Strategy Reviews 54, 101488. doi:10.1016/j.esr.2024.101488
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from scalewall.errors import InputError
from scalewall.units import HOURS_PER_YEAR

__all__ = ["GridHours", "parse_grid_hourly", "GRID_HOURLY_COLUMNS"]

#: columns of a grid-hours file: name -> (required, allowed range, unit)
GRID_HOURLY_COLUMNS = {
    "gco2_kwh": (True, (0.0, 2000.0), "carbon intensity of the grid's electricity [gCO2e/kWh]"),
    "clean_share": (False, (0.0, 1.0), "carbon-free share of the grid's generation [-]"),
    "price_usd_mwh": (False, (-1000.0, 10000.0), "price of an import [USD/MWh]"),
}


@dataclass(frozen=True)
class GridHours:
    """Hourly grid figures, 8,760 values each (local standard time of the site's weather).

    Attributes
    ----------
    gco2_kwh : ndarray
        [gCO2e/kWh]
    clean_share : ndarray or None
        [-]; None: not given, imports count as not carbon-free.
    price_usd_mwh : ndarray or None
        [USD/MWh]; None: the region's annual price.
    name : str
        Where the figures came from (the file name).
    """

    gco2_kwh: np.ndarray
    clean_share: np.ndarray | None
    price_usd_mwh: np.ndarray | None
    name: str


def parse_grid_hourly(text: str, name: str) -> GridHours:
    """Read a grid-hours CSV (a header row naming the columns, then 8,760 rows).

    Parameters
    ----------
    text : str
        The file's text (read by the command layer through :func:`scalewall.files.read_text`).
    name : str
        The file's name, for messages.

    Returns
    -------
    GridHours

    Raises
    ------
    InputError
        A missing ``gco2_kwh`` column, an unknown column, a row count other than 8,760, or a value
        missing or out of its range; the message names the column.
    """
    import pandas as pd

    try:
        df = pd.read_csv(io.StringIO(text), comment="#", skipinitialspace=True)
    except Exception as exc:  # pandas raises several types for malformed CSV
        raise InputError(f"--grid-hourly {name!r} could not be read as CSV: {exc}") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    unknown = [c for c in df.columns if c not in GRID_HOURLY_COLUMNS and c not in ("hour", "timestamp")]
    if unknown:
        raise InputError(
            f"--grid-hourly {name!r}: unknown column {', '.join(unknown)}; "
            f"columns: {', '.join(GRID_HOURLY_COLUMNS)} (gco2_kwh required)"
        )
    if "gco2_kwh" not in df.columns:
        raise InputError(f"--grid-hourly {name!r} needs a gco2_kwh column (carbon intensity, gCO2e/kWh)")
    if len(df) != HOURS_PER_YEAR:
        raise InputError(f"--grid-hourly {name!r} has {len(df)} rows, needs {HOURS_PER_YEAR} (one per hour)")
    out: dict[str, np.ndarray | None] = {}
    for col, (_, (lo, hi), what) in GRID_HOURLY_COLUMNS.items():
        if col not in df.columns:
            out[col] = None
            continue
        v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v) | (v < lo) | (v > hi)
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(
                f"--grid-hourly {name!r}: {col} ({what}) must be a number in [{lo:g}, {hi:g}]; "
                f"row {row + 1} is {df[col].iloc[row]!r}"
            )
        out[col] = v
    gco2 = out["gco2_kwh"]
    assert gco2 is not None  # required, checked above
    return GridHours(gco2, out["clean_share"], out["price_usd_mwh"], name)
