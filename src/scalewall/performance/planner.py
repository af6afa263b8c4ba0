"""Parallel planner: search every plan of a model on a cluster, vectorised, for an objective.

The search enumerates every factorisation ``tp×pp×dp×cp×ep = devices`` that respects the model,
then every micro-batch size dividing the per-replica batch, interleave factor, recomputation
mode, sequence parallelism and ZeRO stage. Memory is computed for all candidates in one NumPy
pass and infeasible ones are dropped before their step time is evaluated (a second pass).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Accelerator, Model
from scalewall.errors import InfeasiblePlanError
from scalewall.performance.constraints import structural_violations
from scalewall.performance.plan import PLAN_SIZES, PLAN_SWITCHES, RECOMPUTE, STACKS, Plan, PlanArrays
from scalewall.performance.step import memory
from scalewall.performance.training import step_metrics
from scalewall.units import SECONDS_PER_DAY
from scalewall.workload.transformer import model_dims

__all__ = ["search", "choose_plan", "SearchResult", "OBJECTIVES"]

#: the plan fields that identify a structural rejection, per check family
_FAMILY_FIELDS = {
    "sizes": ("tp", "pp", "dp", "cp", "ep"),
    "tp": ("tp",),
    "pp": ("pp", "interleave"),
    "ep": ("ep",),
    "cp": ("cp",),
    "batch": ("dp", "ep", "micro_batch"),
    "interleave": ("pp",),
}

OBJECTIVES = {"time": "step_time_s", "energy": "energy_step_j", "cost": "cost_step_usd"}
MAX_MICRO_BATCH = 64
MAX_INTERLEAVE = 16


def _divisors(n: int) -> list[int]:
    small = [i for i in range(1, int(n**0.5) + 1) if n % i == 0]
    return sorted(set(small + [n // i for i in small]))


@dataclass
class SearchResult:
    """What the search found (plans as :class:`Plan`, metrics as floats)."""

    best_plan: Plan
    top_plans: list[Plan]
    top_metrics: list[dict[str, Any]]  # float metrics, and "binding" (str)
    candidates_evaluated: int
    feasible: int
    rejected: list[dict] = field(default_factory=list)
    search_s: float = 0.0
    objective: str = "time"
    scores_sorted: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def rank_of(self, score: float) -> int:
        """1-based rank a plan of objective value ``score`` would take among the feasible."""
        return int(np.searchsorted(self.scores_sorted, score * (1 - 1e-12), side="left")) + 1


def _candidates(m: Model, devices: int, B: int, fixed: dict, stack) -> PlanArrays:
    """Every combination of sizes and switches, before any feasibility check."""
    divs = _divisors(devices)
    cols: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "tp",
            "pp",
            "dp",
            "cp",
            "ep",
            "micro_batch",
            "global_batch",
            "interleave",
            "recompute",
            "sequence_parallel",
            "zero",
        )
    }
    n_exp = m.moe.n_experts if m.moe else 1
    pick = lambda name, options: [fixed[name]] if name in fixed else options  # noqa: E731
    for tp in pick("tp", divs):
        for pp in pick("pp", [x for x in divs if x <= m.n_layers]):
            for cp in pick("cp", divs if stack.context_parallel else [1]):
                for ep in pick("ep", [x for x in divs if x <= n_exp]):
                    rest = devices // (tp * pp * cp * ep) if devices % (tp * pp * cp * ep) == 0 else 0
                    if rest == 0:
                        continue
                    dp = fixed.get("dp", rest)
                    per_replica = B // (dp * ep) if B % (dp * ep) == 0 else 0
                    mbs = pick(
                        "micro_batch",
                        [x for x in _divisors(per_replica) if x <= MAX_MICRO_BATCH] if per_replica else [1],
                    )
                    vs = pick(
                        "interleave",
                        [x for x in _divisors(max(m.n_layers // pp, 1)) if x <= MAX_INTERLEAVE]
                        if pp > 1
                        else [1],
                    )
                    rcs = [RECOMPUTE.index(fixed["recompute"])] if "recompute" in fixed else [0, 1, 2]
                    sps = (
                        [fixed["sequence_parallel"]]
                        if "sequence_parallel" in fixed
                        else ([False, True] if tp > 1 else [False])
                    )
                    zs = pick("zero", [z for z in stack.zero_stages if z == 0 or dp * ep * cp > 1])
                    grid = np.array(np.meshgrid(mbs, vs, rcs, sps, zs, indexing="ij")).reshape(5, -1)
                    k = grid.shape[1]
                    for name, val in (
                        ("tp", tp),
                        ("pp", pp),
                        ("dp", dp),
                        ("cp", cp),
                        ("ep", ep),
                        ("global_batch", B),
                    ):
                        cols[name].append(np.full(k, val, dtype=np.int64))
                    cols["micro_batch"].append(grid[0].astype(np.int64))
                    cols["interleave"].append(grid[1].astype(np.int64))
                    cols["recompute"].append(grid[2].astype(np.int64))
                    cols["sequence_parallel"].append(grid[3].astype(bool))
                    cols["zero"].append(grid[4].astype(np.int64))
    if not cols["tp"]:
        return PlanArrays(
            **{k: np.zeros(0, dtype=bool if k == "sequence_parallel" else np.int64) for k in cols}
        )
    return PlanArrays(**{k: np.concatenate(v) for k, v in cols.items()})


#: what fixes each family of structural failure, in words a user can act on
_FIXES = {
    "batch": "use a global batch that is a multiple of dp×ep×micro-batch, or fewer data-parallel replicas",
    "tp": "choose tp dividing the attention and KV heads, within the scale-up domain",
    "pp": "choose pp×interleave dividing the layers (or allow uneven layers)",
    "ep": "choose ep dividing the number of experts",
    "cp": "choose cp dividing the sequence length",
    "interleave": "drop interleaving or make micro-batches per replica a multiple of pp",
}


def _structural_reason(checks, P: PlanArrays, devices: int, fixed: dict) -> str:
    """Why no candidate passes: the check that every correctly sized candidate fails comes first.

    A candidate whose sizes do not multiply to the devices is not a plan, so the other checks are
    judged on the correctly sized candidates only; a check failed by all of them is the reason
    (e.g. a global batch that no data-parallel size divides), named with its fix.
    """
    sized = np.ones(len(P), dtype=bool)
    for mask, fam, _ in checks:
        if fam == "sizes":
            sized &= ~mask
    if not sized.any():
        given = ", ".join(f"{k}={v}" for k, v in sorted(fixed.items()) if k in ("tp", "pp", "dp", "cp", "ep"))
        return (
            f"the sizes given ({given}) do not divide {devices} devices"
            if given
            else f"no sizes multiply to {devices} devices"
        )
    shares: dict[str, tuple[float, str]] = {}
    for mask, fam, template in checks:
        if fam == "sizes":
            continue
        fail = mask & sized
        if not fail.any():
            continue
        share = float(fail.sum() / sized.sum())
        if share > shares.get(fam, (0.0, ""))[0]:
            pl = P.plan(int(np.flatnonzero(fail)[0]))
            shares[fam] = (
                share,
                template.format(
                    **pl.to_dict(), prod=pl.devices, devices=devices, dpemb=pl.dp * pl.ep * pl.micro_batch
                ),
            )
    ranked = sorted(shares.items(), key=lambda kv: -kv[1][0])
    every = [(fam, s) for fam, (share, s) in ranked if share >= 1.0]
    if every:
        fam, example = every[0]
        return f"every candidate fails this check ({example}); fix: {_FIXES.get(fam, fam)}"
    return "; ".join(f"{s} ({share:.0%} of candidates)" for _fam, (share, s) in ranked[:3])


def search(
    m: Model,
    acc: Accelerator,
    devices: int,
    *,
    global_batch: int,
    seq_len: int,
    precision: str = "bf16",
    stack: str = "modern",
    objective: Literal["time", "energy", "cost"] = "time",
    top: int = 5,
    fixed: dict | None = None,
    max_memory_fraction: float = 1.0,
    max_days: float | None = None,
    tokens: float | None = None,
    allow_uneven_layers: bool = False,
    allow_tp_beyond_domain: bool = False,
    extra_metrics: Callable[[dict[str, np.ndarray], PlanArrays], dict[str, np.ndarray]] | None = None,
    cal: Calibration | None = None,
) -> SearchResult:
    """Search all plans; return the best ``top`` by ``objective`` and why others were rejected.

    ``extra_metrics(metrics, plans)`` adds arrays to the step metrics of the feasible plans; the
    ``energy`` and ``cost`` objectives need it to supply ``energy_step_j`` [J] and
    ``cost_step_usd`` [USD] (the facility stage computes them: this stage knows no power or price).
    ``cal`` gives the efficiency factors of memory and step time; ``None`` uses the catalogue's.

    Raises
    ------
    InfeasiblePlanError
        When no plan fits: gives the smallest memory overshoot found and what would fix it.
    """
    t0 = time.perf_counter()
    fixed = dict(fixed or {})
    P = _candidates(m, devices, global_batch, fixed, STACKS[stack])
    n_all = len(P)
    rejected: dict[str, int] = {}
    ok = np.ones(n_all, dtype=bool)
    checks = structural_violations(
        m,
        acc,
        P,
        devices,
        seq_len,
        allow_uneven_layers=allow_uneven_layers,
        allow_tp_beyond_domain=allow_tp_beyond_domain,
    )
    candidates = P
    for mask, fam, template in checks:
        hit = mask & ok
        ok &= ~mask
        if not hit.any():
            continue
        # one reason per distinct value of the fields the check is about
        key_cols = [getattr(P, f)[hit] for f in _FAMILY_FIELDS[fam]]
        keys, first, counts = np.unique(np.stack(key_cols), axis=1, return_index=True, return_counts=True)
        idx = np.flatnonzero(hit)
        for j, cnt in zip(first, counts, strict=True):
            pl = P.plan(int(idx[j]))
            reason = template.format(
                **pl.to_dict(), prod=pl.devices, devices=devices, dpemb=pl.dp * pl.ep * pl.micro_batch
            )
            rejected[reason] = rejected.get(reason, 0) + int(cnt)
    P = P.take(np.flatnonzero(ok))
    d = model_dims(m)
    st = STACKS[stack]
    mem_parts = memory(d, acc, P, seq_len, st, cal, precision)
    mem = mem_parts["memory_per_device_gb"]
    cap = acc.memory_total_gb * max_memory_fraction
    fits = mem <= cap
    # one memory reason per (tp, pp) family with no fitting variant; the rest summed in one line
    fam = P.tp * 1_000_003 + P.pp
    over_best = None
    partial = 0
    for key in np.unique(fam[~fits]):
        sel = (fam == key) & ~fits
        i = int(np.flatnonzero(sel)[np.argmin(mem[sel])])
        if (fam == key)[fits].any():
            partial += int(sel.sum())
        else:
            reason = (
                f"tp={int(P.tp[i])}, pp={int(P.pp[i])}: {mem[i]:.0f} GB per device > "
                f"{cap:.0f} GB even at best (zero={int(P.zero[i])}, "
                f"recompute={RECOMPUTE[int(P.recompute[i])]})"
            )
            rejected[reason] = int(sel.sum())
        if over_best is None or mem[i] < over_best[0]:
            over_best = (float(mem[i]), P.plan(i))
    if partial:
        rejected[f"over {cap:.0f} GB per device (variants of tp/pp families that have fitting ones)"] = (
            partial
        )
    keep = np.flatnonzero(fits)
    P = P.take(keep)
    mem_parts = {k: v[keep] for k, v in mem_parts.items()}
    if len(P) == 0:
        if over_best is None:
            raise InfeasiblePlanError(
                f"no parallel plan of {m.id} on {devices} {acc.id} passes the structural checks: "
                + _structural_reason(checks, candidates, devices, fixed)
            )
        gb, pl = over_best
        fixes = [
            f"more devices (memory scales down roughly as 1/devices: try about "
            f"{int(np.ceil(devices * gb / cap))})"
        ]
        if pl.zero < 3:
            fixes.append("ZeRO-3")
        if pl.recompute != "full":
            fixes.append("full recomputation")
        fixes.append("a smaller global batch or sequence length")
        raise InfeasiblePlanError(
            f"{m.id} fits no plan on {devices}× {acc.id}: smallest memory found {gb:.0f} GB per "
            f"device > {cap:.0f} GB (tp={pl.tp}, pp={pl.pp}, zero={pl.zero}, "
            f"recompute={pl.recompute}); would fix it: " + ", ".join(fixes)
        )
    r = step_metrics(d, acc, P, seq_len, precision, stack, cal, mem_parts)
    if extra_metrics is not None:
        r.update(extra_metrics(r, P))
    if OBJECTIVES[objective] not in r:
        raise ValueError(f"objective {objective!r} needs extra_metrics giving {OBJECTIVES[objective]}")
    score = r[OBJECTIVES[objective]]
    if max_days is not None and tokens:
        days = tokens / r["tokens_per_s"] / SECONDS_PER_DAY
        slow = days > max_days
        if slow.any():
            rejected[f"slower than --max-days {max_days:g}"] = int(slow.sum())
        score = np.where(slow, np.inf, score)
        if not np.isfinite(score).any():
            raise InfeasiblePlanError(
                f"no plan trains {tokens:.3g} tokens within {max_days:g} days; the fastest needs "
                f"{days.min():.1f} days; add devices or relax --max-days"
            )
    # tie-break on step time so equal scores keep the faster plan
    order = np.lexsort((r["step_time_s"], score))
    order = order[np.isfinite(score[order])][:top]
    metric_keys = (
        "step_time_s",
        "memory_per_device_gb",
        "energy_step_j",
        "cost_step_usd",
        "mfu",
        "tokens_per_s",
        "power_facility_w",
    )
    top_metrics: list[dict[str, Any]] = [{k: float(r[k][i]) for k in metric_keys if k in r} for i in order]
    parts = (
        "compute_s",
        "recompute_s",
        "tp_comm_s",
        "cp_comm_s",
        "ep_comm_s",
        "pp_bubble_s",
        "pp_p2p_s",
        "dp_comm_s",
        "optimizer_s",
    )
    for tm, i in zip(top_metrics, order, strict=True):
        tm["binding"] = max(parts[1:], key=lambda k: r[k][i]).removesuffix("_s")
    plans = [P.plan(int(i)) for i in order]
    return SearchResult(
        best_plan=plans[0],
        top_plans=plans,
        top_metrics=top_metrics,
        candidates_evaluated=n_all,
        feasible=len(P),
        rejected=[{"reason": k, "count": v} for k, v in sorted(rejected.items(), key=lambda kv: -kv[1])],
        search_s=time.perf_counter() - t0,
        objective=objective,
        scores_sorted=np.sort(score[np.isfinite(score)]),
    )


_SIZES = PLAN_SIZES
_SWITCHES = PLAN_SWITCHES


def choose_plan(
    m: Model,
    acc: Accelerator,
    devices: int,
    *,
    seq_len: int,
    global_batch: int,
    precision: str,
    stack: str,
    given: dict,
    cal: Calibration | None = None,
) -> tuple[Plan, list[str]]:
    """The plan of a run: the sizes and switches given, the rest chosen by the planner.

    ``given`` maps plan fields (``tp`` … ``ep``, ``micro_batch``, ``interleave``, ``recompute``,
    ``sequence_parallel``, ``zero``) to values or ``None``. With all five sizes given the plan is
    completed with Megatron's defaults (selective recomputation and sequence parallelism when
    tp > 1, ZeRO-1); otherwise the fastest feasible plan holding the given fields is searched
    with the efficiency factors ``cal`` (``None``: the catalogue's). A given ``pp`` may split the
    layers unevenly (the slowest stage holds the rounded-up share), as a full plan may.
    """
    sizes = {k: given.get(k) for k in _SIZES}
    fixed_sizes = {k: v for k, v in sizes.items() if v is not None}
    if len(fixed_sizes) == len(_SIZES):
        tp = fixed_sizes["tp"]
        sp = given.get("sequence_parallel")
        plan = Plan(
            tp=tp,
            pp=fixed_sizes["pp"],
            dp=fixed_sizes["dp"],
            cp=fixed_sizes["cp"],
            ep=fixed_sizes["ep"],
            micro_batch=given.get("micro_batch") or 1,
            global_batch=global_batch,
            interleave=given.get("interleave") or 1,
            recompute=given.get("recompute") or ("selective" if tp > 1 else "none"),
            sequence_parallel=(tp > 1) if sp is None else sp,
            zero=1 if given.get("zero") is None else given["zero"],
        )
        return plan, []
    fixed = dict(fixed_sizes)
    fixed.update({k: given[k] for k in _SWITCHES if given.get(k) is not None})
    res = search(
        m,
        acc,
        devices,
        global_batch=global_batch,
        seq_len=seq_len,
        precision=precision,
        stack=stack,
        fixed=fixed,
        top=1,
        cal=cal,
        # a pipeline depth the user chose may split the layers unevenly, as Megatron-Core's
        # first/last-stage layer counts and Llama 3's do; the planner alone keeps even stages
        allow_uneven_layers="pp" in fixed_sizes,
    )
    free = [k for k in _SIZES if k not in fixed_sizes]
    note = (
        f"parallel sizes {', '.join(free)} chosen by the planner (fastest feasible of "
        f"{res.candidates_evaluated} candidates)"
    )
    return res.best_plan, [note]
