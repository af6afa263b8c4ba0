"""Least-cost hourly supply of a site load with an hourly-matched carbon-free share (PyPSA).

One bus, one typical year of 8,760 hours. PyPSA (linopy + HiGHS) chooses the capacity of every
allowed technology and its hourly dispatch to minimise annualised cost (capital annuity + fixed
O&M + variable O&M + fuel + grid energy), subject to the hourly energy balance and

    sum_t sum_{g not carbon-free} p_g,t  <=  (1 - cfe) * sum_t load_t            (CFE)

Definition of the CFE share used here (hourly matching on an islanded site): the site exports
nothing, so every MWh consumed in hour t is produced in hour t or drawn from storage that was
charged earlier. The share of load NOT met by carbon-free energy is at most the energy generated
by non-carbon-free sources (gas, gas-CCS, grid import), counted when generated, including any of
it that is stored and lost. Hence ``cfe_share = 1 - E_non-CFE / E_load`` is a conservative
(lower-bound) hourly-matched CFE score in the sense of Riepin & Brown (2024): surplus clean
energy in one hour cannot offset another hour except through physical storage.

References
----------
Riepin, I., Brown, T. (2024). On the means, costs, and system-level impacts of 24/7 carbon-free
energy procurement. Energy Strategy Reviews 54, 101488. doi:10.1016/j.esr.2024.101488
Brown, T., Hörsch, J., Schlachtberger, D. (2018). PyPSA: Python for Power System Analysis.
Journal of Open Research Software 6(1). doi:10.5334/jors.188
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scalewall.catalog.energy_sources import EnergySource
from scalewall.errors import InfeasiblePlanError, InputError, SolverError
from scalewall.units import HOURS_PER_DAY, HOURS_PER_YEAR

__all__ = ["SupplyProblem", "SupplySolution", "solve_supply", "max_cfe_without_storage"]

NON_CFE_ROLES = ("dispatchable", "import")
#: Upper bound on any technology's capacity, as a multiple of the peak facility load [-]. Far
#: above any least-cost plan (solar at 100 % CFE in Greensboro: 8x), it is there for the
#: interior-point solver: unbounded capacity columns made HiPO stall on some 99 % CFE cases
#: (Greensboro solar + wind + battery + gas at 99 %: "no progress" unbounded, optimal with a
#: bound of 50x, 200x or 1000x).
#: A plan that reaches it is reported in the notes.
CAPACITY_CAP_X_PEAK = 1000.0
#: NUMERICAL REGULARISATION, not a cost anyone pays: charged per MWh discharged from storage in the
#: LP objective only (never in the reported cost). Without it, charging and discharging in the
#: same hour costs nothing when clean output would be curtailed anyway, so the LP's optimal face
#: contains pointless cycling and an interior-point solver returns a point inside it (4,394
#: simultaneous hours at Greensboro, 100 MW, CFE 90 %). 0.1 USD/MWh moves the objective by
#: < 0.05 % and makes any same-hour cycling strictly worse than curtailing [USD/MWh].
CYCLING_COST_USD_MWH = 0.1
#: NUMERICAL DEVICE of the verification dispatch only (capacities fixed): the price of each MWh of
#: non-CFE energy above the CFE budget, so a design that misses its target still dispatches and
#: says by how much. 10,000 USD/MWh is 100x the dearest marginal cost in the catalogue, so the
#: dispatch meets the target whenever the fixed capacities can [USD/MWh].
CFE_SHORTFALL_USD_MWH = 1.0e4


@dataclass
class SupplyProblem:
    """Inputs of one solve (all hourly arrays have 8,760 values).

    Attributes
    ----------
    load_mw : ndarray
        Facility load (IT x PUE) [MW].
    sources : list of EnergySource
        Technologies allowed.
    profiles : dict
        tech -> hourly maximum output per MW of capacity [MW/MW] for variable sources.
    year : int
        Cost year.
    cfe_target : float
        Minimum hourly-matched CFE share [-].
    grid_price_usd_mwh : float
        [USD/MWh]
    grid_cap_mw : float or None
        Maximum grid import [MW]; None = unlimited.
    flexible_share : float
        Share of each hour's load that can move to another hour of the same day [-].
    """

    load_mw: np.ndarray
    sources: list[EnergySource]
    profiles: dict[str, np.ndarray]
    year: int
    cfe_target: float
    grid_price_usd_mwh: float = 80.0
    grid_cap_mw: float | None = None
    flexible_share: float = 0.0
    #: carbon-free share of the grid's generation each hour (--grid-hourly); None = 0 [-]
    grid_clean_share: np.ndarray | None = None
    #: grid price each hour (--grid-hourly); None = grid_price_usd_mwh [USD/MWh]
    grid_price_hourly: np.ndarray | None = None
    #: hours each snapshot stands for (aggregated design year); None = one hour each [h]
    weights_h: np.ndarray | None = None
    #: capacities fixed in advance (a dispatch-only LP that verifies a design) [MW]
    fixed_mw: dict[str, float] | None = None
    #: lower bounds on capacities left free (the verification's backup) [MW]
    min_mw: dict[str, float] | None = None
    #: when True the CFE target may be missed at a penalty (verification reports the share met)
    cfe_soft: bool = False

    def weights(self) -> np.ndarray:
        """Hours each snapshot stands for [h]."""
        return np.ones(len(self.load_mw)) if self.weights_h is None else self.weights_h

    def dirty_share(self, s: EnergySource) -> np.ndarray:
        """Share of each hour's output of ``s`` that is not carbon-free [-] (grid: 1 - clean share)."""
        hours = len(self.load_mw)
        if s.role == "import" and self.grid_clean_share is not None:
            return 1.0 - self.grid_clean_share
        return np.full(hours, 0.0 if s.carbon_free or s.role == "storage" else 1.0)

    def grid_price(self) -> np.ndarray:
        """Grid price each hour [USD/MWh]."""
        if self.grid_price_hourly is not None:
            return self.grid_price_hourly
        return np.full(len(self.load_mw), self.grid_price_usd_mwh)


