"""Browser tests: Playwright (Python) driving Debian's chromium, headless.

The training form is filled and submitted and shows the API's numbers and a drawn chart; the
outlook page draws its fan chart; the HTML report opens with no network request and draws its
charts. With SCALEWALL_UPDATE_SCREENSHOTS=1 the screenshots are written to docs/img/web.png and
docs/img/report.png (the docs site shows them); otherwise to a temporary folder.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
import yaml

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")

from scalewall import commands as api  # noqa: E402
from scalewall.web.testing import serve  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
#: the docs' screenshots are refreshed only on request (SCALEWALL_UPDATE_SCREENSHOTS=1), so an
#: ordinary test run leaves the working tree clean; otherwise they go to a temporary folder
IMG = (Path(__file__).resolve().parents[2] / "docs" / "img"
       if os.environ.get("SCALEWALL_UPDATE_SCREENSHOTS") == "1"
       else Path(tempfile.gettempdir()) / "scalewall-screenshots")
TRAIN = {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server():
    with serve() as url:
        yield url


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    ctx.close()


def _number(text: str) -> float:
    return float(re.sub(r"[^0-9.e+-]", "", text))


def test_training_form_shows_numbers_and_chart(page, server):
    page.goto(f"{server}/train")
    page.wait_for_selector("form[data-ready='1']", timeout=15_000)
    page.fill("#opt-model", TRAIN["model"])
    page.fill("#opt-accelerator", TRAIN["accelerator"])
    page.fill("#opt-devices", str(TRAIN["devices"]))
    page.fill("#opt-tokens", "")
    page.click("#run")
    row = page.wait_for_selector("tr[data-key='step_time_s'] td:nth-child(2)", timeout=30_000)
    want = api.run("train", TRAIN)
    assert _number(row.inner_text()) == pytest.approx(want["step_time_s"], rel=0.01)
    mfu = page.inner_text("tr[data-key='mfu'] td:nth-child(2)")
    assert _number(mfu) == pytest.approx(want["mfu"], rel=0.01)
    page.wait_for_selector("#chart-train-step .main-svg", timeout=30_000)
    assert page.locator("#chart-train-step .bars .point").count() >= 3  # drawn bars
    assert page.locator("#charts .js-plotly-plot").count() == 3
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / "web.png"), full_page=True)
    assert page.errors == []


@pytest.mark.parametrize("command", list(api.COMMANDS))
def test_form_inputs_are_the_options_fields(page, server, command):
    from scalewall.commands.options import is_file_option

    page.goto(f"{server}/{command}")
    page.wait_for_selector("form[data-ready='1']", timeout=15_000)
    names = page.eval_on_selector_all("#fields input, #fields select", "els => els.map(e => e.name)")
    model = api.options_model(command)
    assert names == [f.alias or n for n, f in model.model_fields.items() if not is_file_option(n)]
    if command == "train":
        from scalewall import catalog

        assert page.get_attribute("#opt-pue", "placeholder") == (
            f"{catalog.assumption('default-pue')} (catalogue default-pue)")
    assert page.errors == []


def test_training_form_shows_a_clear_error(page, server):
    page.goto(f"{server}/train")
    page.wait_for_selector("form[data-ready='1']", timeout=15_000)
    page.fill("#opt-model", "gpt-3-17")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])", timeout=15_000)
    assert "closest: gpt-3-175b" in page.inner_text("#error")


def test_outlook_page_draws_its_fan_chart(page, server):
    page.goto(f"{server}/outlook")
    page.wait_for_selector("form[data-ready='1']", timeout=15_000)
    page.fill("#opt-samples", "200")
    page.fill("#opt-sensitivity_samples", "32")
    page.fill("#opt-lever", "efficient-chips")
    page.click("#run")
    page.wait_for_selector("#chart-fan-frontier_run_power_gw .main-svg", timeout=60_000)
    # the p10–p90 band is a filled area and the p50 a line: three traces drawn as paths
    fills = page.locator("#chart-fan-frontier_run_power_gw .scatterlayer .trace path.js-fill")
    assert fills.count() >= 1
    assert page.locator("#chart-fan-frontier_run_power_gw .scatterlayer .trace").count() == 3
    assert page.errors == []


def test_report_opens_offline_and_draws_every_chart(browser, tmp_path):
    from scalewall.report.html import render_report
    from scalewall.report.run import run_scenario
    from scalewall.report.scenario import default_scenario_text, parse_scenario

    sc = yaml.safe_load(default_scenario_text())
    sc["outlook"] |= {"samples": 500, "sensitivity_samples": 64}
    res = run_scenario(parse_scenario(sc))
    path = tmp_path / "report.html"
    path.write_text(render_report(res), encoding="utf-8")

    ctx = browser.new_context(viewport={"width": 1280, "height": 1500}, offline=True)
    pg = ctx.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(path.as_uri())
    pg.wait_for_load_state("load")
    n = pg.locator("div.chart").count()
    assert n >= 10
    pg.wait_for_function(f"document.querySelectorAll('div.chart .main-svg').length >= {n}", timeout=30_000)
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    assert errors == []
    IMG.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(IMG / "report.png"), full_page=False)
    ctx.close()
