"""Trajectories and walls, vectorised over samples × years.

Every array is (n_samples, n_years). ``evaluate`` takes driver values (one per sample) and the
effects of active levers, and returns the demanded frontier run, the FLOP each wall allows, the
run actually feasible, and the electricity of AI and of all data centres.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scalewall.facility.pue import pue_trajectory
from scalewall.units import (
    DAYS_PER_YEAR,
    HOURS_PER_YEAR,
    J_PER_MWH,
    J_PER_TWH,
    SECONDS_PER_DAY,
    W_PER_GW,
    WH_PER_TWH,
)

__all__ = [
    "BASE_YEAR",
    "WALLS",
    "H100E_FLOPS",
    "LeverEffects",
    "Trajectories",
    "evaluate",
    "landauer_j_per_bit",
]

#: first year of the data; every driver's level refers to it
BASE_YEAR = 2024
#: the year to which near-term growth rates (IEA, Epoch 2030) apply
NEAR_TERM_END = 2030
#: the walls, in the order used in arrays
WALLS = ("site_power", "grid", "chips", "cost", "data", "latency", "data_movement")
#: dense BF16 peak of one H100-equivalent [FLOP/s] (NVIDIA H100 SXM datasheet; catalogue h100-sxm)
H100E_FLOPS = 989.4e12
_PRECISION_RAMP_YEARS = 4.0  # precision gain reached by 2028 (trends.yaml precision-gain note)
_WALL_REF_DAYS = 90.0  # latency and data-movement walls are quoted at a 3-month run


def landauer_j_per_bit(temperature_k: float = 300.0) -> float:
    """Landauer limit: minimum energy to erase one bit, k·T·ln 2 [J].

    References
    ----------
    R. Landauer, "Irreversibility and heat generation in the computing process", IBM J. Res.
    Dev. 5 (1961) 183-191.
    """
    from scipy.constants import k

    return float(k * temperature_k * np.log(2.0))


@dataclass
class LeverEffects:
    """What active levers add on top of the drivers, each (n, T) or broadcastable.

    ``train_mult`` / ``infer_mult``: energy-efficiency multipliers on training / inference [-];
    ``campus_add_gw``: power added to the largest campus [GW].
    """

    train_mult: np.ndarray | float = 1.0
    infer_mult: np.ndarray | float = 1.0
    campus_add_gw: np.ndarray | float = 0.0


@dataclass
class Trajectories:
    """Model output; every array is (n_samples, n_years)."""

    years: np.ndarray
    demanded_flop: np.ndarray
    allowed_flop: dict[str, np.ndarray]
    feasible_flop: np.ndarray
    allowed_min_flop: np.ndarray
    run_power_gw: np.ndarray
    run_energy_twh: np.ndarray
    run_cost_usd: np.ndarray
    cluster_capex_usd: np.ndarray
    ai_electricity_twh: np.ndarray
    datacentre_electricity_twh: np.ndarray
    world_electricity_twh: np.ndarray
    budget_scale: np.ndarray
    facility_flop_per_j: np.ndarray
    walls: tuple[str, ...] = field(default=WALLS)


def _col(p: dict[str, np.ndarray], key: str) -> np.ndarray:
    return np.asarray(p[key], dtype=float)[:, None]


def _two_phase(g1: np.ndarray, g2: np.ndarray, t: np.ndarray, t_switch: np.ndarray | float) -> np.ndarray:
    """Growth factor g1^min(t, ts) · g2^max(t − ts, 0) [-]."""
    ts = np.maximum(t_switch, 0.0)
    t1 = np.minimum(t, ts)
    t2 = np.maximum(t - ts, 0.0)
    return np.exp(np.log(g1) * t1 + np.log(g2) * t2)


def evaluate(
    p: dict[str, np.ndarray],
    years: np.ndarray,
    walls: tuple[str, ...] = WALLS,
    levers: LeverEffects | None = None,
    depreciation_years: float = 5.5,
) -> Trajectories:
    """Frontier run, walls and electricity for each sample and year.

    Parameters
    ----------
    p : dict of str to array
        Driver values, one per sample, keyed by trend id (``trends.yaml``) [driver units].
    years : array of int
        Calendar years [year].
    walls : tuple of str
        The walls that apply (subset of ``WALLS``).
    levers : LeverEffects, optional
        Added efficiency and power from active levers.
    depreciation_years : float
        Hardware life over which a run's cluster is amortised [year].

    Returns
    -------
    Trajectories

    Notes
    -----
    With t = year − 2024, duration D = min(cap, D0·g_D^t) [s] and facility efficiency
    ε = e0·min(g_e^t, headroom)·precision(t)·MFU·m_train / (overhead·PUE(t)) [FLOP/J]:

    - demanded run F = F0·g^min(t, ts)·g'^max(t − ts, 0);
    - power wall  F ≤ P_campus·sites·D·ε, P_campus = min(cap, P0·g_P^t) + added;
    - grid wall   F ≤ s·P_AI·D·ε, P_AI = AI electricity / 8,760 h;
    - chips wall  F ≤ s·(out_t + out_{t−1})·R_H100·precision·MFU·D;
    - cost wall   F ≤ (share·B0·g_B^t / (price_t·k_cluster))·R_H100·precision·MFU·D;
    - data wall   F ≤ 6·N·T_stock with N = T_stock / 20 (Chinchilla);
    - latency and data-movement walls L·(D / 90 d)².

    The run is min(F, every wall); AI electricity = AI0·G(t)·(PUE/PUE0)·mix / hardware gain with
    mix = s_inf/m_inf + (1 − s_inf)/m_train; data centres = AI + (DC0 − AI0)·g_conv^t.

    References
    ----------
    J. Sevilla et al., "Can AI Scaling Continue Through 2030?", Epoch AI, 2024.
    E. Erdil, D. Schneider-Joseph, "Data movement limits to frontier model training",
    arXiv:2411.01137, 2024. P. Villalobos et al., "Will we run out of data?", ICML 2024.
    IEA, "Energy and AI", 2025.
    """
    lv = levers or LeverEffects()
    yrs = np.asarray(years, dtype=int)
    t = (yrs - BASE_YEAR).astype(float)[None, :]
    t_near = float(NEAR_TERM_END - BASE_YEAR)

    # demanded frontier run
    ts = _col(p, "compute-slowdown-year") - BASE_YEAR
    demanded = _col(p, "frontier-compute-2024") * _two_phase(
        _col(p, "frontier-compute-growth"), _col(p, "compute-growth-after-slowdown"), t, ts
    )

    # duration, efficiency
    dur_days = np.minimum(
        _col(p, "training-duration-cap"),
        _col(p, "training-duration-2024") * _col(p, "training-duration-growth") ** t,
    )
    dur_s = dur_days * SECONDS_PER_DAY
    pue0 = _col(p, "pue-2024")
    pue = pue_trajectory(pue0, _col(p, "pue-change"), t)  # the facility's PUE trend and floor
    hw_gain = np.minimum(_col(p, "hardware-efficiency-growth") ** t, _col(p, "cmos-headroom"))
    precision = 1.0 + (_col(p, "precision-gain") - 1.0) * np.minimum(1.0, t / _PRECISION_RAMP_YEARS)
    mfu = _col(p, "mfu")
    train_mult = np.asarray(lv.train_mult, dtype=float)
    infer_mult = np.asarray(lv.infer_mult, dtype=float)
    eff = (
        _col(p, "hardware-flop-per-j-2024")
        * hw_gain
        * precision
        * mfu
        * train_mult
        / (_col(p, "it-overhead") * pue)
    )

    # electricity
    demand_growth = _two_phase(
        _col(p, "ai-compute-demand-growth"), _col(p, "ai-compute-demand-growth-after-2030"), t, t_near
    )
    s_inf = _col(p, "inference-share")
    mix = s_inf / infer_mult + (1.0 - s_inf) / train_mult
    ai0 = _col(p, "ai-electricity-2024")
    ai_twh = ai0 * demand_growth * (pue / pue0) * mix / hw_gain
    dc0 = _col(p, "datacentre-electricity-2024")
    dc_twh = ai_twh + np.maximum(dc0 - ai0, 0.0) * _col(p, "conventional-dc-growth") ** t
    world_twh = _col(p, "world-electricity-2024") * _col(p, "world-electricity-growth") ** t

    # walls
    share = _col(p, "frontier-share-of-fleet")
    chip_flops = H100E_FLOPS * precision * mfu * dur_s  # FLOP one H100e delivers in a run
    allowed: dict[str, np.ndarray] = {}
    campus_gw = (
        np.minimum(
            _col(p, "campus-power-cap"), _col(p, "campus-power-2024") * _col(p, "campus-power-growth") ** t
        )
        + lv.campus_add_gw
    )
    allowed["site_power"] = campus_gw * _col(p, "sites-per-run") * W_PER_GW * dur_s * eff
    ai_power_w = ai_twh * WH_PER_TWH / HOURS_PER_YEAR
    allowed["grid"] = share * ai_power_w * dur_s * eff
    g_out, g_out2 = _col(p, "chip-output-growth"), _col(p, "chip-output-growth-after-2030")
    out0 = _col(p, "chip-output-2024")
    out_now = out0 * _two_phase(g_out, g_out2, t, t_near)
    out_prev = out0 * _two_phase(g_out, g_out2, t - 1.0, t_near)
    allowed["chips"] = share * (out_now + out_prev) * chip_flops
    price = _col(p, "hardware-price-2024") / _col(p, "flops-per-dollar-growth") ** t
    per_chip_usd = price * _col(p, "cluster-cost-multiplier")
    budget_scale = _col(p, "budget-growth") ** t
    budget = _col(p, "largest-budget-2024") * budget_scale * _col(p, "budget-share-for-frontier")
    allowed["cost"] = budget / per_chip_usd * chip_flops
    stock = _col(p, "data-stock-tokens") * _col(p, "data-stock-growth") ** t
    allowed["data"] = 6.0 * stock / _col(p, "tokens-per-parameter") * stock
    scale2 = (dur_days / _WALL_REF_DAYS) ** 2
    allowed["latency"] = _col(p, "latency-wall-flop") * scale2
    allowed["data_movement"] = _col(p, "data-movement-wall-flop") * scale2
    shape = demanded.shape
    allowed = {w: np.broadcast_to(allowed[w], shape) for w in walls}

    allowed_min = np.minimum.reduce([allowed[w] for w in walls]) if walls else np.full(shape, np.inf)
    feasible = np.minimum(demanded, allowed_min)
    energy_j = feasible / eff
    chips = feasible / chip_flops
    capex = chips * per_chip_usd
    energy_mwh = energy_j / J_PER_MWH
    run_cost = capex * dur_days / (depreciation_years * DAYS_PER_YEAR) + energy_mwh * _col(
        p, "electricity-price"
    )
    return Trajectories(
        years=yrs,
        demanded_flop=demanded,
        allowed_flop=allowed,
        feasible_flop=feasible,
        allowed_min_flop=allowed_min,
        run_power_gw=energy_j / dur_s / W_PER_GW,
        run_energy_twh=energy_j / J_PER_TWH,
        run_cost_usd=run_cost,
        cluster_capex_usd=capex,
        ai_electricity_twh=np.broadcast_to(ai_twh, shape),
        datacentre_electricity_twh=np.broadcast_to(dc_twh, shape),
        world_electricity_twh=np.broadcast_to(world_twh, shape),
        budget_scale=np.broadcast_to(budget_scale, shape),
        facility_flop_per_j=np.broadcast_to(eff, shape),
        walls=tuple(walls),
    )