@dataclass
class SupplySolution:
    """Optimal capacities and dispatch.

    Attributes
    ----------
    capacity_mw : dict
        tech -> power capacity [MW].
    storage_mwh : dict
        storage tech -> energy capacity [MWh].
    dispatch : DataFrame
        Hourly MW: one column per generator (output), ``<storage>_discharge``,
        ``<storage>_charge``, ``<storage>_soc_mwh``, ``flex_shift`` (load moved out of the hour,
        negative = moved in), ``load``, ``curtailment``.
    annual_cost_usd : float
    balance_error_mw : float
        Largest hourly |supply - demand| [MW].
    solve_s, build_s : float
    notes : list of str
    """

    capacity_mw: dict[str, float]
    storage_mwh: dict[str, float]
    dispatch: pd.DataFrame
    annual_cost_usd: float
    balance_error_mw: float
    solve_s: float
    build_s: float
    notes: list[str] = field(default_factory=list)
    #: hours in which some storage both charged and discharged by more than 1e-4 of the peak
    #: before the solver-noise residue was netted (0 expected: see CYCLING_COST_USD_MWH) [h]
    simultaneous_storage_hours: int = 0
    #: how the answer was found: "full" (one 8,760-hour LP) or "aggregated" (capacities from a
    #: segmented year, verified by an 8,760-hour dispatch with those capacities fixed)
    method: str = "full"


def max_cfe_without_storage(load_mw: np.ndarray, clean_profiles: list[np.ndarray]) -> float:
    """Highest CFE share reachable with unlimited clean capacity and no storage [-].

    Hours in which no carbon-free source can produce anything must be met by non-CFE energy.
    """
    if not clean_profiles:
        return 0.0
    avail = np.max(np.vstack(clean_profiles), axis=0) > 0
    return float(load_mw[avail].sum() / load_mw.sum())


def _prune_dominated(sources: list[EnergySource], year: int) -> tuple[list[EnergySource], list[str]]:
    """Drop constant-availability generators that another one beats on every cost term.

    B is dominated by A when A is at least as clean, costs no more per *available* MW-year and
    no more per MWh. Exact for this LP: any use of B can be replaced by A at no extra cost.
    """
    firm = [s for s in sources if s.role in ("firm", "dispatchable")]
    drop: dict[str, str] = {}
    for b in firm:
        for a in firm:
            if a.id == b.id or a.id in drop:
                continue
            if (
                a.carbon_free >= b.carbon_free
                and a.annualised_cost_usd_per_mw_year(year) / a.availability
                <= b.annualised_cost_usd_per_mw_year(year) / b.availability
                and a.marginal_usd_per_mwh <= b.marginal_usd_per_mwh
            ):
                drop[b.id] = a.id
                break
    notes = [
        f"{b} left out: dominated by {a} (no cheaper per available MW or per MWh, no dirtier)"
        for b, a in drop.items()
    ]
    return [s for s in sources if s.id not in drop], notes


