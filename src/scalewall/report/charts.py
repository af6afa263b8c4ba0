"""Plotly figures (as plain JSON dicts) from the commands' ``--json`` objects. Rendering only.

Each function takes a result exactly as :func:`scalewall.commands.run` returns it and returns a list of
charts ``{"id", "title", "figure": {"data": [...], "layout": {...}}}``; every number plotted is a
field of the result, every axis label carries its unit. The HTML report embeds these dicts and the
web app draws the same ones, so the two cannot disagree.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "train_charts",
    "plan_charts",
    "infer_charts",
    "site_charts",
    "site_curve_chart",
    "outlook_charts",
    "walls_chart",
    "figures_for",
    "dispatch_series",
]

BOUNDARIES = ("accelerator", "node", "facility")
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
]


def _layout(title: str, xtitle: str = "", ytitle: str = "", **kw: Any) -> dict:
    lay: dict[str, Any] = {
        "title": {"text": title},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "xaxis": {"title": {"text": xtitle}, "automargin": True},
        "yaxis": {"title": {"text": ytitle}, "automargin": True},
        "legend": {"orientation": "h", "y": -0.2},
        "height": 380,
    }
    for k, v in kw.items():
        if isinstance(v, dict) and isinstance(lay.get(k), dict):
            lay[k] = {**lay[k], **v}
        else:
            lay[k] = v
    return lay


def _chart(cid: str, title: str, data: list[dict], layout: dict) -> dict:
    return {"id": cid, "title": title, "figure": {"data": data, "layout": layout}}


def _boundary_bar(values: dict, name: str) -> dict:
    keys = [b for b in BOUNDARIES if b in values] or list(values)
    return {
        "type": "bar",
        "name": name,
        "x": keys,
        "y": [values[k] for k in keys],
        "marker": {"color": PALETTE[: len(keys)]},
    }


# ----------------------------------------------------------------------------- train / plan
def train_charts(r: dict) -> list[dict]:
    """Step-time breakdown, memory per device, and power/energy at the three boundaries (only the
    energy when the run has no plan: given by its duration and measured power)."""
    energy = _chart(
        "train-energy",
        "Training energy at three boundaries",
        [_boundary_bar(r["energy_mwh"], "energy")],
        _layout(
            "Energy of the run at the accelerator, node and facility boundaries", "boundary", "energy [MWh]"
        ),
    )
    if r.get("step_time_s") is None:
        return [energy]
    bd = {k: v for k, v in r["breakdown_s"].items() if v > 0}
    step = _chart(
        "train-step",
        "Training step time breakdown",
        [
            {
                "type": "bar",
                "orientation": "h",
                "y": list(bd),
                "x": list(bd.values()),
                "marker": {"color": PALETTE[: len(bd)]},
                "hovertemplate": "%{y}: %{x:.3g} s<extra></extra>",
            }
        ],
        _layout(
            f"Step time {r['step_time_s']:.3g} s per step, by component",
            "time per step [s]",
            "",
            yaxis={"autorange": "reversed"},
        ),
    )
    mem = r["memory_breakdown_gb"]
    memory = _chart(
        "train-memory",
        "Memory per device",
        [
            {
                "type": "bar",
                "name": k,
                "x": ["per device"],
                "y": [v],
                "hovertemplate": f"{k}: %{{y:.3g}} GB<extra></extra>",
            }
            for k, v in mem.items()
        ]
        + [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "capacity",
                "x": ["per device", "per device"],
                "y": [r["memory_capacity_gb"], r["memory_capacity_gb"]],
                "line": {"color": "black"},
            }
        ],
        _layout(
            f"Memory per device: {r['memory_per_device_gb']:.1f} of {r['memory_capacity_gb']:.0f} GB",
            "one device (stacked by use)",
            "memory [GB]",
            barmode="stack",
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": r["memory_capacity_gb"],
                    "y1": r["memory_capacity_gb"],
                    "line": {"dash": "dash", "color": "black"},
                }
            ],
        ),
    )
    return [step, memory, energy]


def plan_charts(r: dict) -> list[dict]:
    """Step time and facility energy per step of the best plans, and why candidates were rejected."""
    plans = list(r.get("top") or ([r["best"]] if r.get("best") else []))
    labels = [
        f"#{i + 1} tp={p['plan']['tp']} pp={p['plan']['pp']} dp={p['plan']['dp']}"
        for i, p in enumerate(plans)
    ]
    out = []
    if plans:
        data: list[dict[str, Any]] = [
            {"type": "bar", "name": "step time [s]", "x": labels, "y": [p["step_time_s"] for p in plans]}
        ]
        layout = _layout("Step time of the best plans", "plan (rank)", "step time [s]")
        if all("energy_mwh" in p for p in plans):
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": "facility energy of the run [MWh]",
                    "x": labels,
                    "y": [p["energy_mwh"]["facility"] for p in plans],
                    "yaxis": "y2",
                    "marker": {"size": 10},
                }
            )
            layout["yaxis2"] = {
                "title": {"text": "facility energy [MWh]"},
                "overlaying": "y",
                "side": "right",
            }
        out.append(_chart("plan-top", "Best plans", data, layout))
    rej = r.get("rejected") or []
    if isinstance(rej, list) and rej:
        items = [(str(x.get("reason", ""))[:70], _num(x.get("count"))) for x in rej if isinstance(x, dict)][
            :8
        ]
        out.append(
            _chart(
                "plan-rejected",
                "Rejected candidates",
                [{"type": "bar", "orientation": "h", "y": [k for k, _ in items], "x": [v for _, v in items]}],
                _layout(
                    "Why candidates were rejected",
                    "candidates [-]",
                    "",
                    yaxis={"autorange": "reversed"},
                    margin={"l": 420},
                ),
            )
        )
    return out


def _num(v: Any) -> float:
    if isinstance(v, dict):
        v = v.get("count", 0)
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


# ----------------------------------------------------------------------------- infer
def infer_charts(r: dict) -> list[dict]:
    """Energy per query and per output token at the three boundaries, and the latency."""
    q = _chart(
        "infer-energy-query",
        "Energy per query at three boundaries",
        [_boundary_bar(r["energy_wh_per_query"], "energy per query")],
        _layout("Energy per query", "boundary", "energy per query [Wh]"),
    )
    t = _chart(
        "infer-energy-token",
        "Energy per output token at three boundaries",
        [_boundary_bar(r["energy_j_per_output_token"], "energy per output token")],
        _layout("Energy per output token", "boundary", "energy per output token [J]"),
    )
    lat = _chart(
        "infer-latency",
        "Latency",
        [
            {
                "type": "bar",
                "x": ["time to first token", "inter-token latency"],
                "y": [r["ttft_s"] * 1e3, r["itl_s"] * 1e3],
                "marker": {"color": PALETTE[3:5]},
            }
        ],
        _layout(f"Latency (request {r['request_latency_s']:.3g} s)", "", "latency [ms]"),
    )
    return [q, t, lat]


# ----------------------------------------------------------------------------- site
def dispatch_series(r: dict) -> tuple[dict[str, list[float]], list[float] | None]:
    """Hourly dispatch {tech: MW per hour} and hourly load [MW] from a site result, if it has one.

    Accepts ``dispatch_mw`` / ``dispatch`` / ``hourly`` as {tech: [MW…]} or as a list of rows
    {tech: MW, …}; the load is the ``load`` / ``load_mw`` column if present.
    """
    raw = None
    for key in ("dispatch_mw", "dispatch", "hourly_dispatch_mw", "hourly"):
        if isinstance(r.get(key), (dict, list)) and r.get(key):
            raw = r[key]
            break
    if raw is None:
        return {}, None
    if isinstance(raw, list):
        cols: dict[str, list[float]] = {}
        for row in raw:
            if isinstance(row, dict):
                for k, v in row.items():
                    if isinstance(v, (int, float)) and k not in ("hour", "index", "t"):
                        cols.setdefault(k, []).append(float(v))
        raw = cols
    series = {
        k: [float(x) for x in v]
        for k, v in raw.items()
        if isinstance(v, list) and v and all(isinstance(x, (int, float)) for x in v)
    }
    load = None
    for k in ("load", "load_mw", "demand", "demand_mw"):
        if k in series:
            load = series.pop(k)
            break
    return series, load


def site_charts(r: dict, week_start_day: int = 182) -> list[dict]:
    """Capacities and storage built, and a week of hourly dispatch when the result has it.

    Dispatch: supply stacked above zero (generators, storage discharge, then curtailed output in
    grey), storage charging stacked below zero, the load as a dotted line; so the stack above
    zero equals load + charging + curtailment in every hour.
    """
    cap = {k: v for k, v in (r.get("capacity_mw") or {}).items() if v}
    colour = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(cap)}
    sto = {k: v for k, v in (r.get("storage_mwh") or {}).items() if v}
    data = [
        {
            "type": "bar",
            "name": f"{k} [MW]",
            "x": [k],
            "y": [v],
            "marker": {"color": colour[k]},
            "legendgroup": k,
            "offsetgroup": "power",
        }
        for k, v in cap.items()
    ]
    data += [
        {
            "type": "bar",
            "name": f"{k} storage [MWh]",
            "x": [k],
            "y": [v],
            "yaxis": "y2",
            "legendgroup": k,
            "offsetgroup": "energy",
            "marker": {"color": colour.get(k, "#999999"), "pattern": {"shape": "/"}},
        }
        for k, v in sto.items()
    ]
    layout = _layout(
        f"Capacities for {r.get('cfe_share', 0):.0%} hourly CFE at ${r.get('cost_usd_per_mwh', 0):,.0f}/MWh",
        "technology",
        "capacity [MW]",
        barmode="group",
        legend={"y": -0.3},
    )
    if sto:
        layout["yaxis2"] = {
            "title": {"text": "storage energy [MWh]", "standoff": 12},
            "overlaying": "y",
            "side": "right",
            "automargin": True,
        }
        layout["margin"] = {**layout["margin"], "r": 90}
    out = [_chart("site-capacity", "Capacities built", data, layout)]
    series, load = dispatch_series(r)
    if series:
        h0 = 24 * week_start_day
        n = min(len(v) for v in series.values())
        h0 = max(0, min(h0, n - 168))
        hours = list(range(h0, min(n, h0 + 168)))
        week = {k: v[h0 : h0 + 168] for k, v in series.items()}
        order = [k for k in week if k != "curtailment" and min(week[k]) >= 0]
        order += ["curtailment"] if "curtailment" in week else []
        data = [
            {
                "type": "scatter",
                "mode": "lines",
                "stackgroup": "supply",
                "name": k,
                "x": hours,
                "y": week[k],
                **(
                    {"line": {"color": "#c7c7c7"}, "fillcolor": "rgba(199,199,199,0.6)"}
                    if k == "curtailment"
                    else {}
                ),
            }
            for k in order
        ]
        data += [
            {"type": "scatter", "mode": "lines", "stackgroup": "charging", "name": k, "x": hours, "y": v}
            for k, v in week.items()
            if k not in order
        ]
        if load:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": "load",
                    "x": hours,
                    "y": load[h0 : h0 + 168],
                    "line": {"color": "black", "dash": "dot"},
                }
            )
        out.append(
            _chart(
                "site-dispatch",
                "A week of hourly dispatch",
                data,
                _layout(
                    f"Hourly dispatch, days {h0 // 24}–{h0 // 24 + 7} of the year "
                    "(charging below zero; curtailed output in grey)",
                    "hour of the year [h]",
                    "power [MW]",
                ),
            )
        )
    return out


def site_curve_chart(points: list[dict]) -> list[dict]:
    """Cost per MWh served against the hourly CFE share (one site solve per target)."""
    ok = [p for p in points if "result" in p]
    if not ok:
        return []
    return [
        _chart(
            "site-cfe-curve",
            "Cost vs CFE target",
            [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": "cost per MWh",
                    "x": [p["result"].get("cfe_share", p["cfe"]) * 100 for p in ok],
                    "y": [p["result"]["cost_usd_per_mwh"] for p in ok],
                }
            ],
            _layout(
                "Cost of supply against the hourly-matched CFE share",
                "CFE share achieved [%]",
                "cost per MWh served [USD/MWh]",
            ),
        )
    ]


# ----------------------------------------------------------------------------- outlook
FANS = (
    ("frontier_run_power_gw", "Power of the frontier training run", "power [GW]"),
    ("frontier_run_energy_twh", "Energy of the frontier training run", "energy [TWh]"),
    ("frontier_run_cost_usd", "Cost of the frontier training run", "cost [USD]"),
    ("datacentre_electricity_twh", "Data-centre electricity per year", "electricity [TWh/yr]"),
)


def _fan(cid: str, title: str, ytitle: str, years: list[int], rows: list[dict], color: str) -> dict:
    p10 = [q["p10"] for q in rows]
    p50 = [q["p50"] for q in rows]
    p90 = [q["p90"] for q in rows]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "p10",
            "x": years,
            "y": p10,
            "line": {"width": 0, "color": color},
            "showlegend": False,
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "p10–p90",
            "x": years,
            "y": p90,
            "fill": "tonexty",
            "fillcolor": "rgba(31,119,180,0.25)",
            "line": {"width": 0, "color": color},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "p50",
            "x": years,
            "y": p50,
            "line": {"color": color, "width": 2},
        },
    ]
    return _chart(
        cid, title, data, _layout(f"{title} (p10–p90 band, p50 line)", "year", ytitle, yaxis={"type": "log"})
    )


def walls_chart(o: dict) -> list[dict]:
    """The year each wall first caps the trend: p50 with the p10–p90 range."""
    walls = [(w, q) for w, q in o["wall_year"].items() if q.get("p50") is not None]
    if not walls:
        return []
    walls.sort(key=lambda wq: wq[1]["p50"])
    names = [w for w, _ in walls]
    p50 = [q["p50"] for _, q in walls]
    lo = [q["p50"] - (q["p10"] if q["p10"] is not None else q["p50"]) for _, q in walls]
    hi = [(q["p90"] if q["p90"] is not None else o["to"] + 1) - q["p50"] for _, q in walls]
    return [
        _chart(
            "walls",
            "When each wall binds",
            [
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": "p50 (p10–p90)",
                    "y": names,
                    "x": p50,
                    "marker": {"size": 10},
                    "error_x": {"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
                }
            ],
            _layout(
                "Year each wall first caps the frontier trend",
                "year",
                "",
                yaxis={"autorange": "reversed"},
                margin={"l": 120},
            ),
        )
    ]


def outlook_charts(o: dict) -> list[dict]:
    """Walls, fan charts, binding-constraint probabilities, levers and Sobol indices."""
    years = [y["year"] for y in o["years"]]
    out = walls_chart(o)
    for i, (key, title, ytitle) in enumerate(FANS):
        if o["years"] and key in o["years"][0]:
            out.append(_fan(f"fan-{key}", title, ytitle, years, [y[key] for y in o["years"]], PALETTE[i]))
    names: list[str] = []
    for y in o["years"]:
        for k in y.get("binding_constraint", {}):
            if k not in names:
                names.append(k)
    if names:
        out.append(
            _chart(
                "binding",
                "Binding constraint probabilities",
                [
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "stackgroup": "p",
                        "name": k,
                        "x": years,
                        "y": [y["binding_constraint"].get(k, 0.0) for y in o["years"]],
                    }
                    for k in names
                ],
                _layout(
                    "Probability that each wall is the binding constraint",
                    "year",
                    "probability [-]",
                    yaxis={"range": [0, 1]},
                ),
            )
        )
    if o.get("levers"):
        lv = o["levers"]
        out.append(
            _chart(
                "levers",
                "Levers: years gained",
                [
                    {
                        "type": "bar",
                        "name": "first wall",
                        "x": [r["name"] for r in lv],
                        "y": [r["years_gained"]["p50"] for r in lv],
                        "error_y": {
                            "type": "data",
                            "symmetric": False,
                            "array": [r["years_gained"]["p90"] - r["years_gained"]["p50"] for r in lv],
                            "arrayminus": [r["years_gained"]["p50"] - r["years_gained"]["p10"] for r in lv],
                        },
                    },
                    {
                        "type": "bar",
                        "name": "the wall it targets",
                        "x": [r["name"] for r in lv],
                        "y": [r["target_wall_years_gained"]["p50"] for r in lv],
                        "error_y": {
                            "type": "data",
                            "symmetric": False,
                            "array": [
                                r["target_wall_years_gained"]["p90"] - r["target_wall_years_gained"]["p50"]
                                for r in lv
                            ],
                            "arrayminus": [
                                r["target_wall_years_gained"]["p50"] - r["target_wall_years_gained"]["p10"]
                                for r in lv
                            ],
                        },
                    },
                ],
                _layout(
                    "Years gained by each lever (p50, bars p10–p90)",
                    "lever",
                    "years gained [yr]",
                    barmode="group",
                    xaxis={"title": {"text": "lever"}, "tickangle": -35, "automargin": True},
                ),
            )
        )
    if o.get("sensitivity"):
        s = o["sensitivity"]
        labels = [f"{r['output']} · {r['parameter']}" for r in s]
        out.append(
            _chart(
                "sobol",
                "Sensitivity (Sobol indices)",
                [
                    {
                        "type": "bar",
                        "orientation": "h",
                        "name": "S1 (first order)",
                        "y": labels,
                        "x": [r["s1"] for r in s],
                    },
                    {
                        "type": "bar",
                        "orientation": "h",
                        "name": "ST (total)",
                        "y": labels,
                        "x": [r["st"] for r in s],
                    },
                ],
                _layout(
                    "Sobol sensitivity of each output to the drivers",
                    "Sobol index [-]",
                    "",
                    barmode="group",
                    height=max(380, 28 * len(s) + 120),
                    margin={"l": 420},
                    yaxis={"autorange": "reversed"},
                ),
            )
        )
    return out


def figures_for(command: str, result: dict) -> list[dict]:
    """The charts of one command's result (what the web pages draw)."""
    fn = {
        "train": train_charts,
        "plan": plan_charts,
        "infer": infer_charts,
        "site": site_charts,
        "outlook": outlook_charts,
    }.get(command)
    return fn(result) if fn else []
