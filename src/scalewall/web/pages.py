"""The HTML of the web app's pages: a menu, and one form page per command. Rendering only.

The form is built in the browser from the JSON Schema of the command's request body (``GET
/api/<command>/options``), which :mod:`scalewall.web.models` derives from the command's options
model: every option appears with its type, default and description, and an option added to the
model appears in the form without a change here. Values filled in come from the built-in scenario.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape

__all__ = ["index_page", "command_page", "page_defaults"]


def _blurbs() -> dict[str, str]:
    """One sentence per command page: the registry's summary (declared once, in commands/)."""
    from scalewall.commands import COMMANDS

    return {name: c.summary[0].upper() + c.summary[1:] + "." for name, c in COMMANDS.items()}


@cache
def page_defaults() -> dict[str, dict]:
    """Form defaults per command, from the built-in scenario (plan borrows train's)."""
    import yaml

    from scalewall.report.scenario import default_scenario_text

    sc = yaml.safe_load(default_scenario_text())
    out = {k: dict(sc.get(k) or {}) for k in ("train", "infer", "site", "outlook")}
    tr = out["train"]
    out["plan"] = {k: tr[k] for k in ("model", "accelerator", "devices") if k in tr} | {"top": 5}
    out["outlook"] = {k: v for k, v in out["outlook"].items() if k != "lever"} | {
        "lever": ["efficient-chips", "smr", "distributed-training"]
    }
    return out


def _nav(current: str) -> str:
    cur = ' class="current"'
    links = ['<a href="/">home</a>'] + [
        f'<a href="/{c}"{cur if c == current else ""}>{c}</a>' for c in _blurbs()
    ]
    links.append('<a href="/docs">API</a>')
    return "<nav>" + " ".join(links) + "</nav>"


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/static/style.css">'
    )


def index_page() -> str:
    items = "".join(f'<li><a href="/{c}">{c}</a> — {escape(b)}</li>' for c, b in _blurbs().items())
    return (
        _head("scalewall") + "</head><body><header><h1>scalewall</h1>"
        "<p>Where does the scaling of large language models hit a wall, and what moves it?</p>"
        f'</header>{_nav("")}<main><ul class="menu">{items}</ul>'
        "<p>The same numbers as the CLI: each page calls <code>POST /api/&lt;command&gt;</code>, "
        "which returns what <code>scalewall &lt;command&gt; --json</code> prints. "
        '<a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI</a>.</p>'
        "</main></body></html>"
    )


def command_page(command: str) -> str:
    defaults = json.dumps(page_defaults().get(command, {})).replace("</", "<\\/")
    body = (
        '<form id="options" autocomplete="off"><div id="fields">loading the options…</div>'
        '<button id="run" type="submit">Run</button> <span id="status" role="status"></span>'
        '</form><div id="error" class="error" hidden></div>'
        '<section id="output" hidden><h2>Result</h2><table id="result"></table>'
        '<div id="charts" class="grid"></div><h3>Assumptions</h3><ul id="assumptions"></ul>'
        '<h3>Sources</h3><ol id="sources"></ol></section>'
    )
    return (
        _head(f"scalewall {command}") + '<script src="/static/plotly.min.js"></script></head>'
        f'<body data-command="{escape(command)}"><header><h1>scalewall {escape(command)}</h1>'
        f"<p>{escape(_blurbs()[command])}</p></header>{_nav(command)}<main>{body}</main>"
        f'<script type="application/json" id="defaults">{defaults}</script>'
        '<script src="/static/app.js"></script></body></html>'
    )