def _check_feasible(p: SupplyProblem) -> None:
    clean = [
        s for s in p.sources if s.carbon_free or (s.role == "import" and float(p.dirty_share(s).min()) < 1)
    ]
    names = ", ".join(s.tech for s in p.sources)
    if p.cfe_target > 0 and not clean:
        raise InfeasiblePlanError(
            f"a CFE target of {p.cfe_target:.0%} needs at least one carbon-free technology; allowed: {names}"
        )
    has_store = any(s.role == "storage" for s in p.sources)
    has_firm_clean = any(s.role == "firm" and s.carbon_free for s in p.sources) or any(
        s.role == "import" and s in clean for s in p.sources
    )
    gens_clean = [p.profiles[s.tech] for s in clean if s.role == "variable"]
    if p.cfe_target > 0 and not has_firm_clean and not has_store:
        ceiling = max_cfe_without_storage(p.load_mw, gens_clean)
        if p.cfe_target > ceiling + 1e-9:
            raise InfeasiblePlanError(
                f"CFE target {p.cfe_target:.1%} is infeasible with {names}: without storage or "
                f"firm clean power at most {ceiling:.1%} of the load falls in hours when a "
                "carbon-free source produces anything; add battery, ldes, nuclear or geothermal"
            )
    if has_store and p.cfe_target > 0 and not has_firm_clean:
        if not gens_clean or max(float(g.sum()) for g in gens_clean) <= 0:
            raise InfeasiblePlanError(
                f"CFE target {p.cfe_target:.1%} is infeasible with {names}: the carbon-free "
                "sources produce nothing at this site (storage needs something to store)"
            )
    only_grid = all(s.role == "import" for s in p.sources)
    if only_grid and p.grid_cap_mw is not None and p.grid_cap_mw < p.load_mw.max() * (1 - p.flexible_share):
        raise InfeasiblePlanError(
            f"grid import cap {p.grid_cap_mw:g} MW is below the peak facility load "
            f"{p.load_mw.max():.1f} MW and no other technology is allowed"
        )


def _clean_profile(x: np.ndarray) -> np.ndarray:
    """Round hourly output to 1e-4 of capacity: values below it are noise (dawn/dusk PV,
    sub-cut-in wind) and their tiny matrix coefficients slow the solver down."""
    return np.where(x < 1e-3, 0.0, np.round(x, 4))


def _grid_cap_mw(p: SupplyProblem) -> float:
    """Grid import limit [MW]: ``--grid-cap-mw``, else the peak load plus the flexible share
    that may be moved into the peak hour."""
    return p.grid_cap_mw if p.grid_cap_mw is not None else float(p.load_mw.max()) * (1 + p.flexible_share)


def _network(p: SupplyProblem):
    import pypsa

    pypsa.options.api.legacy_string_dtype = True
    pypsa.options.general.allow_network_requests = False
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(len(p.load_mw), name="snapshot"))
    if p.weights_h is not None:
        for col in ("objective", "stores", "generators"):
            n.snapshot_weightings[col] = p.weights_h
    fixed = p.fixed_mw or {}
    floor = p.min_mw or {}
    carriers = sorted({s.tech for s in p.sources} | {"AC", "load", "flex"})
    n.add("Carrier", carriers)
    n.add("Bus", "site", carrier="AC")
    n.add("Load", "facility", bus="site", p_set=pd.Series(p.load_mw, index=n.snapshots), carrier="load")
    peak = float(p.load_mw.max())
    for s in p.sources:
        if s.role == "storage":
            assert s.round_trip_efficiency is not None  # the validator requires it for storage
            eff = float(np.sqrt(s.round_trip_efficiency))
            n.add(
                "StorageUnit",
                s.tech,
                bus="site",
                carrier=s.tech,
                p_nom_extendable=s.tech not in fixed,
                p_nom=fixed.get(s.tech, 0.0),
                p_nom_max=CAPACITY_CAP_X_PEAK * peak,
                capital_cost=s.annualised_cost_usd_per_mw_year(p.year),
                max_hours=s.duration_hours,
                efficiency_store=eff,
                efficiency_dispatch=eff,
                cyclic_state_of_charge=True,
                marginal_cost=s.variable_om_usd_per_mwh + CYCLING_COST_USD_MWH,
            )
        elif s.role == "import":
            cap = _grid_cap_mw(p)
            price = (
                pd.Series(p.grid_price_hourly, index=n.snapshots)
                if p.grid_price_hourly is not None
                else p.grid_price_usd_mwh
            )
            n.add("Generator", s.tech, bus="site", carrier=s.tech, p_nom=cap, marginal_cost=price)
        else:
            pmax = (
                pd.Series(_clean_profile(p.profiles[s.tech]), index=n.snapshots)
                if s.role == "variable"
                else s.availability
            )
            n.add(
                "Generator",
                s.tech,
                bus="site",
                carrier=s.tech,
                p_nom_extendable=s.tech not in fixed,
                p_nom=fixed.get(s.tech, 0.0),
                p_nom_min=floor.get(s.tech, 0.0),
                p_nom_max=CAPACITY_CAP_X_PEAK * peak,
                capital_cost=s.annualised_cost_usd_per_mw_year(p.year),
                marginal_cost=s.marginal_usd_per_mwh,
                p_max_pu=pmax,
            )
    if p.flexible_share > 0:
        nom = p.flexible_share * peak
        n.add(
            "Generator",
            "flex",
            bus="site",
            carrier="flex",
            p_nom=nom,
            p_min_pu=-1.0,
            p_max_pu=pd.Series(p.flexible_share * p.load_mw / nom, index=n.snapshots),
        )
    return n


