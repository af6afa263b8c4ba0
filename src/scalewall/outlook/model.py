"""Trajectories and walls, vectorised over samples × years.

Every array is (n_samples, n_years). ``evaluate`` takes driver values (one per sample) and the
effects of active levers, and returns the demanded frontier run, the FLOP each wall allows, the
run actually feasible, and the electricity of AI and of all data centres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import numpy as np

from scalewall import catalog
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

if TYPE_CHECKING:
    from scalewall.catalog.outlook import GridRegion

__all__ = [
    "BASE_YEAR",
    "WALLS",
    "HARDWARE_WALLS",
    "RUN_WALLS",
    "H100E_FLOPS",
    "LeverEffects",
    "Trajectories",
    "evaluate",
    "grid_regions",
    "landauer_j_per_bit",
]

#: first year of the data; every driver's level refers to it
BASE_YEAR = 2024
#: the year to which near-term growth rates (IEA, Epoch 2030) apply
NEAR_TERM_END = 2030
#: the walls, in the order used in arrays
WALLS = ("site_power", "grid", "chips", "cost", "data", "latency", "data_movement")
#: walls on the hardware a frontier cluster can have (power, chips, money): they set the cluster,
#: hence the frontier run's power
HARDWARE_WALLS = ("site_power", "grid", "chips", "cost")
#: walls on what ONE pre-training run can absorb (data, serial latency, data movement): above them
#: the cluster's compute goes to other uses (RL, synthetic data, inference), it does not vanish
RUN_WALLS = ("data", "latency", "data_movement")
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
    """Model output; every array is (n_samples, n_years), except the per-region caps.

    By region (``grid_regions.yaml`` ids): ``datacentre_electricity_by_region_twh`` and
    ``datacentre_demand_by_region_twh`` [TWh/yr], ``new_generation_gw_by_region`` [GW of new
    generation added that year], ``datacentre_share_cap_by_region`` [-], one per sample
    (n_samples,). ``run_hardware_cost_usd`` (amortised), ``run_energy_cost_usd`` and
    ``run_other_cost_usd`` (R&D staff) [USD] split the run's cost.
    """

    years: np.ndarray
    demanded_flop: np.ndarray
    allowed_flop: dict[str, np.ndarray]
    feasible_flop: np.ndarray
    allowed_min_flop: np.ndarray
    cluster_flop: np.ndarray
    other_use_flop: np.ndarray
    run_power_gw: np.ndarray
    run_energy_twh: np.ndarray
    run_cost_usd: np.ndarray
    cluster_capex_usd: np.ndarray
    ai_electricity_twh: np.ndarray
    datacentre_electricity_twh: np.ndarray
    world_electricity_twh: np.ndarray
    datacentre_demand_twh: np.ndarray
    electricity_price_usd_mwh: np.ndarray
    run_energy_cost_usd: np.ndarray
    run_hardware_cost_usd: np.ndarray
    run_other_cost_usd: np.ndarray
    ai_co2e_mt: np.ndarray
    us_datacentre_electricity_twh: np.ndarray
    datacentre_electricity_by_region_twh: dict[str, np.ndarray]
    datacentre_demand_by_region_twh: dict[str, np.ndarray]
    new_generation_gw_by_region: dict[str, np.ndarray]
    datacentre_share_cap_by_region: dict[str, np.ndarray]
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


@dataclass
class _Grid:
    """Data-centre electricity after the grid-build bound, in total and by region [TWh, GW, -]."""

    total_twh: np.ndarray
    by_region: dict[str, np.ndarray]
    demand_by_region: dict[str, np.ndarray]
    new_gw_by_region: dict[str, np.ndarray]
    share_cap_by_region: dict[str, np.ndarray]


def grid_regions() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Region ids and their weights: 2024 data-centre share w, share of the IEA base case's
    2024-2030 data-centre growth γ, share of the world's new generation ρ (each sums to 1) [-]."""
    regs = cast("dict[str, GridRegion]", catalog.entries("grid_regions"))
    d24 = np.array([r.datacentre_twh_2024 for r in regs.values()])
    d30 = np.array([r.datacentre_twh_2030 for r in regs.values()])
    gw = np.array([r.new_generation_gw_2024 for r in regs.values()])
    return list(regs), d24 / d24.sum(), (d30 - d24) / (d30 - d24).sum(), gw / gw.sum()


