"""Run a scenario through :func:`scalewall.commands.run`: one result per section, nothing computed here.

The report and ``make run`` call :func:`run_scenario`; it returns the commands' ``--json`` objects
unchanged, plus the site solved again at each CFE target of the cost-vs-CFE curve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scalewall.errors import ScalewallError, ScenarioError
from scalewall.report.scenario import LINKED_LOADS, Scenario

__all__ = ["ScenarioResults", "run_scenario"]

#: progress(label, done, total): called before each unit of work and once at the end
Progress = Callable[[str, float, float], None]


class ScenarioResults(dict):
    """``title``, ``options`` {section: options}, ``results`` {section: --json object},
    ``site_curve`` [{cfe, result | error}]."""


def _run_outlook(opts: dict, tick: Callable[[float], None]) -> dict:
    """The outlook with its own progress callback (same object as ``api.run('outlook', …)``)."""
    from scalewall import commands as api

    return api.run("outlook", opts, progress=lambda stage, f: tick(f))


def _linked_site_options(opts: dict, out: dict) -> dict:
    """``site.load_from: train|infer`` replaced by that section's result (its node power)."""
    link = opts.get("load_from")
    if not (isinstance(link, str) and link in LINKED_LOADS):
        return opts
    if link not in out["results"]:
        raise ScenarioError(f"site.load_from: {link} — the {link} section has no result (it did not run)")
    return {**opts, "load_from": out["results"][link]}


def run_scenario(sc: Scenario, progress: Progress | None = None) -> ScenarioResults:
    """Run every section of a scenario, in report order."""
    from scalewall import commands as api

    tick = progress or (lambda label, done, total: None)
    sections = sc.sections()
    curve = sc.report.cfe_curve if "site" in sections else []
    total = float(len(sections) + len(curve))
    done = 0.0
    out = ScenarioResults(title=sc.title, options=sections, results={}, site_curve=[])
    for name, opts in sections.items():
        tick(name, done, total)
        try:
            if name == "outlook":
                base = done

                def outlook_tick(f: float, b: float = base) -> None:
                    tick("outlook", b + f, total)

                res = _run_outlook(opts, outlook_tick)
            elif name == "site":  # the report draws a week of the hourly dispatch
                opts = _linked_site_options(opts, out)
                res = api.run(name, {**opts, "include_dispatch": True})
            else:
                res = api.run(name, opts)
        except ScalewallError as exc:
            raise type(exc)(f"scenario section {name}: {exc}") from None
        out["results"][name] = res
        done += 1
        if name == "site":
            for cfe in curve:
                tick(f"site at CFE {cfe:.0%}", done, total)
                try:
                    point: dict[str, Any] = {"cfe": cfe, "result": api.run("site", {**opts, "cfe": cfe})}
                except ScalewallError as exc:  # e.g. a target the allowed technologies cannot meet
                    point = {"cfe": cfe, "error": str(exc)}
                out["site_curve"].append(point)
                done += 1
    tick("done", total, total)
    return out
