"""Rich tables for the CLI. Rendering only: every number comes from a result object."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scalewall.report.summary import fmt as _fmt

__all__ = [
    "print_training",
    "print_plan",
    "print_catalog_list",
    "print_entry",
    "print_validation",
    "print_report_summary",
    "print_site",
    "print_outlook",
]


def _console() -> Console:
    return Console(width=110)


def _plan_str(p: dict) -> str:
    if not p:
        return "none (no plan fits; energy from the given duration and power)"
    s = f"tp={p['tp']} pp={p['pp']} dp={p['dp']}"
    if p["cp"] > 1:
        s += f" cp={p['cp']}"
    if p["ep"] > 1:
        s += f" ep={p['ep']}"
    s += f" mb={p['micro_batch']} gb={p['global_batch']}"
    if p["interleave"] > 1:
        s += f" v={p['interleave']}"
    s += f" recompute={p['recompute']}" + (" sp" if p["sequence_parallel"] else "") + f" zero={p['zero']}"
    return s


def print_training(r: dict) -> None:
    c = _console()
    t = Table(title=f"Training {r['model']} on {r['devices']:,} × {r['accelerator']}", show_header=False)
    t.add_column("quantity", style="bold")
    t.add_column("value")
    t.add_row("plan", _plan_str(r["plan"]))
    t.add_row("tokens", f"{_fmt(r['tokens'])} (seq {r['seq_len']})")
    t.add_row("step time", _fmt(r["step_time_s"], "s"))
    t.add_row("throughput", _fmt(r["tokens_per_s"], "tokens/s"))
    t.add_row("MFU / HFU", "n/a (no plan)" if r["mfu"] is None else f"{r['mfu']:.1%} / {r['hfu']:.1%}")
    t.add_row("wall clock", _fmt(r["wall_clock_days"], "days"))
    t.add_row("device-hours", _fmt(r["device_hours"], "h"))
    if r["memory_per_device_gb"] is not None:
        t.add_row(
            "memory per device",
            f"{r['memory_per_device_gb']:.1f} / {r['memory_capacity_gb']:.0f} GB "
            + "("
            + ", ".join(f"{k} {v:.1f}" for k, v in r["memory_breakdown_gb"].items())
            + ")",
        )
    parts = r["breakdown_s"]
    total = sum(parts.values())
    if total > 0:
        t.add_row(
            "step breakdown",
            ", ".join(f"{k} {v / total:.0%}" for k, v in parts.items() if v / total >= 0.005),
        )
    t.add_row("bottleneck", r["bottleneck"])
    t.add_row("power per device", ", ".join(f"{k} {v:,.0f} W" for k, v in r["power_per_device_w"].items()))
    t.add_row("average power", ", ".join(f"{k} {v:.3g} MW" for k, v in r["avg_power_mw"].items()))
    t.add_row("energy", ", ".join(f"{k} {_fmt(v, 'MWh')}" for k, v in r["energy_mwh"].items()))
    t.add_row("CO2e", ", ".join(f"{k} {_fmt(v, 't')}" for k, v in r["co2e_t"].items()))
    t.add_row("water", _fmt(r["water_m3"], "m³"))
    cb = r["cost_breakdown_usd"]
    cost = (
        "n/a (no price in catalogue)"
        if r["cost_usd"] is None
        else (
            f"${r['cost_usd']:,.0f} (hardware ${cb['hardware_depreciation']:,.0f} + energy ${cb['energy']:,.0f})"
        )
    )
    if cb.get("cloud_rental_alternative"):
        cost += f"; renting instead ≈ ${cb['cloud_rental_alternative']:,.0f}"
    t.add_row("cost", cost)
    if r.get("energy_cost_share") is not None:
        t.add_row("energy share of cost", f"{r['energy_cost_share']:.1%}")
    if r.get("electricity_equivalent"):
        eq = r["electricity_equivalent"]
        t.add_row(
            "electricity as",
            f"{eq['sentence']} ({eq['us_households_for_a_year']:,.0f} US households for a year)",
        )
    c.print(t)
    for a in r["assumptions"]:
        c.print(f"  • {a}", style="dim")


def print_plan(res: dict) -> None:
    c = _console()
    best = res["best"]
    c.print(
        f"[bold]Best plan for {best['model']} on {best['devices']:,} × {best['accelerator']}[/] "
        f"(objective: {res['objective']}; {res['candidates_evaluated']:,} candidates, "
        f"{res['feasible']:,} feasible, {res['search_s']:.2f} s)"
    )
    t = Table()
    for col in ("#", "plan", "step s", "MFU", "mem GB", "energy/step kWh", "days", "binding"):
        t.add_column(col)
    for i, r in enumerate(res["top"], 1):
        t.add_row(
            str(i),
            _plan_str(r["plan"]),
            f"{r['step_time_s']:.3f}",
            f"{r['mfu']:.1%}",
            f"{r['memory_per_device_gb']:.1f}",
            f"{r['energy_per_step_kwh']:.2f}",
            f"{r['wall_clock_days']:.1f}",
            r["binding"],
        )
    c.print(t)
    if len(res["top"]) > 1:
        a, b = res["top"][0], res["top"][1]
        c.print(
            f"Runner-up is {b['step_time_s'] / a['step_time_s'] - 1:+.1%} in step time and "
            f"{b['energy_per_step_kwh'] / a['energy_per_step_kwh'] - 1:+.1%} in energy per step; "
            f"its largest overhead: {b['binding']}."
        )
    if res["rejected"]:
        c.print("[bold]Rejected[/]")
        for rej in res["rejected"][:12]:
            c.print(f"  {rej['count']:>8,}  {rej['reason']}")


def print_catalog_list(kind: str, items: dict) -> None:
    t = Table(title=f"catalogue: {kind}")
    t.add_column("id")
    t.add_column("name")
    t.add_column("key figures")
    for e in items.values():
        if kind == "accelerators":
            prec = "bf16" if "bf16" in e.peak_tflops else "fp16"
            fig = (
                f"{e.peak_tflops.get(prec, 0):g} TF {prec}, "
                f"{e.memory_gb:g} GB, {e.memory_bandwidth_tb_s:g} TB/s, {e.tdp_w:g} W"
            )
        elif kind == "models":
            from scalewall.workload.params import param_count

            fig = f"{param_count(e).total / 1e9:.1f} B params, {e.n_layers} layers, d={e.d_model}"
        elif kind == "regions":
            fig = f"{e.grid_gco2_kwh:g} g/kWh ({e.grid_year}), ${e.price_usd_mwh:g}/MWh, PUE {e.pue}"
        elif kind == "trends":
            fig = f"{e.low:g} / {e.central:g} / {e.high:g} {e.unit}"
        elif kind == "paradigms":
            m = e.efficiency_multiplier
            fig = (
                f"{e.kind}, {e.maturity}, from {e.earliest_volume_year}, "
                f"{m.low:g}/{m.central:g}/{m.high:g}x on {'+'.join(e.applies_to)}"
            )
        elif kind == "equivalences":
            fig = f"{e.annual_electricity_kwh / 1e9:g} TWh ({e.year})"
        elif kind == "countries":
            fig = f"{e.electricity_demand_twh:g} TWh ({e.year}, {e.iso3})"
        elif kind == "actors":
            fig = f"capex {e.capex_usd / 1e9:g} B USD (FY{e.fiscal_year})"
        elif kind == "engines":
            fig = (
                f"{e.memory_fraction:g} of {e.memory_fraction_of} memory, admission at {e.admission} "
                f"length; own factors on {', '.join(e.accelerators) or 'none'}"
            )
        elif kind == "stacks":
            fig = (
                f"flash {'yes' if e.flash_attention else 'no'}, ZeRO {','.join(map(str, e.zero_stages))}, "
                f"TP overlap {e.tp_comm_overlap:g}"
            )
        elif kind == "links":
            fig = (
                f"{e.capex_usd_per_mw_km:g} USD/MW-km + {e.converter_pair_capex_usd_per_kw:g} USD/kW "
                f"converters, {e.loss_per_1000_km:.0%} loss per 1,000 km"
            )
        elif kind == "resource_limits":
            fig = f"{e.tech} only in {', '.join(e.regions) or 'no region'}"
        elif hasattr(e, "value") and hasattr(e, "unit"):
            fig = f"{e.value:g} {e.unit}"
        else:  # a kind without its own summary: its id and name say what it is
            fig = ""
        t.add_row(e.id, e.name, fig)
    _console().print(t)


def print_entry(e: Any) -> None:
    c = _console()
    d = e.model_dump()
    src = d.pop("source", [])
    t = Table(title=f"{e.id}", show_header=False)
    t.add_column("field", style="bold")
    t.add_column("value")
    for k, v in d.items():
        if v is not None and v != []:
            t.add_row(k, str(v))
    c.print(t)
    for s in src:
        c.print(f"  source: {s['title']} — {s['publisher']}, {s['year']}, {s['where']}")


def print_validation(rows: list, summary: list[str]) -> None:
    """The validation rows as a table, then the summary lines (one per group of cases)."""
    t = Table(title="scalewall validate: predicted vs published")
    for col in ("case", "quantity", "published", "predicted", "error", "bar", "ok", "calibration"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            escape(r.case),
            escape(r.quantity),
            f"{r.published:.4g}",
            f"{r.predicted:.4g}",
            f"{r.error:+.1%}",
            r.bar,
            "-" if r.bar == "none" else ("yes" if r.ok else "NO"),
            r.role,
        )
    c = _console()
    c.print(t)
    for line in summary:
        c.print(line)


def print_inference(r: dict) -> None:
    c = _console()
    t = Table(
        title=f"Serving {r['model']} on {r['devices']:,} × {r['accelerator']} "
        f"({r['instances']} instance(s) of tp={r['tp']}, ep={r['ep']}, {r['precision']})",
        show_header=False,
    )
    t.add_column("quantity", style="bold")
    t.add_column("value")
    t.add_row("request", f"{r['prompt_tokens']:g} prompt + {r['output_tokens']:g} output tokens")
    t.add_row(
        "batch",
        f"cap {r['batch']} per instance ({r['engine']}), running {r['running_batch']}; "
        f"pre-emption from {r['max_batch']}; KV cache {r['kv_cache_utilisation']:.0%} used",
    )
    t.add_row(
        "latency",
        f"TTFT {r['ttft_s'] * 1e3:.1f} ms, ITL {r['itl_s'] * 1e3:.2f} ms, "
        f"request {r['request_latency_s']:.2f} s",
    )
    pct = r["latency_percentiles_ms"]
    t.add_row(
        "latency percentiles",
        "; ".join(
            f"{k.upper()} " + ", ".join(f"{q} {v:.1f} ms" for q, v in pct[k].items()) for k in ("ttft", "itl")
        ),
    )
    t.add_row(
        "throughput",
        f"{r['output_tokens_per_s']:,.0f} output tokens/s in total, "
        f"{r['tokens_per_s_per_user']:.1f} per user",
    )
    t.add_row(
        "memory per device",
        f"{r['memory_per_device_gb']:.1f} / {r['memory_capacity_gb']:.0f} GB "
        f"(KV cache {r['kv_cache_gb']:.1f} GB per instance)",
    )
    t.add_row("bottleneck", r["bottleneck"])
    t.add_row("power", ", ".join(f"{k} {v / 1e3:,.2f} kW" for k, v in r["power_w"].items()))
    t.add_row(
        "power per device by phase",
        ", ".join(f"{k} {v:,.0f} W" for k, v in r["power_per_device_w_by_phase"].items()),
    )
    t.add_row(
        "energy per output token",
        ", ".join(f"{k} {v:.3g} J" for k, v in r["energy_j_per_output_token"].items()),
    )
    t.add_row("energy per query", ", ".join(f"{k} {v:.3g} Wh" for k, v in r["energy_wh_per_query"].items()))
    t.add_row("CO2e / water per query", f"{r['co2e_g_per_query']:.3g} g / {r['water_ml_per_query']:.3g} mL")
    f = r.get("fleet")
    if f:
        t.add_row(
            "fleet",
            f"{f['queries_per_day']:.3g} queries/day at {f['utilisation']:.0%} utilisation: "
            f"{f['devices']:,} devices; "
            + ", ".join(f"{k} {v:.3g} MW" for k, v in f["avg_power_mw"].items()),
        )
        t.add_row(
            "fleet per year",
            ", ".join(f"{k} {v:.3g} TWh" for k, v in f["energy_twh_per_year"].items())
            + f"; {f['co2e_t_per_year']:,.0f} tCO2e",
        )
    c.print(t)
    for p in r.get("extrapolated_paradigms", []):
        c.print(
            f"  ~ {p['name']}: {p['energy_j_per_output_token_accelerator']:.3g} J/token at the "
            f"accelerator ({p['status']})",
            style="dim",
        )
    for a in r["assumptions"]:
        c.print(f"  • {a}", style="dim")


def print_report_summary(title: str, rows: list[tuple[str, str, str]], path: str | None = None) -> None:
    """The short summary ``scalewall report`` prints: (section, quantity, value) rows and the path."""
    c = _console()
    t = Table(title=title)
    t.add_column("section", style="bold")
    t.add_column("quantity")
    t.add_column("value")
    for sec, q, v in rows:
        t.add_row(escape(sec), escape(q), escape(v))
    c.print(t)
    if path is not None:
        c.print(f"report: {escape(path)}", highlight=False, soft_wrap=True)


def print_site(res: dict) -> None:
    """The ``site`` result as tables: capacities per technology, then cost, CFE, carbon, PUE."""
    from rich.console import Console
    from rich.table import Table

    c = Console(width=110)
    t = Table(
        title=f"Least-cost supply for {res['load_mw_it']:,.4g} MW IT at {res['site']} "
        f"({res['year']}, CFE target {res['cfe_target']:.0%})"
    )
    for col in ("technology", "capacity MW", "storage MWh", "energy MWh/yr", "CF resource", "CF used"):
        t.add_column(col, justify="right" if col != "technology" else "left")
    for tech, mw in res["capacity_mw"].items():
        t.add_row(
            tech,
            f"{mw:,.1f}",
            f"{res['storage_mwh'].get(tech, 0):,.0f}" if tech in res["storage_mwh"] else "",
            f"{res['energy_mwh_per_year'].get(tech, 0):,.0f}",
            f"{res['capacity_factor'][tech]:.1%}" if tech in res["capacity_factor"] else "",
            f"{res['capacity_factor_dispatched'][tech]:.1%}"
            if tech in res["capacity_factor_dispatched"]
            else "",
        )
    c.print(t)
    s = Table(show_header=False)
    rows = [
        ("cost", f"{res['cost_usd_per_mwh']:.1f} USD/MWh ({res['annual_cost_usd'] / 1e6:,.1f} M USD/yr)"),
        ("CFE share (hourly)", f"{res['cfe_share']:.1%}"),
        (
            "CO2e",
            f"{res['co2e_t_per_year']:,.0f} t/yr lifecycle ({res['co2e_g_per_kwh']:.1f} g/kWh); "
            f"direct {res['co2e_direct_t_per_year']:,.0f} t/yr",
        ),
        ("PUE (annual)", f"{res['pue_annual']:.3f}"),
        (
            "curtailment",
            f"{res['curtailment_share']:.1%} of variable output "
            f"({_fmt(res.get('curtailment_mwh_per_year'), 'MWh/yr')})",
        ),
        (
            "storage losses",
            ", ".join(
                f"{k} {_fmt(v, 'MWh/yr')}" for k, v in res.get("storage_losses_mwh_per_year", {}).items()
            )
            or "no storage",
        ),
        ("land / water", f"{res['land_km2']:.2f} km² / {res['water_m3_per_year']:,.0f} m³/yr"),
        ("lead time", f"{res['lead_time_years']:g} years ({res['lead_time_binding']})"),
        (
            "solve",
            f"{res['solve_s']:.1f} s (build {res['build_s']:.1f} s); balance error {res['balance_error_mw']:.1e} MW",
        ),
    ]
    for k, v in rows:
        s.add_row(k, v)
    c.print(s)
    for n in res["notes"]:
        c.print(f"  • {n}", highlight=False)


def _ofmt(x: float | None, unit: str = "") -> str:
    """An outlook quantity: 2 significant figures when very large or small, else 3."""
    if x is None:
        return "—"
    if abs(x) >= 1e5 or (0 < abs(x) < 1e-2):
        s = f"{x:.2g}"
        if "e" in s:  # 3.4e28 and 3.6e7, not 3.4e+28 and 3.6e+07
            mantissa, exponent = s.split("e")
            s = f"{mantissa}e{int(exponent)}"
        return s + unit
    if abs(x) >= 1e3:
        return f"{x:,.0f}{unit}"  # 1,470, not 1.47e+03
    return f"{x:,.3g}{unit}"


def _band(q: dict, unit: str = "") -> str:
    """p50 on one line, the p10–p90 range under it (so a narrow terminal folds, never cuts)."""
    return f"{_ofmt(q['p50'], unit)}\n{_ofmt(q['p10'])}– {_ofmt(q['p90'])}"


def _print_regions(con: Any, years: list[dict]) -> None:
    """Data centres by grid region at a few years: TWh, new generation GW/yr, share at the limit."""
    from rich.table import Table

    if not years or not years[0].get("regions"):
        return
    shown = [y for y in years if y["year"] in {years[-1]["year"], 2030, 2035, 2040}] or [years[-1]]
    r = Table(
        title="Data centres by region (p50): TWh · new generation GW/yr · samples whose demand "
        "exceeds the region's grid-build limit and moves elsewhere"
    )
    r.add_column("region", overflow="fold")
    r.add_column("limit (share of new gen.)", overflow="fold")
    for y in shown:
        r.add_column(str(y["year"]), overflow="fold")
    for rid in years[0]["regions"]:
        lim = years[0]["regions"][rid]["datacentre_share_of_new_generation_limit"]
        cells = []
        for y in shown:
            q = y["regions"][rid]
            cells.append(
                f"{_ofmt(q['datacentre_electricity_twh']['p50'])} TWh · "
                f"{_ofmt(q['new_generation_gw_per_year']['p50'])} GW · {q['probability_at_limit']:.0%}"
            )
        r.add_row(rid, "—" if lim is None else f"{lim:.0%}", *cells)
    con.print(r)


def print_outlook(res: dict) -> None:
    """The ``outlook`` result as tables: years, wall years, levers, sensitivity, assumptions."""
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(
        title=f"Outlook {res['from']}–{res['to']} · scenario {res['scenario']} · "
        f"{res['samples']:,} samples (p50, p10–p90)"
    )
    for col in (
        "year",
        "frontier FLOP",
        "run power GW",
        "run cost USD",
        "DC TWh",
        "share of world",
        "binding (prob.)",
        "actors",
    ):
        t.add_column(col, overflow="fold")
    years = res["years"]
    pick = {years[0]["year"], years[-1]["year"]} | {y["year"] for y in years if y["year"] % 5 == 0}
    for y in years:
        if y["year"] not in pick:
            continue
        top = next(iter(y["binding_constraint"].items()))
        t.add_row(
            str(y["year"]),
            _band(y["frontier_training_flop"]),
            _band(y["frontier_run_power_gw"]),
            _band(y["frontier_run_cost_usd"]),
            _band(y["datacentre_electricity_twh"]),
            f"{y['share_of_world_electricity']['p50']:.1%}",
            f"{top[0]} {top[1]:.0%}",
            _ofmt(y["actors_able_to_afford"]["p50"]),
        )
    con.print(t)
    e = Table(title="Frontier run: its cost split, energy share, its electricity as a country's (p50)")
    for col in (
        "year",
        "hardware / energy / rest USD",
        "energy share",
        "price USD/MWh",
        "run electricity as",
        "AI CO2e Mt",
    ):
        e.add_column(col, overflow="fold")
    for y in years:
        if y["year"] not in pick:
            continue
        eq = y.get("frontier_run_electricity_equivalent") or {}
        e.add_row(
            str(y["year"]),
            " / ".join(
                _ofmt(y[k]["p50"])
                for k in (
                    "frontier_run_hardware_cost_usd",
                    "frontier_run_energy_cost_usd",
                    "frontier_run_other_cost_usd",
                )
            ),
            f"{y['frontier_run_energy_cost_share']['p50']:.0%}",
            _ofmt(y["electricity_price_usd_mwh"]["p50"]),
            eq.get("sentence", "—"),
            _ofmt(y["ai_electricity_co2e_mt"]["p50"]),
        )
    con.print(e)
    _print_regions(con, years)
    falls = [
        f"{y['year']} ({', '.join(f'{w} {v:.0%}' for w, v in y['run_power_falls'].items())})"
        for y in years
        if y.get("run_power_falls") and sum(y["run_power_falls"].values()) >= 0.05
    ]
    if falls:
        con.print(
            "  The frontier run's power falls from the year before in ≥ 5 % of samples, forced by "
            "the wall named: " + "; ".join(falls),
            highlight=False,
        )
    w = Table(title="Year each wall first caps the trend (null: not by the last year)")
    for col in ("wall", "p10", "p50", "p90", "P(by end)"):
        w.add_column(col)
    for name, q in res["wall_year"].items():
        w.add_row(
            name,
            *(str(q[k]) if q[k] else "—" for k in ("p10", "p50", "p90")),
            f"{q['probability_by_end']:.0%}",
        )
    con.print(w)
    if res["levers"]:
        lv = Table(title="Levers: years gained on the first wall (and on the wall they target)")
        for col in ("lever", "acts from", "first wall p50 (p10–p90)", "target wall p50"):
            lv.add_column(col)
        for r in res["levers"]:
            g, gt = r["years_gained"], r["target_wall_years_gained"]
            lv.add_row(
                r["name"],
                str(r["acts_from"] or "now"),
                f"{g['p50']:+g} ({g['p10']:+g}–{g['p90']:+g})",
                f"{r['target_wall']} {gt['p50']:+g}",
            )
        con.print(lv)
        for r in res["levers"]:
            con.print(f"  {r['name']}: {r['change']}; {r['note']}", highlight=False)
            for b in r.get("by_year", []):
                price = f"{b['price_usd_mwh']:,.0f} USD/MWh" if b["price_usd_mwh"] else "no price"
                gain = f"{b['years_gained_p50']:+.2g} y" if b["years_gained_p50"] is not None else "flat"
                con.print(
                    f"    {b['year']}: +{_ofmt(b['adds_campus_gw_p50'])} GW, avoids "
                    f"{_ofmt(b['avoids_ai_electricity_twh_p50'])} TWh and "
                    f"{_ofmt(b['avoids_co2e_t_p50'])} tCO2e, {price}, {gain} on {r['target_wall']}",
                    highlight=False,
                )
    if res["sensitivity"]:
        s = Table(title="Sobol sensitivity (largest total effects)")
        for col in ("output", "parameter", "S1", "ST"):
            s.add_column(col)
        for r in res["sensitivity"]:
            s.add_row(r["output"], r["parameter"], f"{r['s1']:.2f}", f"{r['st']:.2f}")
        con.print(s)
    for a in res["assumptions"]:
        con.print(f"  • {a}", highlight=False)
