"""One least-cost supply portfolio for several campuses with one hourly CFE target (PyPSA).

Each campus is a bus with its own weather, technologies, grid price and facility load. The
campuses may be linked by

* **long-haul transmission**: a pair of PyPSA links per campus pair (one each way, equal capacity,
  paid once) over the great-circle distance, with the catalogue's cost per MW-km, converter pair
  and losses (``site_resources.yaml``, ``links``);
* **load shifting**: a training job moves work between campuses hour by hour; each hour a campus
  may run between ``1 - shift_share`` and ``1 + shift_share`` times its own share of the load, the
  total unchanged (the work, not the power, travels; the receiving campus' hourly PUE is taken
  as the sender's, a simplification noted in the result).

The CFE constraint of :mod:`scalewall.supply.optimise` holds over the whole portfolio: the
non-carbon-free energy generated at all campuses together is at most ``(1 - cfe)`` of the
portfolio's load. All hourly series are put on one UTC clock first (weather files keep local
standard time).

The same aggregated path as for one site is used: capacities (and link capacities) from tsam
segments of the year, then the full-year dispatch with them fixed (each campus' backup may be
raised), the full LP only if that fails.

References
----------
Riepin, I., Brown, T. (2024). On the means, costs, and system-level impacts of 24/7 carbon-free
energy procurement. Energy Strategy Reviews 54, 101488. doi:10.1016/j.esr.2024.101488
Pilz, K., et al. (2024). Can AI scaling continue through 2030? Epoch AI, section "Power
constraints" (1-5 GW at one campus, 2-45 GW distributed across several).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scalewall.catalog.energy_sources import EnergySource, LongHaulLink
from scalewall.errors import InfeasiblePlanError, InputError, SolverError
from scalewall.supply.optimise import (
    AGGREGATED_ATTEMPTS,
    CAPACITY_CAP_X_PEAK,
    CFE_SHORTFALL_USD_MWH,
    CFE_TOLERANCE,
    CYCLING_COST_USD_MWH,
    NON_CFE_ROLES,
    _clean_profile,
    _quiet_stdout,
    _solver_attempts,
)
from scalewall.units import HOURS_PER_DAY

__all__ = ["Campus", "PortfolioProblem", "PortfolioSolution", "solve_portfolio", "great_circle_km"]

#: mean radius of the Earth [km] (IUGG mean radius R1)
EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points (haversine) [km].

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float
        [deg]

    Notes
    -----
    ``d = 2 R asin(sqrt(sin^2(dphi/2) + cos(phi1) cos(phi2) sin^2(dlambda/2)))``
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))


@dataclass
class Campus:
    """One campus of a portfolio (hourly arrays on the portfolio's UTC clock).

    Attributes
    ----------
    name : str
    load_mw : ndarray
        Facility load (its share of the IT load x its hourly PUE) [MW].
    sources : list of EnergySource
    profiles : dict
        tech -> hourly maximum output per MW [MW/MW].
    grid_price_usd_mwh : float
        [USD/MWh]
    latitude, longitude : float
        [deg]
    """

    name: str
    load_mw: np.ndarray
    sources: list[EnergySource]
    profiles: dict[str, np.ndarray]
    grid_price_usd_mwh: float
    latitude: float
    longitude: float
    #: grid import limit [MW]; None = the campus's peak load x (1 + shift share)
    grid_cap_mw: float | None = None


@dataclass
class PortfolioProblem:
    """Inputs of one portfolio solve.

    Attributes
    ----------
    campuses : list of Campus
    year : int
    cfe_target : float
        [-] over the whole portfolio.
    link : LongHaulLink or None
        Transmission between every pair of campuses; None = no lines.
    shift_share : float
        Share of each campus' load that may move to other campuses in the same hour [-].
    weights_h, fixed_mw, min_mw, cfe_soft
        As in :class:`scalewall.supply.optimise.SupplyProblem` (keys ``campus/tech``, and
        ``line/a-b`` for lines).
    """

    campuses: list[Campus]
    year: int
    cfe_target: float
    link: LongHaulLink | None = None
    shift_share: float = 0.0
    #: the optimiser picks each campus's share of the IT load (summing to 1); each campus's
    #: ``load_mw`` is then its load were it to carry the whole IT load [-]
    free_shares: bool = False
    weights_h: np.ndarray | None = None
    fixed_mw: dict[str, float] | None = None
    min_mw: dict[str, float] | None = None
    cfe_soft: bool = False

    def weights(self) -> np.ndarray:
        """Hours each snapshot stands for [h]."""
        return np.ones(len(self.campuses[0].load_mw)) if self.weights_h is None else self.weights_h

    def pairs(self) -> list[tuple[Campus, Campus, float]]:
        """Every campus pair with its great-circle distance [km]."""
        cs = self.campuses
        return [
            (a, b, great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude))
            for i, a in enumerate(cs)
            for b in cs[i + 1 :]
        ]


@dataclass
class PortfolioSolution:
    """Capacities per campus, line capacities, hourly dispatch per campus, cost and CFE.

    Attributes
    ----------
    capacity_mw : dict
        campus -> tech -> MW.
    storage_mwh : dict
        campus -> storage tech -> MWh.
    line_mw : dict
        ``a-b`` -> line capacity [MW].
    dispatch : dict
        campus -> DataFrame of hourly MW (columns as in SupplySolution, plus ``shift_in``
        (work received, negative = sent) and ``line_in`` (net line import)).
    annual_cost_usd : float
    line_cost_usd : float
        Part of the annual cost that pays for lines [USD/yr].
    cfe_share : float
        [-] of the whole portfolio.
    balance_error_mw : float
    solve_s, build_s : float
    method : str
    notes : list of str
    """

    capacity_mw: dict[str, dict[str, float]]
    storage_mwh: dict[str, dict[str, float]]
    line_mw: dict[str, float]
    dispatch: dict[str, pd.DataFrame]
    annual_cost_usd: float
    line_cost_usd: float
    cfe_share: float
    balance_error_mw: float
    solve_s: float
    build_s: float
    method: str = "full"
    notes: list[str] = field(default_factory=list)
    #: campus -> share of the IT load carried [-]
    shares: dict[str, float] = field(default_factory=dict)


def _g(campus: str, tech: str) -> str:
    return f"{campus}/{tech}"


def _network(p: PortfolioProblem):
    import pypsa

    pypsa.options.api.legacy_string_dtype = True
    pypsa.options.general.allow_network_requests = False
    n = pypsa.Network()
    hours = len(p.campuses[0].load_mw)
    n.set_snapshots(pd.RangeIndex(hours, name="snapshot"))
    if p.weights_h is not None:
        for col in ("objective", "stores", "generators"):
            n.snapshot_weightings[col] = p.weights_h
    fixed, floor = p.fixed_mw or {}, p.min_mw or {}
    techs = {s.tech for c in p.campuses for s in c.sources}
    # capacity bound from the largest campus load: a campus may build for export over lines
    top = max(float(c.load_mw.max()) for c in p.campuses)
    n.add("Carrier", sorted(techs | {"AC", "load", "shift", "line"}))
    for c in p.campuses:
        n.add("Bus", c.name, carrier="AC")
        if p.free_shares:
            # the campus's load as a negative generator of fixed shape: output = -share x load
            pu = pd.Series(-c.load_mw / float(c.load_mw.max()), index=n.snapshots)
            n.add(
                "Generator",
                _g(c.name, "demand"),
                bus=c.name,
                carrier="load",
                p_nom_extendable=True,
                p_nom_max=float(c.load_mw.max()),
                p_min_pu=pu,
                p_max_pu=pu,
            )
        else:
            n.add(
                "Load",
                _g(c.name, "load"),
                bus=c.name,
                p_set=pd.Series(c.load_mw, index=n.snapshots),
                carrier="load",
            )
        peak = float(c.load_mw.max())
        for s in c.sources:
            name = _g(c.name, s.tech)
            common: dict[str, Any] = dict(
                bus=c.name,
                carrier=s.tech,
                p_nom_extendable=name not in fixed,
                p_nom=fixed.get(name, 0.0),
                p_nom_min=floor.get(name, 0.0),
                p_nom_max=CAPACITY_CAP_X_PEAK * top,
                capital_cost=s.annualised_cost_usd_per_mw_year(p.year),
            )
            if s.role == "storage":
                assert s.round_trip_efficiency is not None  # the catalogue requires it for storage
                eff = float(np.sqrt(s.round_trip_efficiency))
                n.add(
                    "StorageUnit",
                    name,
                    **common,
                    max_hours=s.duration_hours,
                    efficiency_store=eff,
                    efficiency_dispatch=eff,
                    cyclic_state_of_charge=True,
                    marginal_cost=s.variable_om_usd_per_mwh + CYCLING_COST_USD_MWH,
                )
            elif s.role == "import":
                cap = c.grid_cap_mw if c.grid_cap_mw is not None else peak * (1 + p.shift_share)
                n.add(
                    "Generator",
                    name,
                    bus=c.name,
                    carrier=s.tech,
                    p_nom=cap,
                    marginal_cost=c.grid_price_usd_mwh,
                )
            else:
                pmax = (
                    pd.Series(_clean_profile(c.profiles[s.tech]), index=n.snapshots)
                    if s.role == "variable"
                    else s.availability
                )
                n.add("Generator", name, **common, marginal_cost=s.marginal_usd_per_mwh, p_max_pu=pmax)
        if p.shift_share > 0 and len(p.campuses) > 1:
            nom = p.shift_share * peak
            n.add(
                "Generator",
                _g(c.name, "shift"),
                bus=c.name,
                carrier="shift",
                p_nom=nom,
                p_min_pu=-1.0,
                p_max_pu=pd.Series(p.shift_share * c.load_mw / nom, index=n.snapshots),
            )
    if p.link is not None:
        for a, b, km in p.pairs():
            line = f"line/{a.name}-{b.name}"
            eff = p.link.efficiency(km)
            cost = p.link.annualised_usd_per_mw_year(km)
            for src, dst, tag in ((a, b, "fwd"), (b, a, "bwd")):
                n.add(
                    "Link",
                    f"{line}/{tag}",
                    bus0=src.name,
                    bus1=dst.name,
                    carrier="line",
                    efficiency=eff,
                    p_nom_extendable=line not in fixed,
                    p_nom=fixed.get(line, 0.0),
                    # the line is paid once: half its cost on each direction, which carry equal capacity
                    capital_cost=cost / 2,
                )
    return n


def _add_constraints(n, m, p: PortfolioProblem) -> None:
    import xarray as xr

    gen = m.variables["Generator-p"]
    w = p.weights()
    dirty = [_g(c.name, s.tech) for c in p.campuses for s in c.sources if s.role in NON_CFE_ROLES]
    load_terms = None
    if p.free_shares:
        names = [_g(c.name, "demand") for c in p.campuses]
        nom = m.variables["Generator-p_nom"].sel(name=names)
        peaks = np.array([float(c.load_mw.max()) for c in p.campuses])
        energy = np.array([float((c.load_mw * w).sum()) for c in p.campuses])
        idx = pd.Index(names, name="name")
        m.add_constraints(
            (nom * xr.DataArray(1.0 / peaks, coords=[idx])).sum() == 1.0, name="shares_sum_to_one"
        )
        load_terms = (nom * xr.DataArray(energy / peaks, coords=[idx])).sum()  # the load served [MWh]
    if p.cfe_target > 0 and dirty:
        load = sum(float((c.load_mw * w).sum()) for c in p.campuses)
        budget = (1.0 - p.cfe_target) * load
        lhs = (gen.sel(name=dirty) * xr.DataArray(w, coords=[n.snapshots])).sum()
        if load_terms is not None:
            lhs, budget = lhs - (1.0 - p.cfe_target) * load_terms, 0.0
        if p.cfe_soft:
            short = m.add_variables(lower=0, name="cfe_shortfall_mwh")
            m.add_constraints(lhs - short <= budget, name="cfe_share")
            m.objective = m.objective + CFE_SHORTFALL_USD_MWH * short
        else:
            m.add_constraints(lhs <= budget, name="cfe_share")
    shifts = [_g(c.name, "shift") for c in p.campuses if _g(c.name, "shift") in n.generators.index]
    if shifts:
        m.add_constraints(gen.sel(name=shifts).sum("name") == 0, name="shift_balance")
    free = [
        f"line/{a.name}-{b.name}"
        for a, b, _ in p.pairs()
        if f"line/{a.name}-{b.name}" not in (p.fixed_mw or {})
    ]
    if p.link is not None and free:
        nom = m.variables["Link-p_nom"]
        for line in free:
            fwd = nom.sel(name=f"{line}/fwd", drop=True)
            bwd = nom.sel(name=f"{line}/bwd", drop=True)
            m.add_constraints(fwd - bwd == 0, name=f"{line}/equal")


def _solution(n, p: PortfolioProblem, build_s: float) -> PortfolioSolution:
    w = p.weights()
    caps: dict[str, dict[str, float]] = {}
    stores: dict[str, dict[str, float]] = {}
    dispatch: dict[str, pd.DataFrame] = {}
    annual = 0.0
    dirty = load_mwh = 0.0
    worst = 0.0
    line_in = {c.name: np.zeros(len(w)) for c in p.campuses}
    line_mw: dict[str, float] = {}
    line_cost = 0.0
    shares: dict[str, float] = {}
    if p.link is not None:
        for a, b, km in p.pairs():
            line = f"line/{a.name}-{b.name}"
            mw = float(n.links.at[f"{line}/fwd", "p_nom_opt"])
            line_mw[f"{a.name}-{b.name}"] = mw
            line_cost += p.link.annualised_usd_per_mw_year(km) * mw
            for tag in ("fwd", "bwd"):
                row = n.links.loc[f"{line}/{tag}"]
                p0 = n.links_t.p0[f"{line}/{tag}"].to_numpy()
                line_in[row.bus0] -= p0
                line_in[row.bus1] += p0 * float(row.efficiency)
    annual += line_cost
    for c in p.campuses:
        cols: dict[str, np.ndarray] = {}
        cap: dict[str, float] = {}
        store: dict[str, float] = {}
        supply = line_in[c.name].copy()
        curtail = np.zeros(len(w))
        for s in c.sources:
            name = _g(c.name, s.tech)
            if s.role == "storage":
                cap[s.tech] = float(n.storage_units.at[name, "p_nom_opt"])
                store[s.tech] = cap[s.tech] * float(n.storage_units.at[name, "max_hours"])
                dis = n.storage_units_t.p_dispatch[name].to_numpy()
                chg = n.storage_units_t.p_store[name].to_numpy()
                both = np.minimum(dis, chg)
                cols[f"{s.tech}_discharge"], cols[f"{s.tech}_charge"] = dis - both, chg - both
                cols[f"{s.tech}_soc_mwh"] = n.storage_units_t.state_of_charge[name].to_numpy()
                supply += dis - chg
                energy = float((w * cols[f"{s.tech}_discharge"]).sum())
                annual += (
                    s.annualised_cost_usd_per_mw_year(p.year) * cap[s.tech]
                    + s.variable_om_usd_per_mwh * energy
                )
                continue
            cap[s.tech] = float(n.generators.at[name, "p_nom_opt"])
            out = n.generators_t.p[name].to_numpy()
            cols[s.tech] = out
            supply += out
            energy = float((w * out).sum())
            if s.role == "import":
                annual += c.grid_price_usd_mwh * energy
            else:
                annual += (
                    s.annualised_cost_usd_per_mw_year(p.year) * cap[s.tech] + s.marginal_usd_per_mwh * energy
                )
            if s.role in NON_CFE_ROLES:
                dirty += energy
            if s.role == "variable":
                curtail += np.clip(c.profiles[s.tech] * cap[s.tech] - out, 0, None)
        shift_name = _g(c.name, "shift")
        shift = (
            n.generators_t.p[shift_name].to_numpy() if shift_name in n.generators.index else np.zeros(len(w))
        )
        cols["shift_in"] = -shift
        cols["line_in"] = line_in[c.name]
        demand = _g(c.name, "demand")
        load_c = -n.generators_t.p[demand].to_numpy() if p.free_shares else c.load_mw.copy()
        shares[c.name] = (
            float(n.generators.at[demand, "p_nom_opt"]) / float(c.load_mw.max())
            if p.free_shares
            else float("nan")
        )
        cols["load"] = load_c
        cols["curtailment"] = curtail
        worst = max(worst, float(np.max(np.abs(supply + shift - load_c))))
        for col in cols:
            if col not in ("shift_in", "line_in", "load"):
                worst = max(worst, -float(np.min(cols[col])))
        load_mwh += float((w * load_c).sum())
        caps[c.name], stores[c.name], dispatch[c.name] = cap, store, pd.DataFrame(cols)
    return PortfolioSolution(
        caps,
        stores,
        line_mw,
        dispatch,
        annual,
        line_cost,
        1.0 - dirty / load_mwh,
        worst,
        0.0,
        build_s,
        shares={k: v for k, v in shares.items() if v == v},  # NaN: shares were given
    )


def _solve_once(p: PortfolioProblem, threads: int | None) -> PortfolioSolution:
    import logging
    import os

    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    t0 = time.perf_counter()
    n = _network(p)
    m = n.optimize.create_model(include_objective_constant=False)
    _add_constraints(n, m, p)
    build_s = time.perf_counter() - t0
    tol = 1e-5 * max(float(c.load_mw.max()) for c in p.campuses)
    tried = []
    t0 = time.perf_counter()
    for label, opts in _solver_attempts(
        threads or min(2, os.cpu_count() or 1), dispatch_only=p.fixed_mw is not None
    ):
        with _quiet_stdout():
            status, condition = n.optimize.solve_model(
                solver_name="highs", io_api="direct", solver_options=opts
            )
        if condition in ("infeasible", "infeasible_or_unbounded"):
            raise InfeasiblePlanError(
                f"no portfolio of {', '.join(c.name for c in p.campuses)} meets CFE {p.cfe_target:.1%} "
                f"(solver: {condition}); allow more technologies, links or shifting, or lower --cfe"
            )
        if status != "ok":
            tried.append(f"{label}: {condition}")
            continue
        sol = _solution(n, p, build_s)
        short = (p.cfe_target - sol.cfe_share) if not p.cfe_soft else 0.0
        if condition == "optimal" and sol.balance_error_mw <= tol and short <= CFE_TOLERANCE:
            sol.solve_s = time.perf_counter() - t0
            if tried:
                sol.notes.append("solver fallback: " + "; ".join(tried))
            return sol
        tried.append(f"{label}: {condition}, balance off by {sol.balance_error_mw:.3g} MW")
    raise SolverError("HiGHS found no verified optimum of the portfolio LP (" + "; ".join(tried) + ")")


def solve_portfolio(
    p: PortfolioProblem, threads: int | None = None, method: str = "auto"
) -> PortfolioSolution:
    """Least-cost portfolio; ``method`` as in :func:`scalewall.supply.optimise.solve_supply`.

    Raises
    ------
    InputError
        Fewer than two campuses, hourly series of different lengths, a bad shift share.
    InfeasiblePlanError
        When no portfolio meets the CFE target.
    """
    if len(p.campuses) < 2:
        raise InputError("a portfolio needs at least two campuses; give one site for a single campus")
    names = [c.name for c in p.campuses]
    if len(set(names)) != len(names):
        raise InputError(f"campus names must differ, got {', '.join(names)}")
    hours = {len(c.load_mw) for c in p.campuses}
    if len(hours) != 1:
        raise InputError("every campus needs the same number of hours")
    if p.free_shares and p.shift_share > 0:
        raise InputError(
            "free shares already let the optimiser place the load; give --shift-share 0 with them"
        )
    if not 0 <= p.shift_share <= 1:
        raise InputError(f"--shift-share must be between 0 and 1, got {p.shift_share}")
    if not 0 <= p.cfe_target <= 1:
        raise InputError(f"--cfe must be between 0 and 1, got {p.cfe_target}")
    n_hours = hours.pop()
    if method != "full" and n_hours % HOURS_PER_DAY == 0 and n_hours >= 28 * HOURS_PER_DAY:
        sol, why = _solve_aggregated(p, threads)
        if sol is not None:
            return sol
        full = _solve_once(p, threads)
        full.notes.append(
            f"aggregated design not verified, full {n_hours:,}-hour LP solved: " + "; ".join(why)
        )
        return full
    return _solve_once(p, threads)


def _solve_aggregated(p: PortfolioProblem, threads: int | None) -> tuple[PortfolioSolution | None, list[str]]:
    """As :func:`scalewall.supply.optimise._solve_aggregated`, for the whole portfolio."""
    from scalewall.supply.aggregate import segment_year
    from scalewall.supply.optimise import DESIGN_CFE_MARGIN, DESIGN_CFE_MARGIN_MAX

    t0 = time.perf_counter()
    series = {}
    for c in p.campuses:
        series[_g(c.name, "load")] = c.load_mw
        for t, v in c.profiles.items():
            series[_g(c.name, t)] = _clean_profile(v)
    seg = segment_year(series)
    spent = {"segmenting": time.perf_counter() - t0, "design": 0.0, "verification": 0.0}
    target = min(1.0, p.cfe_target + min(DESIGN_CFE_MARGIN * (1.0 - p.cfe_target), DESIGN_CFE_MARGIN_MAX))
    why: list[str] = []
    for k in range(1, AGGREGATED_ATTEMPTS + 1):
        design_p = dataclasses.replace(
            p,
            campuses=[
                dataclasses.replace(
                    c,
                    load_mw=seg.mean(c.load_mw),
                    profiles={t: seg.mean(_clean_profile(v)) for t, v in c.profiles.items()},
                )
                for c in p.campuses
            ],
            weights_h=seg.hours,
            cfe_target=target,
        )
        t1 = time.perf_counter()
        try:
            design = _solve_once(design_p, threads)
        except (InfeasiblePlanError, SolverError) as exc:
            return None, why + [f"design {k} failed: {exc}"]
        fixed: dict[str, float] = {f"line/{k_}": v for k_, v in design.line_mw.items()}
        # free shares: the design's shares are fixed too, the verification serves those loads
        check = (
            dataclasses.replace(
                p,
                free_shares=False,
                campuses=[
                    dataclasses.replace(
                        c, load_mw=design.shares[c.name] * c.load_mw, grid_cap_mw=float(c.load_mw.max())
                    )
                    for c in p.campuses
                ],
            )
            if p.free_shares
            else p
        )
        floor: dict[str, float] = {}
        for c in p.campuses:
            backups = [s for s in c.sources if s.role == "dispatchable"]
            backup = (
                min(backups, key=lambda s: s.annualised_cost_usd_per_mw_year(p.year)) if backups else None
            )
            for s in c.sources:
                if s.role == "import":
                    continue
                (floor if backup is not None and s.tech == backup.tech else fixed)[_g(c.name, s.tech)] = (
                    design.capacity_mw[c.name][s.tech]
                )
        t2 = time.perf_counter()
        spent["design"] += t2 - t1
        try:
            sol = _solve_once(
                dataclasses.replace(check, fixed_mw=fixed, min_mw=floor, cfe_soft=True), threads
            )
            if p.free_shares:
                sol.shares = dict(design.shares)
        except (InfeasiblePlanError, SolverError):
            return None, why + [f"design {k} cannot serve every hour of the full year"]
        spent["verification"] += time.perf_counter() - t2
        if sol.cfe_share >= p.cfe_target - CFE_TOLERANCE:
            sol.method = "aggregated"
            sol.solve_s = time.perf_counter() - t0
            sol.notes.append(
                f"capacities from {len(seg):,} chronological segments of the year (tsam), design {k}; "
                f"verified on all {len(p.weights()):,} hours: balanced, CFE {sol.cfe_share:.4%} >= "
                f"target {p.cfe_target:.4%} (" + ", ".join(f"{a} {b:.1f} s" for a, b in spent.items()) + ")"
            )
            return sol, why
        why.append(f"design {k} (CFE {target:.4%} on segments) met {sol.cfe_share:.4%} on the full year")
        target = min(1.0, target + 1.5 * (p.cfe_target - sol.cfe_share))
    return None, why