def _add_constraints(n, m, p: SupplyProblem) -> None:
    import xarray as xr

    gen = m.variables["Generator-p"]
    dirty = [s for s in p.sources if s.role in NON_CFE_ROLES]
    if p.cfe_target > 0 and dirty:
        w = p.weights()
        budget = (1.0 - p.cfe_target) * float((p.load_mw * w).sum())
        # MWh of non-CFE energy per MW of output in each snapshot: its hours x its dirty share
        coeff = xr.DataArray(
            np.column_stack([w * p.dirty_share(s) for s in dirty]),
            coords=[n.snapshots, pd.Index([s.tech for s in dirty], name="name")],
        )
        lhs = (gen.sel(name=[s.tech for s in dirty]) * coeff).sum()
        if p.cfe_soft:
            short = m.add_variables(lower=0, name="cfe_shortfall_mwh")
            m.add_constraints(lhs - short <= budget, name="cfe_share")
            m.objective = m.objective + CFE_SHORTFALL_USD_MWH * short
        else:
            m.add_constraints(lhs <= budget, name="cfe_share")
    if p.flexible_share > 0:
        day = xr.DataArray(np.arange(len(p.load_mw)) // 24, coords=[n.snapshots], name="day")
        flex = gen.sel(name="flex")
        m.add_constraints(flex.groupby(day).sum() == 0, name="flex_daily_balance")


@functools.cache
def ipm_solver() -> str:
    """HiGHS interior-point solver to use: ``"hipo"`` where highspy-extras provides it, else ``"ipx"``.

    HiPO (HiGHS' factorisation-based IPM, BLAS + METIS from highspy-extras) solves the 8,760-hour
    LP 7x faster than IPX on eight technologies (12.2 s against 90.1 s) and 2.3x on the default
    five (5.9 s against 13.8 s): IPX's normal-equation CG struggles with the capacity columns,
    which touch every hour (benchmarks/bench_site.py).
    """
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        ok = h.setOptionValue("solver", "hipo") == highspy.HighsStatus.kOk
    return "hipo" if ok else "ipx"


def _solver_attempts(threads: int, dispatch_only: bool = False) -> list[tuple[str, dict]]:
    """HiGHS configurations tried in turn until one returns a verified optimum.

    Interior point without crossover is the fast path for this LP (8,760 hours x all
    technologies; simplex takes minutes). Neither IPM is robust on every case. HiPO with the AMD
    fill-reducing ordering solved all 18 Greensboro cases of the README (3-10 technologies,
    CFE 0-100 %) and was faster than its default ordering on 14 of them; the default ordering
    stalled ("no progress") on solar + battery + LDES and, before capacities were bounded, on
    several 99 % cases; IPX stalls on solar + battery + LDES too. Each attempt is checked
    against the constraints in :func:`_worst_violation` before it is accepted; the last resort
    is IPX with crossover (a vertex, slow but exact).
    """
    base = {
        "run_crossover": "off",
        "output_flag": False,
        "log_to_console": False,
        "primal_feasibility_tolerance": 1e-7,
        "dual_feasibility_tolerance": 1e-7,
        "threads": threads,
    }
    out = []
    if dispatch_only:
        # capacities fixed (the verification of an aggregated portfolio): no column touches every
        # hour, and HiGHS's dual simplex beat HiPO 2x on the three-campus year (13.8 s vs 27.0 s);
        # not for one site, where it took 4x longer than HiPO with 100-hour storage and nuclear
        out.append(("dual simplex", {**base, "solver": "simplex"}))
    if ipm_solver() == "hipo":
        out += [
            ("HiPO", {**base, "solver": "hipo", "hipo_ordering": "amd"}),
            ("HiPO with its default ordering", {**base, "solver": "hipo"}),
        ]
    out += [
        ("IPX", {**base, "solver": "ipx"}),
        ("IPX + crossover", {**base, "solver": "ipx", "run_crossover": "on"}),
    ]
    return out


def _tolerance_mw(p: SupplyProblem) -> float:
    """Largest constraint violation accepted in a solution [MW]: 1e-5 of the peak load."""
    return 1e-5 * float(p.load_mw.max())


def _worst_violation(sol: SupplySolution, p: SupplyProblem) -> tuple[float, str]:
    """Largest violation of the LP's constraints by a solution [MW] and the constraint's name.

    Checked independently of the solver's own status: non-negative dispatch, output within
    hourly availability x capacity, storage power and energy limits, hourly balance, and the
    CFE budget (as MWh divided by the hours).
    """
    d = sol.dispatch
    checks: list[tuple[float, str]] = [(sol.balance_error_mw, "hourly balance")]
    for col in d.columns:
        if col not in ("flex_shift", "load", "curtailment"):
            checks.append((-float(d[col].min()), f"{col} >= 0"))
    dirty = 0.0
    for s in p.sources:
        cap = sol.capacity_mw.get(s.tech, 0.0)
        if s.role == "storage":
            checks.append((float(d[f"{s.tech}_charge"].max()) - cap, f"{s.tech} charge <= power"))
            checks.append((float(d[f"{s.tech}_discharge"].max()) - cap, f"{s.tech} discharge <= power"))
            checks.append(
                (
                    float(d[f"{s.tech}_soc_mwh"].max()) - sol.storage_mwh[s.tech],
                    f"{s.tech} state of charge <= energy",
                )
            )
            continue
        if s.role == "import":
            limit = np.full(len(d), _grid_cap_mw(p))
        elif s.role == "variable":
            limit = _clean_profile(p.profiles[s.tech]) * cap
        else:
            limit = np.full(len(d), s.availability * cap)
        checks.append((float(np.max(d[s.tech].to_numpy() - limit)), f"{s.tech} <= available"))
        if s.role in NON_CFE_ROLES:
            dirty += float((d[s.tech].to_numpy() * p.weights() * p.dirty_share(s)).sum())
    if p.cfe_target > 0 and not p.cfe_soft:
        excess = dirty - (1.0 - p.cfe_target) * float((p.load_mw * p.weights()).sum())
        checks.append((excess / p.weights().sum(), "CFE share"))
    return max(checks)


@contextlib.contextmanager
def _quiet_stdout():
    """Send file descriptor 1 to the null device while the solver runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


#: peak load the LP is solved at [MW]: the problem is homogeneous of degree one in the load
#: (capacities, dispatch and cost scale with it; CFE, flexibility and the capacity bound are
#: relative), so any load is solved per unit of this peak and scaled back exactly, which keeps
#: HiGHS's absolute tolerances meaningful from kilowatts to gigawatts
REFERENCE_PEAK_MW = 100.0


#: solve paths :func:`solve_supply` accepts
METHODS = ("auto", "full", "aggregated")
#: designs tried on the aggregated year before the full LP is solved instead [-]
AGGREGATED_ATTEMPTS = 3
#: FITTED on the bundled sites (Greensboro, Sand Point, Miami; solar, wind, battery, gas, grid at
#: CFE 90 % and eight technologies at 99 %): the first design aims this share of the gap to 100 %
#: above the target, because the segments hide hours of clean shortfall. A design for exactly the
#: target met 3.8-5.9 % of the gap less on the full year at 90 % and 0.4-4.5 % less at 99 %, so
#: each such case needed a second design [-].
DESIGN_CFE_MARGIN = 0.08
#: ASSUMPTION: the first design's margin is at most this many CFE points [-], so that a low target
#: (50 %: 4 points by the share above) is not overshot; a shortfall is caught by the redesign
DESIGN_CFE_MARGIN_MAX = 0.01
#: the CFE share a verified design must reach: the target less this [-] (solver tolerance)
CFE_TOLERANCE = 1e-5


def solve_supply(
    p: SupplyProblem,
    threads: int | None = None,
    method: str = "auto",
    segments_per_day: int | None = None,
) -> SupplySolution:
    """Build and solve the least-cost supply LP; see the module docstring for the formulation.

    The LP is solved with the load scaled to a peak of :data:`REFERENCE_PEAK_MW` and the answer
    scaled back (exact: the LP is linear and homogeneous in the load and the grid cap).

    ``method="auto"`` (the default) finds the capacities on an aggregated year
    (:mod:`scalewall.supply.aggregate`) and then dispatches the full year with them fixed; the
    answer is accepted when that dispatch balances every hour and meets the CFE target, else the
    design is retried with a target raised by the shortfall (up to :data:`AGGREGATED_ATTEMPTS`
    designs) and then the full LP is solved. ``SupplySolution.method`` says which path answered.
    ``"full"`` solves the full LP only; ``"aggregated"`` is ``"auto"`` for years too short to
    aggregate too. A flexible load (moved within each day) is always solved on the full year.

    Raises
    ------
    InfeasiblePlanError
        When the CFE target or grid cap cannot be met with the technologies allowed; the
        message says why.
    """
    if len(p.load_mw) != HOURS_PER_YEAR and len(p.load_mw) < HOURS_PER_DAY:
        raise InputError("the load needs at least one day of hourly values")
    if not 0 <= p.cfe_target <= 1:
        raise InputError(f"--cfe must be between 0 and 1, got {p.cfe_target}")
    if not 0 <= p.flexible_share < 1:
        raise InputError(f"--flexible-share must be in [0, 1), got {p.flexible_share}")
    peak = float(np.max(p.load_mw))
    if not peak > 0:
        raise InputError("the load must be positive in at least one hour")
    if method not in METHODS:
        raise InputError(f"solve method {method!r} is not one of {', '.join(METHODS)}")
    from scalewall.supply.aggregate import DEFAULT_SEGMENTS_PER_DAY

    per_day = segments_per_day or DEFAULT_SEGMENTS_PER_DAY
    sources, notes = _prune_dominated(p.sources, p.year)
    p = SupplyProblem(**{**p.__dict__, "sources": sources})
    _check_feasible(p)
    k = REFERENCE_PEAK_MW / peak
    scaled = SupplyProblem(
        **{
            **p.__dict__,
            "load_mw": p.load_mw * k,
            "grid_cap_mw": None if p.grid_cap_mw is None else p.grid_cap_mw * k,
        }
    )
    sol = None
    hours = len(p.load_mw)
    if (
        method != "full"
        and p.flexible_share == 0
        and hours % HOURS_PER_DAY == 0
        and hours >= 28 * HOURS_PER_DAY
    ):
        sol, why = _solve_aggregated(scaled, threads, p.grid_cap_mw, notes, per_day)
        if sol is None:
            notes = notes + [
                f"aggregated design not verified, full {hours:,}-hour LP solved: " + "; ".join(why)
            ]
    elif method != "full" and p.flexible_share > 0:
        notes = notes + ["flexible load: solved on the full year (its daily shift needs whole days)"]
    if sol is None:
        sol = _solve_per_unit(scaled, threads, p.grid_cap_mw, notes)
    return SupplySolution(
        {t: v / k for t, v in sol.capacity_mw.items()},
        {t: v / k for t, v in sol.storage_mwh.items()},
        sol.dispatch / k,
        sol.annual_cost_usd / k,
        sol.balance_error_mw / k,
        sol.solve_s,
        sol.build_s,
        sol.notes,
        sol.simultaneous_storage_hours,
        sol.method,
    )


def _solve_aggregated(
    p: SupplyProblem, threads: int | None, grid_cap_mw: float | None, notes: list[str], per_day: int
) -> tuple[SupplySolution | None, list[str]]:
    """Capacities from a segmented year, verified by a full-year dispatch with them fixed.

    Returns the verified solution (``method="aggregated"``), or None and the reasons each design
    failed. Each design that misses the CFE target on the full year is redesigned for a target
    raised by 1.5x its shortfall: the segments smooth out the hours in which clean output falls
    short, so the aggregated year is optimistic by about that much.
    """
    import dataclasses

    from scalewall.supply.aggregate import segment_year

    t0 = time.perf_counter()
    techs = {s.tech for s in p.sources}
    hourly = {t: _clean_profile(v) for t, v in p.profiles.items() if t in techs}
    grid = {"grid clean share": p.grid_clean_share, "grid price": p.grid_price_hourly}
    seg = segment_year(
        {"load": p.load_mw, **hourly, **{k: v for k, v in grid.items() if v is not None}}, per_day
    )
    load_mwh = float(p.load_mw.sum())
    target = min(1.0, p.cfe_target + min(DESIGN_CFE_MARGIN * (1.0 - p.cfe_target), DESIGN_CFE_MARGIN_MAX))
    # segment means hide the hours in which the load peaks or stored energy runs short: the
    # verification may build more of the backup (the dispatchable source cheapest to build),
    # at its capital cost, on top of the design's; every other capacity is fixed
    backups = [s for s in p.sources if s.role == "dispatchable"]
    backup = min(backups, key=lambda s: s.annualised_cost_usd_per_mw_year(p.year)) if backups else None
    why: list[str] = []
    spent = {"segmenting": time.perf_counter() - t0, "design": 0.0, "verification": 0.0}
    for k in range(1, AGGREGATED_ATTEMPTS + 1):
        design_p = dataclasses.replace(
            p,
            load_mw=seg.mean(p.load_mw),
            profiles={t: seg.mean(v) for t, v in hourly.items()},
            grid_clean_share=None if p.grid_clean_share is None else seg.mean(p.grid_clean_share),
            grid_price_hourly=None if p.grid_price_hourly is None else seg.mean(p.grid_price_hourly),
            weights_h=seg.hours,
            cfe_target=target,
        )
        t1 = time.perf_counter()
        try:
            design = _solve_per_unit(design_p, threads, grid_cap_mw, [])
        except (InfeasiblePlanError, SolverError) as exc:
            why.append(f"design {k} (CFE {target:.4%}) failed: {exc}")
            return None, why
        fixed = {s.tech: design.capacity_mw[s.tech] for s in p.sources if s.role != "import"}
        floor = {}
        if backup is not None:
            floor[backup.tech] = fixed.pop(backup.tech)
        check_p = dataclasses.replace(p, fixed_mw=fixed, min_mw=floor, cfe_soft=True)
        t2 = time.perf_counter()
        spent["design"] += t2 - t1
        try:
            sol = _solve_per_unit(check_p, threads, grid_cap_mw, list(notes))
        except (InfeasiblePlanError, SolverError):
            why.append(f"design {k} cannot serve every hour of the full year with its capacities")
            return None, why
        spent["verification"] += time.perf_counter() - t2
        dirty = sum(
            float((sol.dispatch[s.tech].to_numpy() * p.dirty_share(s)).sum())
            for s in p.sources
            if s.role in NON_CFE_ROLES
        )
        met = 1.0 - dirty / load_mwh
        if met >= p.cfe_target - CFE_TOLERANCE:
            sol.method = "aggregated"
            sol.solve_s = time.perf_counter() - t0
            sol.notes.append(
                f"capacities from {len(seg):,} chronological segments of the year (tsam), design "
                f"{k}; verified on all {len(p.load_mw):,} hours with them fixed: balanced, "
                f"CFE {met:.4%} >= target {p.cfe_target:.4%}"
                + (
                    f"; {backup.tech} raised by {sol.capacity_mw[backup.tech] - floor[backup.tech]:.3g} MW "
                    "for the hourly peaks"
                    if backup is not None
                    else ""
                )
                + " ("
                + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items())
                + ")"
                + ("; earlier: " + "; ".join(why) if why else "")
            )
            return sol, why
        why.append(f"design {k} (CFE {target:.4%} on segments) met {met:.4%} on the full year")
        target = min(1.0, target + 1.5 * (p.cfe_target - met))
        if target >= 1.0 and k > 1:
            break
    return None, why


def _solve_per_unit(
    p: SupplyProblem, threads: int | None, grid_cap_mw: float | None, notes: list[str]
) -> SupplySolution:
    """Solve ``p`` (already per unit); ``grid_cap_mw`` is the user's cap, for messages [MW]."""
    import logging

    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    t0 = time.perf_counter()
    n = _network(p)
    m = n.optimize.create_model(include_objective_constant=False)
    _add_constraints(n, m, p)
    build_s = time.perf_counter() - t0
    attempts = _solver_attempts(threads or min(2, os.cpu_count() or 1))
    t0 = time.perf_counter()
    tried = []
    for label, opts in attempts:
        with _quiet_stdout():  # HiGHS prints its banner on fd 1 whatever the options; --json owns stdout
            status, condition = n.optimize.solve_model(
                solver_name="highs", io_api="direct", solver_options=opts
            )
        if condition in ("infeasible", "infeasible_or_unbounded"):
            names = ", ".join(s.tech for s in p.sources)
            raise InfeasiblePlanError(
                f"no supply plan meets CFE {p.cfe_target:.1%} with {names}"
                + (f" and a grid cap of {grid_cap_mw:g} MW" if grid_cap_mw is not None else "")
                + f" (solver: {condition}); allow more technologies or lower --cfe"
            )
        sol = _solution(n, p, build_s, 0.0, notes) if status == "ok" else None
        worst = _worst_violation(sol, p) if sol is not None else (float("inf"), "no solution")
        tried.append(
            f"{label}: {condition}"
            + (f", {worst[1]} off by {worst[0]:.3g} MW" if worst[0] > _tolerance_mw(p) else "")
        )
        if condition == "optimal" and worst[0] <= _tolerance_mw(p):
            assert sol is not None  # worst is inf without a solution
            sol.solve_s = time.perf_counter() - t0
            if len(tried) > 1:
                sol.notes.append("solver fallback: " + "; ".join(tried))
            if ipm_solver() != "hipo":
                sol.notes.append("HiGHS HiPO is not available (highspy-extras missing): IPX used")
            return sol
    raise SolverError(
        "HiGHS found no verified optimum of the 8,760-hour supply LP ("
        + "; ".join(tried)
        + "); try fewer technologies or a different --cfe"
    )


def _solution(n, p: SupplyProblem, build_s: float, solve_s: float, notes: list[str]) -> SupplySolution:
    cols: dict[str, np.ndarray] = {}
    cap: dict[str, float] = {}
    store: dict[str, float] = {}
    gens = n.generators
    for name in gens.index:
        if name == "flex":
            continue
        cap[name] = float(gens.at[name, "p_nom_opt"])
        cols[name] = n.generators_t.p[name].to_numpy()
    su = n.storage_units
    cycling = np.zeros(len(p.load_mw), dtype=bool)
    for name in su.index:
        cap[name] = float(su.at[name, "p_nom_opt"])
        store[name] = cap[name] * float(su.at[name, "max_hours"])
        dis = n.storage_units_t.p_dispatch[name].to_numpy()
        chg = n.storage_units_t.p_store[name].to_numpy()
        # with the cycling regularisation the optimum never cycles; what an interior-point solver
        # leaves is noise at its tolerance (Greensboro 20 MW: at most 4e-4 MW, 0.15 MWh a year),
        # netted here so the hourly balance is unchanged and the flows are one-directional
        both = np.minimum(dis, chg)
        cycling |= both > 1e-4 * float(p.load_mw.max())  # real cycling, not solver noise
        cols[f"{name}_discharge"] = dis - both
        cols[f"{name}_charge"] = chg - both
        cols[f"{name}_soc_mwh"] = n.storage_units_t.state_of_charge[name].to_numpy()
    flex = n.generators_t.p["flex"].to_numpy() if "flex" in gens.index else np.zeros(len(p.load_mw))
    cols["flex_shift"] = flex
    cols["load"] = p.load_mw.copy()
    curtail = np.zeros(len(p.load_mw))
    for s in p.sources:
        if s.role == "variable":
            curtail += np.clip(p.profiles[s.tech] * cap[s.tech] - cols[s.tech], 0, None)
    cols["curtailment"] = curtail
    dispatch = pd.DataFrame(cols)
    supply = sum(cols[g] for g in gens.index if g != "flex") + flex
    for name in su.index:
        supply = supply + cols[f"{name}_discharge"] - cols[f"{name}_charge"]
    balance = float(np.max(np.abs(supply - p.load_mw)))
    annual = 0.0
    w = p.weights()
    for s in p.sources:
        energy = float((w * (cols[s.tech] if s.tech in cols else cols[f"{s.tech}_discharge"])).sum())
        if s.role == "import":
            annual += float((w * p.grid_price() * cols[s.tech]).sum())
        else:
            annual += s.annualised_cost_usd_per_mw_year(p.year) * cap[s.tech]
            annual += (s.variable_om_usd_per_mwh if s.role == "storage" else s.marginal_usd_per_mwh) * energy
    if len(su.index):
        notes = notes + [
            f"storage discharge carries {CYCLING_COST_USD_MWH:g} USD/MWh in the LP objective "
            "only (a regularisation against same-hour charge and discharge; not in the cost)"
        ]
    at_cap = [
        t
        for t, mw in cap.items()
        if t in gens.index.union(su.index)
        and t != "grid"
        and mw >= 0.999 * CAPACITY_CAP_X_PEAK * float(p.load_mw.max())
    ]
    if at_cap:
        notes = notes + [
            f"{', '.join(at_cap)} reached the model's capacity bound of "
            f"{CAPACITY_CAP_X_PEAK:g}x the peak load: the plan is cheaper with more"
        ]
    return SupplySolution(
        cap, store, dispatch, float(annual), balance, solve_s, build_s, list(notes), int(cycling.sum())
    )
