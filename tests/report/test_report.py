"""The scenario file and the HTML report: validation errors name the field; the report is one
offline file holding every chart with the library's numbers and every source the results list."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from scalewall import commands as api
from scalewall.errors import ScenarioError
from scalewall.report.html import SECTIONS, render_report
from scalewall.report.run import run_scenario
from scalewall.report.scenario import default_scenario_text, load_scenario, parse_scenario

REPO = Path(__file__).resolve().parents[2]

#: the default scenario with a smaller outlook, so the suite stays fast (same sections and charts)
SMALL = yaml.safe_load(default_scenario_text())
SMALL["outlook"] |= {"samples": 300, "sensitivity_samples": 32, "lever": ["efficient-chips", "smr"]}
SMALL["report"]["cfe_curve"] = [0.5]
SMALL["site"] |= {"techs": "solar,battery,gas"}  # a 3-technology LP keeps each solve to seconds


class _Doc(HTMLParser):
    """Every src/href, every section id, and the JSON of every chart."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.sections: list[str] = []
        self.charts: dict[str, dict] = {}
        self.divs: set[str] = set()
        self._fig: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "action", "data"):
            if a.get(k):
                self.links.append(a[k])
        if tag == "section":
            self.sections.append(a.get("id", ""))
        if tag == "div" and a.get("class") == "chart":
            self.divs.add(a["id"])
        if tag == "script" and a.get("class") == "figure-data":
            self._fig, self._buf = a["data-chart"], []

    def handle_data(self, data):
        if self._fig is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._fig is not None:
            self.charts[self._fig] = json.loads("".join(self._buf))
            self._fig = None


@pytest.fixture(scope="module")
def results():
    return run_scenario(parse_scenario(SMALL))


@pytest.fixture(scope="module")
def doc(results):
    d = _Doc()
    d.feed(render_report(results))
    return d


# ------------------------------------------------------------------ scenario validation
def test_default_scenario_ships_in_package_and_repo_identically():
    assert (REPO / "scenarios" / "default.yaml").read_text("utf-8") == default_scenario_text()
    sc = load_scenario(None)
    assert sc.train["model"] == "gpt-3-175b" and sc.train["devices"] == 1024
    assert sc.infer["queries_per_day"] == 1e9 and sc.site["weather"] and sc.outlook["scenario"] == "baseline"


