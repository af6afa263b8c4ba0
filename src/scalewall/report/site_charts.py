"""Cost against CFE target, one line per site, from a sweep of sites x CFE targets. Rendering only.

The rows are those of :func:`scalewall.sweep.read_results` (``in.weather`` or ``in.sites``,
``in.cfe``, ``out.cost_usd_per_mwh``, ``out.cfe_share``, ``error``); every number plotted is a
field of a ``scalewall site`` result.
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

__all__ = ["cost_vs_cfe_by_site", "render_cost_vs_cfe"]


def _site_of(row: dict[str, Any]) -> str:
    for col in ("in.sites", "in.weather"):
        v = row.get(col)
        if isinstance(v, str) and v:
            return v
        if isinstance(v, list) and v:
            return ",".join(map(str, v))
    return str(row.get("out.site") or "site")


def _ok(row: dict[str, Any]) -> bool:
    cost = row.get("out.cost_usd_per_mwh")
    return not row.get("error") and isinstance(cost, int | float) and math.isfinite(cost)


def cost_vs_cfe_by_site(rows: list[dict[str, Any]]) -> list[dict]:
    """One Plotly chart: cost per MWh [USD/MWh] against the CFE share achieved [%], a line per site.

    Parameters
    ----------
    rows : list of dict
        Sweep rows of ``scalewall site`` (``df.to_dict("records")``). Rows with an ``error``
        (an infeasible target) are left out of the lines; :func:`render_cost_vs_cfe` lists them.

    Returns
    -------
    list of dict
        ``[{"id", "title", "figure"}]`` (empty when no row succeeded), as the report's charts.
    """
    by_site: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        if _ok(row):
            cfe = row.get("out.cfe_share")
            if not isinstance(cfe, int | float) or not math.isfinite(cfe):
                cfe = float(row.get("in.cfe") or 0.0)
            by_site.setdefault(_site_of(row), []).append((100.0 * cfe, float(row["out.cost_usd_per_mwh"])))
    if not by_site:
        return []
    data = []
    for site, pts in sorted(by_site.items()):
        pts.sort()
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": site,
                "x": [x for x, _ in pts],
                "y": [y for _, y in pts],
            }
        )
    layout = {
        "title": {"text": "Cost of supply against the hourly-matched CFE share, per site"},
        "xaxis": {"title": {"text": "CFE share achieved [%]"}},
        "yaxis": {"title": {"text": "cost per MWh of facility load [USD/MWh]"}},
        "legend": {"orientation": "h", "y": -0.2},
        "height": 420,
    }
    return [
        {
            "id": "site-cost-vs-cfe",
            "title": "Cost vs CFE per site",
            "figure": {"data": data, "layout": layout},
        }
    ]


def render_cost_vs_cfe(rows: list[dict[str, Any]], title: str = "Site supply: cost against CFE") -> str:
    """A self-contained HTML page (plotly.js inlined) with the chart and the failed scenarios."""
    from scalewall.report.html import plotly_js

    charts = cost_vs_cfe_by_site(rows)
    failed = [f"{_site_of(r)} at CFE {r.get('in.cfe')}: {r.get('error')}" for r in rows if r.get("error")]
    fig = json.dumps(charts[0]["figure"], allow_nan=False).replace("</", "<\\/") if charts else "null"
    items = "".join(f"<li>{escape(f)}</li>" for f in failed)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><script>{plotly_js()}</script></head><body>"
        f"<h1>{escape(title)}</h1><div id='chart'></div>"
        + (f"<h2>Not solved</h2><ul>{items}</ul>" if failed else "")
        + f"<script>const fig = {fig}; if (fig) Plotly.newPlot('chart', fig.data, fig.layout);</script>"
        "</body></html>"
    )
