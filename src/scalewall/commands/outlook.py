"""``scalewall outlook``: options, runner and the typed result.

``run_outlook(OutlookOptions(...))`` returns the result whose JSON ``scalewall outlook --json`` prints:
``years`` (quantiles per year), ``wall_year`` (per wall), ``levers`` (years gained),
``sensitivity`` (Sobol S1/ST), ``drivers`` and ``assumptions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scalewall.errors import InputError

if TYPE_CHECKING:
    import numpy as np

    from scalewall.outlook.model import Trajectories

# The outlook's stages (NumPy, SciPy's statistics) are imported inside the functions, so that
# reading the options model (``scalewall outlook --help``, the web form) stays cheap.

__all__ = ["OutlookOptions", "OutlookResult", "run_outlook", "check_years", "DATA_LAST_YEAR"]

#: last year the drivers are extrapolated to (growth rates are not sourced beyond it)
DATA_LAST_YEAR = 2060
#: first year of the outlook: the drivers' base year (``scalewall.outlook.model.BASE_YEAR``, kept
#: here as a literal so that the options model loads without the outlook's numerics; a test checks
#: the two agree)
BASE_YEAR = 2024


#: most Monte Carlo samples one run takes: ~12 kB of memory per sample (measured: 50,000 samples
#: 0.82 GB, 100,000 samples 1.40 GB peak RSS), so the cap keeps a run under ~1 GB; p10/p50/p90 of
#: 50,000 samples are already far tighter than the drivers' own uncertainty [-]
MAX_SAMPLES = 50_000


class OutlookOptions(BaseModel):
    """Options of ``scalewall outlook`` (``from``/``to`` are the CLI's ``--from``/``--to``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_year: int = Field(
        default=BASE_YEAR, alias="from", description=f"first year [year] ({BASE_YEAR}-{DATA_LAST_YEAR})"
    )
    to_year: int = Field(
        default=2050, alias="to", description=f"last year [year] ({BASE_YEAR}-{DATA_LAST_YEAR})"
    )
    scenario: str | None = Field(
        default=None,
        description="preset (baseline, epoch-2030, iea-2025, iea-2025-lift-off, "
        "iea-2025-high-efficiency, iea-2025-headwinds, lbnl-2024, constrained, accelerated) or "
        "scenario YAML file; default: baseline",
    )
    samples: int = Field(
        default=2000,
        ge=16,
        le=MAX_SAMPLES,
        description=f"Monte Carlo samples, at most {MAX_SAMPLES:,} (memory grows ~12 kB per sample: "
        "50,000 take ~0.8 GB) [-]",
    )
    seed: int = Field(default=0, ge=0, description="random seed [-]")
    lever: list[str] = Field(
        default_factory=list,
        description="switch on a solution and report the years it gains (repeatable); default: none",
    )
    sensitivity_samples: int = Field(
        default=256, ge=0, le=8192, description="Sobol base sample N [-] (a power of 2); 0 skips"
    )
    inverse_year: int | None = Field(
        default=None,
        description="inverse question: the year by which a new paradigm must move a wall "
        "[year]; default: not asked",
    )
    inverse_years: float = Field(
        default=2.0, gt=0, le=20, description="inverse question: years the wall must move [year]"
    )
    inverse_wall: Literal["grid", "site_power"] = Field(
        default="grid",
        description="inverse question: grid (data-centre electricity demand) or site_power "
        "(training run on one campus)",
    )


def check_years(o: OutlookOptions) -> np.ndarray:
    """The years of the outlook; InputError for years outside the data or a bad Sobol size."""
    import numpy as np

    if not BASE_YEAR <= o.from_year <= DATA_LAST_YEAR:
        raise InputError(f"--from {o.from_year} is outside the data ({BASE_YEAR}-{DATA_LAST_YEAR})")
    if not BASE_YEAR <= o.to_year <= DATA_LAST_YEAR:
        raise InputError(f"--to {o.to_year} is outside the data ({BASE_YEAR}-{DATA_LAST_YEAR})")
    if o.to_year < o.from_year:
        raise InputError(f"--to {o.to_year} is before --from {o.from_year}")
    if o.sensitivity_samples and o.sensitivity_samples & (o.sensitivity_samples - 1):
        raise InputError(f"sensitivity_samples {o.sensitivity_samples} must be a power of 2 (or 0)")
    return np.arange(o.from_year, o.to_year + 1)


