"""Solutions ("levers"): which driver each changes, by how much, from when, and on what source.

Three families:

- driver levers replace a driver's range (``efficient-chips``, ``lower-precision``,
  ``distributed-training``), re-read with the same uniform sample so results stay paired;
- power levers add GW to the largest campus from an earliest year, ramping linearly to their full
  size, never before the first outlook year plus the build lead time (``smr``, ``geothermal``,
  ``fusion``, ``space-solar``);
- paradigm levers (one per catalogue ``paradigms`` entry) multiply the energy efficiency of the
  workloads they were shown on, adopted along a logistic S-curve from their earliest volume year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from scalewall import catalog
from scalewall.errors import InputError, closest_hint
from scalewall.outlook.drivers import Driver, quantile_map
from scalewall.outlook.model import LeverEffects

if TYPE_CHECKING:
    from scalewall.catalog.outlook import Paradigm

__all__ = [
    "Lever",
    "LEVERS",
    "lever_names",
    "get_lever",
    "apply_levers",
    "paradigm_adoption",
    "acts_from",
    "acts_from_basis",
    "lever_assumptions",
]


@dataclass(frozen=True)
class Lever:
    """One solution and how it enters the model."""

    name: str
    kind: str  # "driver" | "power" | "paradigm" | "supply"
    driver: str  # the trend id (or paradigm id) it changes
    change: str  # in words, with numbers
    target_wall: str
    sources: tuple[str, ...]
    new_range: tuple[float, float, float] | None = None  # driver levers
    earliest_year: int | None = None  # power and paradigm levers
    full_year: int | None = None  # power levers


def _trend_sources(tid: str) -> tuple[str, ...]:
    t = catalog.get("trends", tid)
    return tuple(f"{s.title} ({s.publisher}, {s.year}; {s.where})" for s in t.source)


def _build() -> dict[str, Lever]:
    out: dict[str, Lever] = {}
    out["efficient-chips"] = Lever(
        "efficient-chips",
        "driver",
        "hardware-efficiency-growth",
        "hardware FLOP/s per W growth from 1.20/1.28/1.40 to 1.28/1.40/1.40 x/yr (top of the sourced "
        "range), still capped by the CMOS headroom",
        "site_power",
        _trend_sources("hardware-efficiency-growth"),
        new_range=(1.28, 1.40, 1.40),
    )
    out["lower-precision"] = Lever(
        "lower-precision",
        "driver",
        "precision-gain",
        "training precision gain by 2028 from 1/2/2x (FP8) to 2/4/4x (FP4 = 2x FP8 peak on B200)",
        "site_power",
        ("NVIDIA HGX B200 / DGX B200 Datasheet (NVIDIA, 2024; FP4 9 PF vs FP8 4.5 PF dense)",)
        + _trend_sources("precision-gain"),
        new_range=(2.0, 4.0, 4.0),
    )
    out["distributed-training"] = Lever(
        "distributed-training",
        "driver",
        "sites-per-run",
        "one run spread over 2/4/9 campuses instead of 1 (Epoch: 2-45 GW distributed vs 1-5 GW single "
        "campus); still capped by the grid wall (its share of all AI power)",
        "site_power",
        _trend_sources("sites-per-run"),
        new_range=(2.0, 4.0, 9.0),
    )
    power = {
        "smr": ("smr-campus-gw", 2030, 2035),
        "geothermal": ("geothermal-campus-gw", 2027, 2030),
        "fusion": ("fusion-campus-gw", 2028, 2040),
        "space-solar": ("space-solar-campus-gw", 2050, 2050),
    }
    for name, (tid, y0, y1) in power.items():
        t = catalog.get("trends", tid)
        out[name] = Lever(
            name,
            "power",
            tid,
            f"adds {t.low:g}/{t.central:g}/{t.high:g} GW to the largest campus, from {y0} (or the first "
            f"year + build lead time if later) ramping to full by {y1}",
            "site_power",
            _trend_sources(tid),
            earliest_year=y0,
            full_year=y1,
        )
    cfe = catalog.get("trends", "renewables-cfe-share")
    solar = catalog.get("energy_sources", "solar")
    out["renewables-storage"] = Lever(
        "renewables-storage",
        "supply",
        "renewables-cfe-share",
        f"data centres' electricity above the 2024 level met by solar, wind and storage at "
        f"{cfe.low:g}/{cfe.central:g}/{cfe.high:g} hourly carbon-free share, from the first year "
        f"plus solar's {solar.lead_time_years:g}-year lead time",
        "carbon",
        _trend_sources("renewables-cfe-share") + _trend_sources("renewables-storage-price"),
        earliest_year=None,
    )
    for pid, pa in cast("dict[str, Paradigm]", catalog.entries("paradigms")).items():
        m = pa.efficiency_multiplier
        wl = "+".join(pa.applies_to)
        out[pid] = Lever(
            pid,
            "paradigm",
            pid,
            f"{pa.name}: {m.low:g}/{m.central:g}/{m.high:g}x energy efficiency on {wl}, adopted on an "
            f"S-curve from {pa.earliest_volume_year} up to the paradigm-max-share of that workload",
            "site_power" if "training" in pa.applies_to else "grid",
            tuple(f"{s.title} ({s.publisher}, {s.year}; {s.where})" for s in pa.source),
            earliest_year=pa.earliest_volume_year,
        )
    return out


_CACHE: dict[str, Lever] = {}
#: short names users may type for paradigm levers
ALIASES = {
    "neuromorphic": "ibm-northpole",
    "photonic": "lightmatter-photonic",
    "analog-in-memory": "ibm-analog-in-memory",
    "analog": "ibm-analog-in-memory",
    "wafer-scale": "cerebras-wse-3",
    "sram-dataflow": "groq-lpu",
    "3d-stacked-memory": "hbm-pim",
}


def _levers() -> dict[str, Lever]:
    if not _CACHE:
        _CACHE.update(_build())
    return _CACHE


def lever_names() -> list[str]:
    """Every lever name [-]."""
    return list(_levers())


def get_lever(name: str) -> Lever:
    """The lever ``name`` (or an alias); an unknown name raises InputError with the closest names."""
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key in _levers():
        return _levers()[key]
    hint = closest_hint(key, lever_names() + list(ALIASES)) or f"; levers: {', '.join(lever_names())}"
    raise InputError(f"--lever {name!r} is not a known lever{hint}")


LEVERS = _levers


def paradigm_adoption(
    years: np.ndarray, start: np.ndarray | float, ramp_years: np.ndarray, max_share: np.ndarray
) -> np.ndarray:
    """Share of a workload on a new paradigm: a logistic S-curve, zero before ``start`` [-].

    Notes
    -----
    s(y) = s_max / (1 + exp(−k·(y − start − ramp/2))), k = 2·ln 9 / ramp (10 % to 90 % of s_max
    over ``ramp`` years); s = 0 for y < start.
    """
    y = np.asarray(years, dtype=float)[None, :]
    ramp = np.asarray(ramp_years, dtype=float)[:, None]
    k = 2.0 * np.log(9.0) / ramp
    s = np.asarray(max_share, dtype=float)[:, None] / (1.0 + np.exp(-k * (y - start - ramp / 2.0)))
    return np.where(y >= start, s, 0.0)


def acts_from_basis(lever: Lever) -> str:
    """Why the lever cannot act earlier, with its source [-]."""
    if lever.kind == "driver":
        return "acts from the first year: it changes a driver's range"
    if lever.kind == "supply":
        s = catalog.get("energy_sources", "solar")
        return f"first year + {s.lead_time_years:g} years: {s.name} lead time ({s.source[0].title})"
    return f"earliest year {lever.earliest_year}: {lever.sources[0]}"


def lever_assumptions(lever: Lever) -> list[str]:
    """The lever's figures that are assumptions, not published values [-]."""
    if lever.kind == "paradigm":
        pa = catalog.get("paradigms", lever.driver)
        out = [f"efficiency multiplier: {pa.efficiency_multiplier.note}"]
        for tid in ("paradigm-max-share", "paradigm-ramp-years"):
            t = catalog.get("trends", tid)
            out.append(f"{t.name}: {t.low:g}/{t.central:g}/{t.high:g} {t.unit} ({t.note})")
        return out
    t = catalog.get("trends", lever.driver)
    return [f"{t.name}: {t.note}"] if t.note else []


