"""Chronological time-series aggregation of the supply year (tsam segmentation).

The capacity LP over 8,760 hours is slow because every capacity column touches every hour. Its
capacities are found here on a shorter year: consecutive hours of a day with similar load and weather
are merged into variable-length segments (tsam's hierarchical segmentation, adjacency enforced,
so the segments keep their order). Each segment stands for its hours: its load and availability
are the means over those hours, and its snapshot weight is its length, so energy, cost and the
storage state of charge are counted in the same units as on the full year. Keeping the order is
what lets 100-hour storage shift energy across days and weeks, which typical days (each day
cyclic on its own) cannot show.

The capacities then face the full year (see :func:`scalewall.supply.optimise.solve_supply`).

References
----------
Kotzur, L., Markewitz, P., Robinius, M., Stolten, D. (2018). Impact of different time series
aggregation methods on optimal energy system design. Renewable Energy 117, 474-487.
doi:10.1016/j.renene.2017.10.017
Pineda, S., Morales, J. M. (2018). Chronological time-period clustering for optimal capacity
expansion planning with storage. IEEE Trans. Power Systems 33(6), 7162-7170.
doi:10.1109/TPWRS.2018.2842093
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from scalewall.errors import InputError
from scalewall.units import HOURS_PER_DAY

__all__ = ["Segments", "segment_year", "DEFAULT_SEGMENTS_PER_DAY"]

#: segments each day is cut into by default [-]: 4, a mean of 6 hours each (1,460 a year). Chosen
#: on the bundled sites (benchmarks/bench_site.py prints the comparison with the full LP): fewer
#: smooth the dawn and dusk ramps that size batteries, more lose the speed-up.
DEFAULT_SEGMENTS_PER_DAY = 4


class Segments:
    """Hours grouped into consecutive segments.

    Attributes
    ----------
    starts : ndarray of int
        First hour of each segment [h].
    hours : ndarray of float
        Length of each segment [h].
    """

    def __init__(self, starts: np.ndarray, n_hours: int):
        self.starts = np.asarray(starts, dtype=int)
        self.n_hours = n_hours
        self.hours = np.diff(np.append(self.starts, n_hours)).astype(float)

    def __len__(self) -> int:
        return len(self.starts)

    def mean(self, x: np.ndarray) -> np.ndarray:
        """Mean of an hourly series over each segment (same unit as ``x``)."""
        return np.add.reduceat(np.asarray(x, dtype=float), self.starts) / self.hours


def segment_year(series: dict[str, np.ndarray], per_day: int = DEFAULT_SEGMENTS_PER_DAY) -> Segments:
    """Cut each day of hourly series into ``per_day`` consecutive segments of similar values (tsam).

    Parameters
    ----------
    series : dict of str to ndarray
        Hourly series that the segments must follow (load, availability per MW) [any unit],
        whole days; tsam normalises each before clustering.
    per_day : int
        Segments per day [-], 1 to 24.

    Returns
    -------
    Segments
        Chronological: every day keeps its place and is cut on its own, so no segment spans
        midnight.

    Notes
    -----
    tsam is asked for as many typical days as there are days, so every day is its own cluster
    (``clusterOrder`` says which) and only the within-day segmentation (adjacent hours merged by
    hierarchical clustering) aggregates.
    """
    n = len(next(iter(series.values())))
    if n % HOURS_PER_DAY or not n:
        raise InputError(f"aggregation needs whole days of hourly values, got {n} hours")
    if not 1 <= per_day <= HOURS_PER_DAY:
        raise InputError(f"a day can be cut into 1 to 24 segments, not {per_day}")
    days = int(n // HOURS_PER_DAY)
    if per_day == HOURS_PER_DAY:
        return Segments(np.arange(n), n)
    # constant series carry no information and make tsam's normalisation divide by zero
    df = pd.DataFrame(
        {k: v for k, v in series.items() if np.ptp(v) > 0},
        index=pd.date_range("2001-01-01", periods=n, freq="h"),
    )
    if df.empty:
        df = pd.DataFrame({"hour": np.tile(np.arange(HOURS_PER_DAY, dtype=float), days)}, index=df.index)
    with warnings.catch_warnings():
        # tsam 2.3 sets (on import) and uses pandas options that pandas 3 deprecates; nothing of
        # ours depends on them
        warnings.simplefilter("ignore")
        import tsam.timeseriesaggregation as tsam

        agg = tsam.TimeSeriesAggregation(
            df,
            noTypicalPeriods=days,
            hoursPerPeriod=HOURS_PER_DAY,
            segmentation=True,
            noSegments=per_day,
            clusterMethod="hierarchical",
            rescaleClusterPeriods=False,
        )
        agg.createTypicalPeriods()
        order = np.asarray(agg.clusterOrder)
        table = agg.segmentDurationDict["Segment Duration"]
    if len(set(order.tolist())) != days:
        raise InputError("time-series aggregation merged days; the year cannot be segmented chronologically")
    per_cluster = {c: [table[(c, j)] for j in range(per_day) if (c, j) in table] for c in set(order.tolist())}
    starts: list[int] = []
    for d, c in enumerate(order):
        lengths = np.asarray(per_cluster[c], dtype=int)
        starts.extend(d * HOURS_PER_DAY + np.concatenate([[0], np.cumsum(lengths)[:-1]]))
    return Segments(np.asarray(starts), n)
