"""A sweep of sites x CFE targets for ``scalewall site``, and its cost-vs-CFE report.

``site_cfe_spec(["greensboro", "miami"], [0.5, 0.9, 0.99])`` is the SPEC ``scalewall sweep``
runs (the generic runner: resumable, on Dask); :func:`write_cost_vs_cfe` draws its results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scalewall.errors import InputError
from scalewall.sweep.spec import SweepSpec, parse_spec

__all__ = ["site_cfe_spec", "write_cost_vs_cfe"]


def site_cfe_spec(sites: list[str], cfes: list[float], base: dict[str, Any] | None = None) -> SweepSpec:
    """The SPEC of a grid of sites (bundled weather ids or files) x CFE targets [-].

    Raises
    ------
    InputError
        No site or no target, or a target outside [0, 1].
    """
    if not sites or not cfes:
        raise InputError("a sites x CFE sweep needs at least one site and one CFE target")
    bad = [c for c in cfes if not 0 <= c <= 1]
    if bad:
        raise InputError(f"CFE targets must be in [0, 1], got {', '.join(map(str, bad))}")
    opts = {"load_mw": 100, **(base or {})}
    return parse_spec({"command": "site", "base": opts, "grid": {"weather": list(sites), "cfe": list(cfes)}})


def write_cost_vs_cfe(out_dir: str | Path, html_path: str | Path) -> Path:
    """Read a site sweep's results and write the cost-vs-CFE page (one line per site) [HTML file]."""
    from scalewall.files import check_output_path
    from scalewall.report.site_charts import render_cost_vs_cfe
    from scalewall.sweep.store import read_results

    path = check_output_path(html_path, "cost-vs-CFE report", (".html",))
    df = read_results(out_dir)
    if "command" in df.columns and set(df["command"]) - {"site"}:
        raise InputError(f"{out_dir}: not a sweep of `scalewall site` results")
    path.write_text(render_cost_vs_cfe(df.to_dict("records")), encoding="utf-8")
    return path