def _grid_bound(
    demand: np.ndarray,
    dc0: np.ndarray,
    world_twh: np.ndarray,
    world0: np.ndarray,
    world_growth: np.ndarray,
    share: np.ndarray,
    mode: str,
) -> _Grid:
    """Data-centre electricity within the grid-build bound [TWh].

    Notes
    -----
    Region r's demand is its 2024 share w_r of DC(2024) plus its share γ_r of the growth (the IEA
    base case's regional split, 2024-2030, held after). Region r gets the share ρ_r of the world's
    new electricity W(t) − W(2024) (its share of 2024's new renewable capacity), of which its data
    centres can take min(s·γ_r/ρ_r, 1): s is the world driver, and γ_r/ρ_r makes the IEA base case
    the same multiple of its limit in every region (regions where the IEA sees data centres growing
    faster than their supply can take more of it, up to all of it). Demand a region cannot supply
    moves to regions with room (AI compute is sited where power is), so the world total is
    min(demand, Σ limits); it equals the world bound DC(2024) + s·ΔW while no region is at share 1.
    ``mode="world"``: the world bound alone, split by region as the demand is.
    """
    ids, w, gamma, rho = grid_regions()

    def split(x: np.ndarray) -> np.ndarray:  # (n, T) -> (n, T, R): 2024 shares, then growth shares
        grow = np.maximum(x - dc0, 0.0)
        return np.where((x >= dc0)[..., None], dc0[..., None] * w + gamma * grow[..., None], x[..., None] * w)

    dw = np.maximum(world_twh - world0, 0.0)
    dem = split(demand)
    share_r = np.minimum(share[..., None] * gamma / rho, 1.0)  # (n, 1, R)
    if mode == "world":
        total = np.minimum(demand, dc0 + share * dw)
        dc_r = split(total)
    elif mode == "regions":
        cap = dc0[..., None] * w + share_r * rho * dw[..., None]
        served = np.minimum(dem, cap)
        excess = np.sum(np.maximum(dem - cap, 0.0), axis=-1, keepdims=True)
        head = np.maximum(cap - dem, 0.0)
        room = np.sum(head, axis=-1, keepdims=True)
        dc_r = served + head * np.minimum(excess / np.where(room > 0.0, room, 1.0), 1.0)
        total = np.sum(dc_r, axis=-1)
    else:
        raise ValueError(f"grid_bound {mode!r}: use 'regions' or 'world'")
    factor = float(catalog.assumption("new-supply-twh-per-gw"))
    new_gw = rho * (world_twh * (1.0 - 1.0 / world_growth))[..., None] / factor
    return _Grid(
        total_twh=total,
        by_region={r: dc_r[..., i] for i, r in enumerate(ids)},
        demand_by_region={r: dem[..., i] for i, r in enumerate(ids)},
        new_gw_by_region={r: new_gw[..., i] for i, r in enumerate(ids)},
        share_cap_by_region={r: share_r[..., 0, i] for i, r in enumerate(ids)},
    )