@pytest.mark.parametrize("data, names", [
    ({"title": "x", "trian": {}}, "trian"),
    ({"train": {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devicess": 8}}, "train options: devices"),
    ({"train": {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": "many"}}, "devices"),
    ({"outlook": {"samples": 3}}, "outlook options: samples"),
    ({"infer": {"model": "llama-3.1-70b", "accelerator": "h100-sxm", "devices": 8, "batchh": 1}}, "batchh"),
    ({"train": None, "report": {"cfe_curve": [1.5]}}, "cfe_curve"),
    ({"outlook": {}, "report": {"dispatch_week_start_day": 400}}, "dispatch_week_start_day"),
    ({"title": "only a title"}, "no section"),
    (["train"], "must be a mapping"),
])
def test_scenario_errors_name_the_field(data, names):
    with pytest.raises(ScenarioError) as e:
        parse_scenario(data)
    msg = str(e.value)
    assert names in msg and "\n" not in msg


def test_scenario_file_errors_are_one_sentence(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  model: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"not valid YAML \(line \d"):
        load_scenario(bad)


def test_site_section_is_validated_by_the_site_options():
    with pytest.raises(ScenarioError, match="anything"):
        parse_scenario({"site": {"load_mw": 100, "anything": 1}})


# ------------------------------------------------------------------ the report
def test_report_has_no_external_link_or_source(doc):
    external = [u for u in doc.links if u.lower().startswith(("http:", "https:", "//", "ftp:"))]
    assert external == []
    assert all(u.startswith("#") for u in doc.links), doc.links


def test_report_has_every_section_with_nonempty_charts(doc, results):
    assert doc.sections == [sid for sid, _ in SECTIONS]
    expected = {"walls", "train-step", "train-memory", "train-energy", "infer-energy-query",
                "infer-energy-token", "fan-frontier_run_power_gw", "fan-frontier_run_energy_twh",
                "fan-frontier_run_cost_usd", "binding", "levers", "sobol"}
    if "site" in results["results"]:
        expected |= {"site-capacity", "site-cfe-curve"}
    assert expected <= set(doc.charts)
    assert {f"chart-{c}" for c in doc.charts} == doc.divs
    for cid, fig in doc.charts.items():
        assert fig["data"], cid
        for trace in fig["data"]:
            assert len(trace.get("x") or trace.get("y") or []) > 0, cid
        lay = fig["layout"]
        assert lay["xaxis"]["title"]["text"] or lay["yaxis"]["title"]["text"], cid


def test_report_numbers_are_the_library_results(doc, results):
    t = results["results"]["train"]
    step = doc.charts["train-step"]["data"][0]
    assert dict(zip(step["y"], step["x"], strict=True)) == {k: v for k, v in t["breakdown_s"].items() if v > 0}
    q = doc.charts["infer-energy-query"]["data"][0]
    assert q["y"] == [results["results"]["infer"]["energy_wh_per_query"][b] for b in q["x"]]
    fan = doc.charts["fan-frontier_run_power_gw"]["data"]
    years = results["results"]["outlook"]["years"]
    assert fan[2]["y"] == [y["frontier_run_power_gw"]["p50"] for y in years]
    assert fan[1]["y"] == [y["frontier_run_power_gw"]["p90"] for y in years]


def test_report_lists_every_source(results):
    page = render_report(results)
    from html import escape

    for s in results["results"]["train"]["sources"] + results["results"]["infer"]["sources"]:
        assert escape(s["title"]) in page
    for lv in results["results"]["outlook"]["levers"]:
        for s in lv["sources"]:
            assert escape(s) in page


def test_report_draws_a_site_result_with_dispatch_and_cfe_curve(monkeypatch):
    """A stand-in site result (fast: no LP) is drawn with its capacity, dispatch week and CFE curve."""
    hours = 24 * 14
    fake = {"capacity_mw": {"solar": 300.0, "wind": 150.0, "battery": 80.0}, "storage_mwh": {"battery": 320.0},
            "cost_usd_per_mwh": 80.0, "cfe_share": 0.9,
            "dispatch_mw": {"solar": [50.0] * hours, "wind": [40.0] * hours, "load": [100.0] * hours},
            "sources": [{"title": "Stand-in source", "publisher": "test", "year": 2024, "where": "-"}]}
    real_run = api.run

    def run(command, options):
        if command == "site":
            return fake | {"cfe_share": options.get("cfe", 0.9),
                           "cost_usd_per_mwh": 50 + 100 * options.get("cfe", 0.9) ** 8}
        return real_run(command, options)

    monkeypatch.setattr(api, "run", run)
    res = run_scenario(parse_scenario({"site": {"load_mw": 100, "weather": "greensboro"},
                                       "report": {"cfe_curve": [0.5, 0.9, 0.99], "dispatch_week_start_day": 3}}))
    d = _Doc()
    d.feed(render_report(res, 3))
    assert {"site-capacity", "site-dispatch", "site-cfe-curve"} <= set(d.charts)
    assert len(d.charts["site-dispatch"]["data"][0]["x"]) == 168
    assert d.charts["site-cfe-curve"]["data"][0]["x"] == [50.0, 90.0, 99.0]
    assert "Stand-in source" in render_report(res, 3)  # the site's sources are listed too


# ------------------------------------------------------------------ the command
def _app() -> typer.Typer:
    from scalewall.cli.report import register

    app = typer.Typer()
    register(app)

    @app.command()
    def _other() -> None:  # a second command keeps typer in multi-command mode, like scalewall's
        pass

    return app


def test_report_command_writes_html_and_prints_summary(tmp_path):
    sc = tmp_path / "small.yaml"
    sc.write_text(yaml.safe_dump({k: v for k, v in SMALL.items() if k in ("title", "train", "report")}))
    out = tmp_path / "r.html"
    r = CliRunner().invoke(_app(), ["report", str(sc), "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 3_000_000  # plotly.js is inline
    assert "report:" in r.output and "wall clock" in r.output


def test_report_command_bad_scenario_is_one_sentence(tmp_path):
    sc = tmp_path / "bad.yaml"
    sc.write_text("train: {model: gpt-3-175b, accelerator: h100-sxm, devices: 8, tokenz: 1}\n")
    r = CliRunner().invoke(_app(), ["report", str(sc), "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 2
    assert "tokenz" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "r.html").exists()
