"""Sites x CFE sweep (issue 16): the grid expands to every pair, and the report draws a line per site.

The chart is checked on rows shaped like :func:`scalewall.sweep.read_results` output (the
runner itself is tested in test_runner.py): every plotted point is a row's own field.
"""

from __future__ import annotations

import pytest

from scalewall.errors import InputError
from scalewall.report.site_charts import cost_vs_cfe_by_site, render_cost_vs_cfe
from scalewall.sweep.site_grid import site_cfe_spec
from scalewall.sweep.spec import expand_spec


def test_sites_by_cfe_grid_expands_to_every_pair_with_distinct_keys():
    spec = site_cfe_spec(["greensboro", "miami"], [0.5, 0.9, 0.99], {"techs": "solar,wind,battery,gas"})
    scen = expand_spec(spec)
    assert len(scen) == 6 and len({s.key for s in scen}) == 6
    pairs = {(s.inputs["weather"], s.inputs["cfe"]) for s in scen}
    assert pairs == {(w, c) for w in ("greensboro", "miami") for c in (0.5, 0.9, 0.99)}
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        site_cfe_spec(["miami"], [1.2])


ROWS = [
    {"in.weather": "miami", "in.cfe": 0.9, "out.cfe_share": 0.9, "out.cost_usd_per_mwh": 137.0, "error": None},
    {"in.weather": "miami", "in.cfe": 0.5, "out.cfe_share": 0.5, "out.cost_usd_per_mwh": 90.0, "error": None},
    {"in.weather": "greensboro", "in.cfe": 0.9, "out.cfe_share": 0.9, "out.cost_usd_per_mwh": 171.0, "error": None},
    {"in.weather": "greensboro", "in.cfe": 1.0, "out.cost_usd_per_mwh": None, "error": "infeasible"},
]


def test_cost_vs_cfe_draws_one_line_per_site_in_cfe_order_and_lists_failures():
    (chart,) = cost_vs_cfe_by_site(ROWS)
    lines = {t["name"]: (t["x"], t["y"]) for t in chart["figure"]["data"]}
    assert lines == {"greensboro": ([90.0], [171.0]), "miami": ([50.0, 90.0], [90.0, 137.0])}
    assert "[USD/MWh]" in chart["figure"]["layout"]["yaxis"]["title"]["text"]
    html = render_cost_vs_cfe(ROWS)
    assert "greensboro at CFE 1.0: infeasible" in html and "Plotly.newPlot" in html
    assert cost_vs_cfe_by_site([ROWS[-1]]) == []