class OutlookResult(BaseModel):
    """The answer of ``scalewall outlook`` (its JSON is the CLI's ``--json`` output)."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=True)

    scenario: str = Field(description="preset or scenario file name")
    from_year: int = Field(alias="from", description="first year")
    to_year: int = Field(alias="to", description="last year")
    samples: int = Field(description="Monte Carlo samples [-]")
    seed: int = Field(description="random seed")
    walls: list[str] = Field(description="walls evaluated")
    years: list[dict] = Field(
        description="per year: p10/p50/p90 of every trajectory (units in the "
        "names), binding-constraint probabilities, equivalents"
    )
    wall_year: dict[str, dict] = Field(
        description="per wall: p10/p50/p90 of the year it first caps the trend, probability by the last year"
    )
    levers: list[dict] = Field(
        description="per lever: what it adds, avoids and costs by year, years gained on the first "
        "and on the wall it addresses"
    )
    inverse: dict | None = Field(
        default=None,
        description="efficiency multiplier needed on each adoption share to move a wall by N "
        "years at a given year (null unless asked)",
    )
    sensitivity: list[dict] = Field(description="Sobol S1/ST of the largest total effects")
    drivers: list[dict] = Field(description="the drivers' low/central/high values and units")
    assumptions: list[str] = Field(description="what the outlook assumed, in words")


def _f(x) -> float:
    return float(f"{float(x):.4g}")


def _q(x: np.ndarray) -> list[dict]:
    from scalewall.outlook import summary as S

    q = S.quantiles(x)
    return [{k: _f(q[k][j]) for k in q} for j in range(x.shape[1])]


def _equivalent(twh: float) -> dict:
    """A run's electricity as a country's use over a time."""
    from scalewall.facility.comparison import country_equivalent

    return country_equivalent(twh) if twh > 0 else {}


def _fleet_equivalent(twh_per_year: float) -> dict:
    from scalewall.facility.comparison import annual_equivalent

    return annual_equivalent(twh_per_year) if twh_per_year > 0 else {}


def run_outlook(o: OutlookOptions, progress: Callable[[str, float], None] | None = None) -> OutlookResult:
    """Monte Carlo outlook of the frontier run, its walls, electricity and levers.

    ``progress(stage, fraction)`` is called as work advances (the CLI draws a bar with it).
    """
    import numpy as np

    from scalewall import catalog
    from scalewall.outlook import summary as S
    from scalewall.outlook.levers import acts_from, acts_from_basis, get_lever, lever_assumptions
    from scalewall.outlook.model import landauer_j_per_bit
    from scalewall.outlook.pricing import lever_pricing
    from scalewall.outlook.simulate import simulate

    tick = progress or (lambda stage, f: None)
    years = check_years(o)
    for name in o.lever:
        get_lever(name)
    sim = simulate(o.scenario, years, o.samples, o.seed)
    sc, table, walls = sim.scenario, sim.table, sim.walls
    paradigm_ids = list(catalog.entries("paradigms"))
    depreciation = sim.depreciation_years
    tick("sampling", 0.1)
    run = sim.run

    tr, pq = run([])
    wy = S.wall_years(tr)
    tick("trajectories", 0.3)

    year_rows = []
    qs = {
        k: _q(v)
        for k, v in {
            "frontier_training_flop": tr.feasible_flop,
            "demanded_training_flop": tr.demanded_flop,
            "feasible_max_flop": np.minimum(tr.allowed_min_flop, 1e300),
            "frontier_cluster_flop": tr.cluster_flop,
            "other_use_flop": tr.other_use_flop,
            "frontier_run_power_gw": tr.run_power_gw,
            "frontier_run_energy_twh": tr.run_energy_twh,
            "frontier_run_cost_usd": tr.run_cost_usd,
            "frontier_run_energy_cost_usd": tr.run_energy_cost_usd,
            "frontier_run_energy_cost_share": tr.run_energy_cost_usd / tr.run_cost_usd,
            "frontier_run_hardware_cost_usd": tr.run_hardware_cost_usd,
            "frontier_run_other_cost_usd": tr.run_other_cost_usd,
            "frontier_run_energy_share_of_development_cost": tr.run_energy_cost_usd
            / (tr.run_cost_usd + tr.run_other_cost_usd),
            "frontier_cluster_capex_usd": tr.cluster_capex_usd,
            "ai_electricity_twh": tr.ai_electricity_twh,
            "datacentre_electricity_twh": tr.datacentre_electricity_twh,
            "datacentre_demand_twh": tr.datacentre_demand_twh,
            "us_datacentre_electricity_twh": tr.us_datacentre_electricity_twh,
            "electricity_price_usd_mwh": tr.electricity_price_usd_mwh,
            "ai_electricity_co2e_mt": tr.ai_co2e_mt,
            "share_of_world_electricity": tr.datacentre_electricity_twh / tr.world_electricity_twh,
            "actors_able_to_afford": S.actors_able(tr, pq).astype(float),
        }.items()
    }
    binding = S.binding_probability(tr)
    falls = S.power_fall_reasons(tr)
    regions = S.region_rows(tr, sc.grid_bound)
    for j, y in enumerate(years):
        row: dict[str, Any] = {"year": int(y)}
        row.update({k: v[j] for k, v in qs.items()})
        row["regions"] = regions[j]
        row["binding_constraint"] = binding[j]
        row["run_power_falls"] = falls[j]
        row["datacentre_electricity_equivalent"] = _fleet_equivalent(
            qs["datacentre_electricity_twh"][j]["p50"]
        )
        row["frontier_run_electricity_equivalent"] = _equivalent(qs["frontier_run_energy_twh"][j]["p50"])
        year_rows.append(row)

    wall_year = {}
    for w, arr in wy.items():
        wall_year[w] = S.year_quantiles(arr) | {
            "probability_by_end": round(float(np.mean(np.isfinite(arr))), 4)
        }

    horizon = float(years[-1] + 1)
    base_first = np.minimum(wy["first_wall"], horizon)
    base_p50 = wall_year["first_wall"]["p50"]
    _, _, base_eff = sim.run_with_effects()
    intensity = sim.grid_intensity_g_kwh()
    lever_rows = []
    for k, name in enumerate(dict.fromkeys(o.lever)):
        lv = get_lever(name)
        tr_l, _, eff_l = sim.run_with_effects([lv.name])
        base_add = np.broadcast_to(np.asarray(base_eff.campus_add_gw, dtype=float), tr.run_power_gw.shape)
        lever_add = np.broadcast_to(np.asarray(eff_l.campus_add_gw, dtype=float), tr.run_power_gw.shape)
        start = acts_from(lv, o.from_year, table["build-lead-time"].central)
        priced = lever_pricing(lv, tr, tr_l, lever_add - base_add, intensity, sim.p, start)
        wy_l = S.wall_years(tr_l)
        gain = np.minimum(wy_l["first_wall"], horizon) - base_first
        gain_t = np.minimum(wy_l.get(lv.target_wall, np.full_like(base_first, np.inf)), horizon) - np.minimum(
            wy.get(lv.target_wall, np.full_like(base_first, np.inf)), horizon
        )
        g = S.quantiles(gain)
        gt = S.quantiles(gain_t)
        if lv.kind == "supply":
            note = (
                "zero years on every wall by design: it changes where new electricity comes from "
                "(its carbon and price), not how much there is"
            )
        elif start is not None and base_p50 is not None and start > base_p50:
            note = (
                f"cannot act before {start}; the trend is first capped in {base_p50} (p50), "
                "so it does not move the first wall"
            )
        elif g["p90"] == 0 and gt["p90"] == 0:
            note = f"no gain: it changes the {lv.target_wall} wall, which does not bind first here"
        elif g["p50"] == 0:
            note = f"moves the {lv.target_wall} wall, but another wall binds first in most samples"
        else:
            note = "moves the first wall"
        lever_rows.append(
            {
                "name": lv.name,
                "driver": lv.driver,
                "change": lv.change,
                "target_wall": lv.target_wall,
                "acts_from": start,
                "years_gained": {kk: round(float(vv), 2) for kk, vv in g.items()},
                "target_wall_years_gained": {kk: round(float(vv), 2) for kk, vv in gt.items()},
                "note": note,
                "acts_from_basis": acts_from_basis(lv),
                "addresses": priced["addresses"],
                "by_year": priced["by_year"],
                "price_note": priced["price_note"],
                "assumptions": lever_assumptions(lv),
                "sources": list(lv.sources),
            }
        )
        tick("levers", 0.3 + 0.4 * (k + 1) / max(1, len(o.lever)))

    inverse = _inverse(o, tr, years) if o.inverse_year is not None else None

    sens = []
    if o.sensitivity_samples:
        sens = _sensitivity(o, table, sc, walls, years, depreciation, paradigm_ids)
    tick("sensitivity", 1.0)

    e0 = table["hardware-flop-per-j-2024"].central
    j_flop = 1.0 / e0
    landauer = landauer_j_per_bit(300.0)
    head = table["cmos-headroom"]
    assumptions = [
        f"scenario {sc.name}: {sc.description.strip()}" if sc.description else f"scenario {sc.name}",
        f"walls: {', '.join(walls)}; levers always on: {', '.join(sc.levers) or 'none'}",
        f"{o.samples} Latin-hypercube samples, seed {o.seed}; quantiles p10/p50/p90 across samples",
        f"physics: a 2024 accelerator spends {j_flop:.2g} J per BF16 FLOP, {j_flop / landauer:.2g} "
        f"times the Landauer limit kT ln2 = {landauer:.3g} J per bit erased at 300 K; efficiency "
        f"growth stops at the CMOS limit, {head.low:g}/{head.central:g}/{head.high:g}x the 2024 level",
        "frontier_training_flop is the run the walls allow (min of trend and walls); "
        "feasible_max_flop is the largest run every wall allows; demanded_training_flop is the trend",
        "frontier_run_cost_usd: cluster hardware amortised over the run "
        f"({depreciation:g}-year life) plus electricity; actors_able_to_afford counts catalogue "
        "actors whose capex x budget-share covers the cluster's hardware plus the run's electricity",
        "frontier_run_other_cost_usd: the rest of developing the model, R&D staff at "
        f"{catalog.assumption('rd-staff-share-of-development-cost'):.0%} of development cost (Epoch AI, "
        "Cottier et al. 2024: 29-49 % for GPT-4 and Gemini Ultra), on top of hardware and energy",
        "wall years are the first year a wall caps the trend; null = not within the horizon",
        (
            "grid-build bound by region (grid_regions.yaml): a region's data centres take at most "
            "a share of its new generation (its share of 2024's new renewable capacity, IRENA, times "
            "world demand growth); demand a region cannot supply moves to regions with room"
            if sc.grid_bound == "regions"
            else "grid-build bound on the world total only (this scenario); regions split it as the "
            "IEA base case splits demand"
        ),
    ]
    drivers = [
        {
            "id": d.id,
            "name": catalog.get("trends", d.id).name,
            "unit": d.unit,
            "low": d.low,
            "central": d.central,
            "high": d.high,
        }
        for d in table.values()
    ]
    return OutlookResult(
        scenario=sc.name,
        from_year=int(years[0]),
        to_year=int(years[-1]),
        samples=o.samples,  # type: ignore[call-arg]  # validate_by_name; mypy without the pydantic plugin sees only the aliases
        seed=o.seed,
        walls=list(walls),
        years=year_rows,
        wall_year=wall_year,
        levers=lever_rows,
        inverse=inverse,
        sensitivity=sens,
        drivers=drivers,
        assumptions=assumptions,
    )


def _inverse(o: OutlookOptions, tr: Trajectories, years: np.ndarray) -> dict:
    """What efficiency multiplier on what adoption share moves ``o.inverse_wall`` by N years."""
    from scalewall.outlook.pricing import inverse_table

    y = o.inverse_year
    if y is None or not years[0] < y <= years[-1]:
        raise InputError(f"--inverse-year {y} must lie after --from and no later than --to")
    return inverse_table(tr, o.inverse_wall, y, o.inverse_years)


def _sensitivity(o, table, sc, walls, years, depreciation, paradigm_ids) -> list[dict]:
    import numpy as np

    from scalewall.outlook import summary as S
    from scalewall.outlook.drivers import quantile_map
    from scalewall.outlook.levers import apply_levers
    from scalewall.outlook.model import evaluate
    from scalewall.outlook.sensitivity import sobol_indices

    varying = [k for k, d in table.items() if d.varies]
    horizon = float(years[-1] + 1)
    y_ref = 2030 if years[0] <= 2030 <= years[-1] else int(years[-1])
    j_ref = int(np.searchsorted(years, y_ref))

    def model(x: np.ndarray) -> dict[str, np.ndarray]:
        n = x.shape[0]
        p = {
            k: (quantile_map(d, x[:, varying.index(k)]) if k in varying else np.full(n, d.central))
            for k, d in table.items()
        }
        u_by_id = {k: (x[:, varying.index(k)] if k in varying else np.full(n, 0.5)) for k in table}
        u_by_id.update({f"paradigm:{pid}": np.full(n, 0.5) for pid in paradigm_ids})
        q, eff = apply_levers(list(sc.levers), p, u_by_id, years, int(years[0]))
        tr = evaluate(q, years, walls, eff, depreciation)
        first = np.minimum(S.wall_years(tr)["first_wall"], horizon)
        return {
            "first_wall_year": first,
            f"datacentre_electricity_twh_{y_ref}": tr.datacentre_electricity_twh[:, j_ref],
            f"frontier_run_power_gw_{y_ref}": tr.run_power_gw[:, j_ref],
        }

    rows = sobol_indices(varying, model, o.sensitivity_samples, o.seed)
    # keep the informative rows: the five largest total effects per output
    out: list[dict] = []
    seen: dict[str, int] = {}
    for r in rows:
        seen[r["output"]] = seen.get(r["output"], 0) + 1
        if seen[r["output"]] <= 5:
            out.append(r)
    return out