def evaluate(
    p: dict[str, np.ndarray],
    years: np.ndarray,
    walls: tuple[str, ...] = WALLS,
    levers: LeverEffects | None = None,
    depreciation_years: float = 5.5,
    base_year: int = BASE_YEAR,
    near_term_end: int = NEAR_TERM_END,
    grid_gco2_kwh: float | None = None,
    load_factor: float | None = None,
    grid_bound: str = "regions",
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
    base_year : int
        Year the drivers' levels refer to [year] (2024; the hindcast starts in 2020).
    near_term_end : int
        Year to which the near-term growth rates apply [year].
    grid_gco2_kwh : float
        Carbon intensity of data centres' electricity in ``base_year`` [gCO2e/kWh]; ``None``:
        the catalogue's ``default-grid-gco2-kwh`` (world average).
    load_factor : float
        Average electricity use of data centres over their power capacity [-]; ``None``: the
        catalogue's ``datacentre-load-factor``. The grid wall's AI power is a capacity.
    grid_bound : {"regions", "world"}
        The grid-build bound per region of ``grid_regions.yaml`` (default), or on the world total
        only (the hindcast: its regional data are of 2024).

    Returns
    -------
    Trajectories

    Notes
    -----
    With t = year − base year, duration D = min(cap, D0·g_D^t) [s] and facility efficiency
    ε = e0·min(g_e^t, headroom)·precision(t)·MFU·m_train / (overhead·PUE(t)) [FLOP/J]:

    - demanded run F = F0·g^min(t, ts)·g'^max(t − ts, 0);
    - power wall  F ≤ P_campus·sites·D·ε, P_campus = min(cap, P0·g_P^t) + added;
    - grid wall   F ≤ s·P_AI·D·ε, P_AI = AI electricity / (8,760 h · load factor): a run takes a
      share of the AI fleet's power capacity, as the chips wall takes a share of its chips;
    - chips wall  F ≤ s·(out_t + out_{t−1})·R_H100·precision·MFU·D, H100e output growing at
      g_out to 2030 and at g_units·(hardware gain) after;
    - cost wall   F ≤ (B_t + B_{t−1}/g_$) / (k·price_t + E_chip·p_elec)·R_H100·precision·MFU·D:
      the budget B_t = share·B0·g_B^min(t, t30)·g_B'^max(t − t30, 0) buys the cluster AND its
      electricity; as in the chips wall the cluster is bought over two years, last year's share
      at last year's price (g_$ = FLOP/s-per-dollar growth);
    - data wall   F ≤ 6·N·T_stock with N = T_stock / 20 (Chinchilla);
    - latency wall L·(D / 90 d)^x: a run of F FLOP needs at least (tokens / batch)·k·layers
      serial latencies; with tokens ∝ F^½, layers ∝ F^⅙ and batch ∝ F^b the wall grows as
      D^(1/(2/3 − b)): x = 1.5 at a fixed batch, 2 at b = ⅙, 3 at the batch growth of GPT-3 →
      Llama 3 (driver ``latency-wall-duration-exponent``); data-movement wall M·(D / 90 d)²
      (approximation).

    The frontier cluster delivers C = min(F, hardware walls) (power, grid, chips, cost); its power
    is C / (ε·D). The pre-training run is min(C, data, latency, data movement); the rest of C is
    ``other_use_flop`` (RL, synthetic data, inference), so the run wall caps the run but not the
    cluster's power.

    Electricity: AI demand A_u = AI0·G(t)·(PUE/PUE0)·mix / hardware gain, data centres
    D_u = A_u + (DC0 − AI0)·g_conv(t); the grid-build bound caps each region's data centres at a
    share of its new generation (``_grid_bound``; within DC0 + s_add·(W_t − W0) for the world),
    scaling AI down to fit.
    Price p_t = (DC0·p0 + (DC_t − DC0)·p_new) / DC_t: new demand pays new-build cost.

    References
    ----------
    J. Sevilla et al., "Can AI Scaling Continue Through 2030?", Epoch AI, 2024.
    E. Erdil, D. Schneider-Joseph, "Data movement limits to frontier model training",
    arXiv:2411.01137, 2024. P. Villalobos et al., "Will we run out of data?", ICML 2024.
    IEA, "Energy and AI", 2025.
    """
    lv = levers or LeverEffects()
    yrs = np.asarray(years, dtype=int)
    t = (yrs - base_year).astype(float)[None, :]
    t_near = float(near_term_end - base_year)

    # demanded frontier run
    ts = _col(p, "compute-slowdown-year") - base_year
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
    precision = 1.0 + (_col(p, "precision-gain") - 1.0) * np.clip(t / _PRECISION_RAMP_YEARS, 0.0, 1.0)
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
    shape = np.broadcast_shapes(demanded.shape, eff.shape)

    # electricity: unconstrained demand, then the grid-build bound
    demand_growth = _two_phase(
        _col(p, "ai-compute-demand-growth"), _col(p, "ai-compute-demand-growth-after-2030"), t, t_near
    )
    s_inf = _col(p, "inference-share")
    mix = s_inf / infer_mult + (1.0 - s_inf) / train_mult
    ai0 = _col(p, "ai-electricity-2024")
    ai_demand = ai0 * demand_growth * (pue / pue0) * mix / hw_gain
    dc0 = _col(p, "datacentre-electricity-2024")
    conv = np.maximum(dc0 - ai0, 0.0) * _two_phase(
        _col(p, "conventional-dc-growth"), _col(p, "conventional-dc-growth-after-2030"), t, t_near
    )
    dc_demand = ai_demand + conv
    world0 = _col(p, "world-electricity-2024")
    world_twh = world0 * _col(p, "world-electricity-growth") ** t
    grid = _grid_bound(
        dc_demand,
        dc0,
        world_twh,
        world0,
        _col(p, "world-electricity-growth"),
        _col(p, "dc-share-of-generation-additions"),
        grid_bound,
    )
    dc_twh = grid.total_twh
    ai_twh = np.maximum(dc_twh - conv, 0.0)
    p0 = _col(p, "electricity-price")
    new_twh = np.maximum(dc_twh - dc0, 0.0)
    price = (np.minimum(dc_twh, dc0) * p0 + new_twh * _col(p, "new-supply-price")) / dc_twh

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
    if load_factor is None:
        load_factor = float(catalog.assumption("datacentre-load-factor"))
    ai_power_w = ai_twh * WH_PER_TWH / HOURS_PER_YEAR / load_factor  # capacity, not average use
    allowed["grid"] = share * ai_power_w * dur_s * eff
    out0 = _col(p, "chip-output-2024")
    g_out = _col(p, "chip-output-growth")

    def _output(tt: np.ndarray) -> np.ndarray:
        # H100e output: Epoch's fit to 2030, then units x per-chip compute gain
        units_after = _col(p, "chip-output-growth-after-2030") ** np.maximum(tt - t_near, 0.0)
        gain_after = np.minimum(_col(p, "hardware-efficiency-growth") ** tt, _col(p, "cmos-headroom")) / (
            np.minimum(
                _col(p, "hardware-efficiency-growth") ** np.minimum(tt, t_near), _col(p, "cmos-headroom")
            )
        )
        return out0 * g_out ** np.minimum(tt, t_near) * units_after * gain_after

    allowed["chips"] = share * (_output(t) + _output(t - 1.0)) * chip_flops
    hw_price = _col(p, "hardware-price-2024") / _col(p, "flops-per-dollar-growth") ** t
    per_chip_usd = hw_price * _col(p, "cluster-cost-multiplier")
    energy_per_chip_usd = chip_flops / eff / J_PER_MWH * price  # one H100e's electricity for the run
    g_budget = (_col(p, "budget-growth-to-2030"), _col(p, "budget-growth"))
    budget_scale = _two_phase(*g_budget, t, t_near)
    budget = _col(p, "largest-budget-2024") * budget_scale * _col(p, "budget-share-for-frontier")
    # the cluster is bought over the same two years as the chips wall's output: last year's share
    # of capex bought chips at last year's price (flops-per-dollar-growth dearer), this year's
    # share buys the rest and the run's electricity
    budget_prev = (
        _col(p, "largest-budget-2024")
        * _two_phase(*g_budget, t - 1.0, t_near)
        * _col(p, "budget-share-for-frontier")
        / _col(p, "flops-per-dollar-growth")
    )
    allowed["cost"] = (budget + budget_prev) / (per_chip_usd + energy_per_chip_usd) * chip_flops
    stock = _col(p, "data-stock-tokens") * _col(p, "data-stock-growth") ** t
    allowed["data"] = 6.0 * stock / _col(p, "tokens-per-parameter") * stock
    scale2 = (dur_days / _WALL_REF_DAYS) ** 2
    allowed["latency"] = _col(p, "latency-wall-flop") * (dur_days / _WALL_REF_DAYS) ** _col(
        p, "latency-wall-duration-exponent"
    )
    allowed["data_movement"] = _col(p, "data-movement-wall-flop") * scale2
    allowed = {w: np.broadcast_to(allowed[w], shape) for w in walls}

    def _min(names: tuple[str, ...]) -> np.ndarray:
        ws = [allowed[w] for w in names if w in allowed]
        return np.minimum.reduce(ws) if ws else np.full(shape, np.inf)

    allowed_min = _min(tuple(walls))
    cluster = np.minimum(demanded, _min(HARDWARE_WALLS))
    feasible = np.minimum(cluster, _min(RUN_WALLS))
    energy_j = cluster / eff  # the whole cluster runs for the run's duration
    chips = cluster / chip_flops
    capex = chips * per_chip_usd
    energy_mwh = energy_j / J_PER_MWH
    energy_cost = energy_mwh * price
    hardware_cost = capex * dur_days / (depreciation_years * DAYS_PER_YEAR)
    run_cost = hardware_cost + energy_cost
    # the rest of what developing the model costs: R&D staff at their share of development cost
    staff = float(catalog.assumption("rd-staff-share-of-development-cost"))
    other_cost = run_cost * staff / (1.0 - staff)
    if grid_gco2_kwh is None:
        grid_gco2_kwh = float(catalog.assumption("default-grid-gco2-kwh"))
    intensity = grid_gco2_kwh * np.maximum(1.0 + _col(p, "grid-intensity-change"), 0.0) ** t  # g/kWh
    ai_co2e_mt = ai_twh * 1e9 * intensity / 1e12  # TWh -> kWh, g -> Mt
    return Trajectories(
        years=yrs,
        demanded_flop=np.broadcast_to(demanded, shape),
        allowed_flop=allowed,
        feasible_flop=feasible,
        allowed_min_flop=allowed_min,
        cluster_flop=cluster,
        other_use_flop=cluster - feasible,
        run_power_gw=energy_j / dur_s / W_PER_GW,
        run_energy_twh=energy_j / J_PER_TWH,
        run_cost_usd=run_cost,
        cluster_capex_usd=capex,
        ai_electricity_twh=np.broadcast_to(ai_twh, shape),
        datacentre_electricity_twh=np.broadcast_to(dc_twh, shape),
        world_electricity_twh=np.broadcast_to(world_twh, shape),
        datacentre_demand_twh=np.broadcast_to(dc_demand, shape),
        electricity_price_usd_mwh=np.broadcast_to(price, shape),
        run_energy_cost_usd=energy_cost,
        run_hardware_cost_usd=hardware_cost,
        run_other_cost_usd=other_cost,
        ai_co2e_mt=np.broadcast_to(ai_co2e_mt, shape),
        us_datacentre_electricity_twh=np.broadcast_to(grid.by_region["united-states"], shape),
        datacentre_electricity_by_region_twh={
            r: np.broadcast_to(a, shape) for r, a in grid.by_region.items()
        },
        datacentre_demand_by_region_twh={
            r: np.broadcast_to(a, shape) for r, a in grid.demand_by_region.items()
        },
        new_generation_gw_by_region={r: np.broadcast_to(a, shape) for r, a in grid.new_gw_by_region.items()},
        datacentre_share_cap_by_region=grid.share_cap_by_region,
        budget_scale=np.broadcast_to(budget_scale, shape),
        facility_flop_per_j=np.broadcast_to(eff, shape),
        walls=tuple(walls),
    )
