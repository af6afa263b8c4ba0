"""One self-contained HTML file from a scenario's results: plotly.js inline, no network request.

Each chart's figure is embedded as JSON in ``<script type="application/json" class="figure-data"
data-chart="ID">`` and drawn into ``<div class="chart" id="chart-ID">`` by a few lines of inline
script, so the file works offline and tests can read every chart's data without a browser.
"""

from __future__ import annotations

import datetime as _dt
import json
from html import escape

from scalewall.report import charts as C
from scalewall.report.summary import collect_sources, equivalence_rows, summary_rows, wall_rows

__all__ = ["SECTIONS", "render_report", "plotly_js"]

#: report sections: (html id, heading)
SECTIONS = (
    ("summary", "Summary: the walls and the years they bind"),
    ("training", "Training run: step time and memory"),
    ("inference", "Serving: energy per query at three boundaries"),
    ("site", "Site: capacities, a week of dispatch, cost vs CFE"),
    ("outlook", "Outlook: fan charts, binding constraints, levers, sensitivity"),
    ("equivalences", "Equivalences"),
    ("sources", "Sources"),
)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:18px 32px}header h1{margin:0;font-size:1.5em}
header p{margin:4px 0 0;color:#c9cfdb}nav{padding:8px 32px;background:#e8ebf0}
nav a{margin-right:14px;color:#1d4e89;text-decoration:none}main{padding:0 32px 40px;max-width:1200px}
section{background:#fff;border-radius:8px;padding:8px 20px 16px;margin:18px 0;box-shadow:0 1px 3px #0002}
table{border-collapse:collapse;margin:8px 0;font-size:.92em}td,th{border-bottom:1px solid #e1e4ea;
padding:4px 10px;text-align:left;vertical-align:top}th{background:#f0f2f5}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:8px}.grid>*{min-width:0}
.chart{min-height:380px}.note{color:#5a6272;font-size:.9em}
ol.sources li{margin:3px 0;font-size:.9em}
"""

_DRAW = """
document.querySelectorAll('script.figure-data').forEach(function (el) {
  var fig = JSON.parse(el.textContent);
  var target = document.getElementById('chart-' + el.dataset.chart);
  Plotly.newPlot(target, fig.data, fig.layout, {displaylogo: false, responsive: true});
});
"""


def plotly_js() -> str:
    """plotly.js from the installed plotly package (minified), for inlining [JS text]."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _json(obj) -> str:
    # "</" would close the script element; JSON allows "<\/" for it
    return json.dumps(obj, default=float, allow_nan=False).replace("</", "<\\/")


def _table(header: tuple[str, ...] | None, rows) -> str:
    h = "" if header is None else "<tr>" + "".join(f"<th>{escape(c)}</th>" for c in header) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>{h}{body}</table>"


def _charts(items: list[dict]) -> str:
    parts = []
    for c in items:
        cid = escape(c["id"])
        parts.append(
            f'<div class="chart" id="chart-{cid}" title="{escape(c["title"])}"></div>'
            f'<script type="application/json" class="figure-data" data-chart="{cid}">'
            f"{_json(c['figure'])}</script>"
        )
    return '<div class="grid">' + "".join(parts) + "</div>"


def _notes(items: list[str]) -> str:
    if not items:
        return ""
    return '<ul class="note">' + "".join(f"<li>{escape(a)}</li>" for a in items) + "</ul>"


def _missing(name: str, res: dict) -> str:
    return '<p class="note">Not in this scenario.</p>'


def _section(sid: str, heading: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{escape(heading)}</h2>{body}</section>'


def render_report(res: dict, week_start_day: int = 182) -> str:
    """The HTML report of a scenario's results (see :func:`scalewall.report.run.run_scenario`)."""
    r = res["results"]
    body: dict[str, str] = {}

    s = _table(("section", "quantity", "value"), summary_rows(res))
    if "outlook" in r:
        s += _charts(C.walls_chart(r["outlook"]))
        s += _table(("wall", "p10", "p50", "p90", "P(binds by the last year)"), wall_rows(r["outlook"]))
    body["summary"] = s

    if "train" in r:
        t = r["train"]
        body["training"] = (
            f"<p><b>{escape(t['model'])}</b> on {t['devices']:,} × {escape(t['accelerator'])}: "
            f"{escape(t['bottleneck'])}.</p>" + _charts(C.train_charts(t)) + _notes(t.get("assumptions", []))
        )
    else:
        body["training"] = _missing("train", res)

    if "infer" in r:
        i = r["infer"]
        body["inference"] = (
            f"<p><b>{escape(i['model'])}</b> on {i['devices']:,} × {escape(i['accelerator'])}: "
            f"{escape(i['bottleneck'])}.</p>" + _charts(C.infer_charts(i)) + _notes(i.get("assumptions", []))
        )
    else:
        body["inference"] = _missing("infer", res)

    if "site" in r:
        site = r["site"]
        items = C.site_charts(site, week_start_day) + C.site_curve_chart(res.get("site_curve", []))
        failed = [f"CFE {p['cfe']:.0%}: {p['error']}" for p in res.get("site_curve", []) if "error" in p]
        body["site"] = _charts(items) + _notes(list(site.get("assumptions", [])) + failed)
        if not C.dispatch_series(site)[0]:
            body["site"] += '<p class="note">The site result carries no hourly dispatch to draw.</p>'
    else:
        body["site"] = _missing("site", res)

    if "outlook" in r:
        o = r["outlook"]
        items = [c for c in C.outlook_charts(o) if c["id"] != "walls"]
        lever_notes = [f"{lv['name']}: {lv['change']}; {lv['note']}" for lv in o.get("levers", [])]
        body["outlook"] = (
            f"<p>Scenario <b>{escape(str(o['scenario']))}</b>, {o['from']}–{o['to']}, "
            f"{o['samples']:,} samples.</p>" + _charts(items) + _notes(lever_notes + o.get("assumptions", []))
        )
    else:
        body["outlook"] = _missing("outlook", res)

    eq = equivalence_rows(res)
    body["equivalences"] = (
        _table(("what", "energy", "equivalent to"), eq)
        if eq
        else '<p class="note">No energy result to compare.</p>'
    )

    src = collect_sources(res)
    body["sources"] = (
        "".join(
            f'<h3>{escape(sec)}</h3><ol class="sources">'
            + "".join(f"<li>{escape(x)}</li>" for x in items)
            + "</ol>"
            for sec, items in src.items()
        )
        or '<p class="note">No sources.</p>'
    )

    nav = "".join(f'<a href="#{sid}">{escape(h.split(":")[0])}</a>' for sid, h in SECTIONS)
    sections = "".join(_section(sid, h, body[sid]) for sid, h in SECTIONS)
    made = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    from scalewall import __version__ as version

    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(res['title'])} · scalewall report</title><style>{_CSS}</style>"
        f"<script>{plotly_js()}</script></head><body>"
        f"<header><h1>{escape(res['title'])}</h1><p>scalewall {escape(str(version))} report, made {made}. "
        "Every number comes from scalewall's results; sources are listed at the end.</p></header>"
        f"<nav>{nav}</nav><main>{sections}</main><script>{_DRAW}</script></body></html>"
    )