def acts_from(lever: Lever, first_year: int, lead_years: float) -> int | None:
    """First year a lever can change anything [year]."""
    if lever.kind == "power":
        return int(max(lever.earliest_year or first_year, np.ceil(first_year + lead_years)))
    if lever.kind == "paradigm":
        return lever.earliest_year
    if lever.kind == "supply":
        return int(np.ceil(first_year + catalog.get("energy_sources", "solar").lead_time_years))
    return None


def apply_levers(
    names: list[str],
    p: dict[str, np.ndarray],
    u_by_id: dict[str, np.ndarray],
    years: np.ndarray,
    first_year: int,
) -> tuple[dict[str, np.ndarray], LeverEffects]:
    """Driver values and lever effects with ``names`` switched on [driver units].

    ``u_by_id`` holds the uniform sample behind each driver and behind each paradigm multiplier
    (key ``paradigm:<id>``), so a lever moves each sample along its own quantile.
    """
    q = dict(p)
    n = len(next(iter(p.values())))
    train = np.ones((n, len(years)))
    infer = np.ones((n, len(years)))
    add = np.zeros((n, len(years)))
    y = np.asarray(years, dtype=float)[None, :]
    for name in dict.fromkeys(names):
        lv = get_lever(name)
        if lv.kind == "supply":
            continue  # changes where electricity comes from (carbon, price), not the trajectories
        if lv.kind == "driver":
            lo, ce, hi = lv.new_range  # type: ignore[misc]
            q[lv.driver] = quantile_map(Driver(lv.driver, "", lo, ce, hi, "linear"), u_by_id[lv.driver])
        elif lv.kind == "power":
            assert lv.earliest_year is not None and lv.full_year is not None  # set on every power lever
            start = np.maximum(lv.earliest_year, np.ceil(first_year + p["build-lead-time"]))[:, None]
            full = np.maximum(lv.full_year, start + 1)
            ramp = np.clip((y - start + 1.0) / (full - start + 1.0), 0.0, 1.0)
            add += p[lv.driver][:, None] * ramp
        else:
            pa = catalog.get("paradigms", lv.driver)
            m = pa.efficiency_multiplier
            mult = quantile_map(
                Driver(pa.id, "", m.low, m.central, m.high, "log"), u_by_id[f"paradigm:{pa.id}"]
            )[:, None]
            share = paradigm_adoption(
                years, pa.earliest_volume_year, p["paradigm-ramp-years"], p["paradigm-max-share"]
            )
            gain = 1.0 / ((1.0 - share) + share / mult)
            if "inference" in pa.applies_to:
                infer = infer * gain
            if "training" in pa.applies_to:
                train = train * gain
    return q, LeverEffects(train_mult=train, infer_mult=infer, campus_add_gw=add)
