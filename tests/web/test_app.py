"""The web API mirrors the CLI: same JSON, 422 naming the field, 400 one sentence, 413 over 1 MB,
catalogue endpoints with closest ids, no file paths, and a long job does not block other requests."""

from __future__ import annotations

import json
import threading
import time
import warnings

import httpx
import pytest
from typer.testing import CliRunner

from scalewall import commands as api
from scalewall.web import app as webapp
from scalewall.web.testing import serve

TRAIN = {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024}
INFER = {"model": "llama-3.1-70b", "accelerator": "h100-sxm", "devices": 8, "queries_per_day": 1e9}


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():  # starlette warns that its TestClient will move to httpx2
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(webapp.create_app())


def _cli_json(args: list[str]) -> dict:
    from scalewall.cli import app

    r = CliRunner().invoke(app, args + ["--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize("command, body, args", [
    ("train", TRAIN, ["train", "--model", "gpt-3-175b", "--accelerator", "h100-sxm", "--devices", "1024"]),
    ("infer", INFER, ["infer", "--model", "llama-3.1-70b", "--accelerator", "h100-sxm", "--devices", "8",
                      "--queries-per-day", "1e9"]),
    ("plan", TRAIN | {"top": 2}, ["plan", "--model", "gpt-3-175b", "--accelerator", "h100-sxm",
                                  "--devices", "1024", "--top", "2"]),
    ("outlook", {"samples": 64, "sensitivity_samples": 0, "to": 2030},
     ["outlook", "--samples", "64", "--sensitivity-samples", "0", "--to", "2030"]),
])
def test_api_returns_the_cli_json(client, command, body, args):
    r = client.post(f"/api/{command}", json=body)
    assert r.status_code == 200, r.text
    got, want = r.json(), _cli_json(args)
    for volatile in ("search_s",):  # wall-clock time of the search differs between two runs
        got.pop(volatile, None)
        want.pop(volatile, None)
    assert got == want


@pytest.mark.parametrize("body, field", [
    (TRAIN | {"devicess": 8}, "devicess"),
    (TRAIN | {"devices": "lots"}, "devices"),
    (TRAIN | {"recompute": "sometimes"}, "recompute"),
    (TRAIN | {"model_file": "/etc/passwd"}, "model_file"),
    (TRAIN | {"accelerator_file": "../../x.yaml"}, "accelerator_file"),
])
def test_invalid_field_gives_422_naming_it(client, body, field):
    r = client.post("/api/train", json=body)
    assert r.status_code == 422
    j = r.json()
    assert field in j["message"]
    assert any(e["loc"][-1] == field for e in j["detail"])


def test_file_and_path_options_are_refused(client):
    r = client.post("/api/train", json=TRAIN | {"model_file": "/etc/passwd"})
    assert "not accepted over the web" in r.json()["message"]
    for value in ("../../etc/passwd", "/tmp/x.yaml", "baseline.yaml"):
        r = client.post("/api/outlook", json={"scenario": value, "samples": 16})
        assert r.status_code == 422 and "scenario" in r.json()["message"]


def test_library_error_is_400_with_one_sentence(client):
    r = client.post("/api/train", json=TRAIN | {"model": "gpt-3-17"})
    assert r.status_code == 400
    assert "closest: gpt-3-175b" in r.json()["detail"] and "\n" not in r.json()["detail"]
    r = client.post("/api/outlook", json={"samples": 16, "to": 2100})
    assert r.status_code == 400 and "outside the data" in r.json()["detail"]


def test_site_api_validates_before_solving_and_refuses_files(client):
    r = client.post("/api/site", json={"load_mw": 100, "weather": "greensboro", "cfee": 0.9})
    assert r.status_code == 422 and "cfee" in r.text
    r = client.post("/api/site", json={"load_mw": 100, "weather": "../../etc/passwd"})
    assert r.status_code == 422
    r = client.post("/api/site", json={"load_mw": 100, "weather": "atlantis"})
    assert r.status_code == 400 and "greensboro" in r.json()["detail"]
    assert client.get("/site").status_code == 200


def test_body_over_1mb_gives_413(client):
    big = json.dumps(TRAIN | {"pad": "x" * 1_000_001})
    r = client.post("/api/train", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413

    def chunks():  # no Content-Length: the limit is counted as the body streams in
        for _ in range(11):
            yield b" " * 100_000

    r = client.post("/api/train", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_catalog_endpoints(client):
    kinds = client.get("/api/catalog").json()
    assert "models" in kinds and "accelerators" in kinds
    models = client.get("/api/catalog/models").json()
    assert any(m["id"] == "gpt-3-175b" for m in models) and all(m["source"] for m in models)
    one = client.get("/api/catalog/accelerators/h100-sxm").json()
    assert one["id"] == "h100-sxm" and one["source"]
    r = client.get("/api/catalog/models/gpt3-175")
    assert r.status_code == 404 and "gpt-3-175b" in r.json()["detail"]
    r = client.get("/api/catalog/nonsense")
    assert r.status_code == 404 and "kinds:" in r.json()["detail"]


def test_openapi_pages_and_local_static_files(client):
    spec = client.get("/openapi.json").json()
    for c in ("train", "plan", "infer", "site", "outlook"):
        assert f"/api/{c}" in spec["paths"]
        page = client.get(f"/{c}").text
        assert 'src="/static/plotly.min.js"' in page and "http" not in page.replace("/docs", "")
    assert client.get("/static/plotly.min.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/../api.py").status_code == 404


def test_figures_endpoint_draws_results_and_refuses_garbage(client):
    res = client.post("/api/train", json=TRAIN).json()
    figs = client.post("/ui/figures/train", json=res).json()
    assert [f["id"] for f in figs] == ["train-step", "train-memory", "train-energy"]
    assert client.post("/ui/figures/train", json={"x": 1}).status_code == 422


def test_long_job_does_not_block_other_requests(monkeypatch):
    """A job holding its worker thread for 3 s (as a site solve would) leaves the server free."""
    real = webapp._run_command

    def slow(command, options):
        if command == "outlook":
            time.sleep(3.0)
        return real(command, options)

    monkeypatch.setattr(webapp, "_run_command", slow)
    with serve() as url:
        done = {}

        def long_job():
            t0 = time.monotonic()
            done["status"] = httpx.post(f"{url}/api/outlook", json={"samples": 16, "sensitivity_samples": 0,
                                                                    "to": 2026}, timeout=30).status_code
            done["s"] = time.monotonic() - t0

        t = threading.Thread(target=long_job)
        t.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        fast = [httpx.get(f"{url}/api/catalog/models", timeout=30).status_code for _ in range(3)]
        fast.append(httpx.post(f"{url}/api/train", json=TRAIN, timeout=30).status_code)
        fast_s = time.monotonic() - t0
        t.join(30)
    assert fast == [200, 200, 200, 200]
    assert done["status"] == 200 and done["s"] >= 3.0
    assert fast_s < 2.5, f"other requests took {fast_s:.1f} s while the long job ran"


@pytest.mark.parametrize("command", list(api.COMMANDS))
def test_web_form_fields_are_the_options_fields(client, command):
    """The page's form is built from GET /api/<command>/options: the options model's fields (by
    their JSON names), in order, without the options that name files."""
    from scalewall.commands.options import is_file_option

    model = api.options_model(command)
    want = [f.alias or n for n, f in model.model_fields.items() if not is_file_option(n)]
    schema = client.get(f"/api/{command}/options").json()
    assert list(schema["properties"]) == want
    for n, f in model.model_fields.items():
        if not is_file_option(n):
            assert schema["properties"][f.alias or n].get("description") == f.description
    # the POST body takes exactly these fields (the OpenAPI body is the same model)
    spec = client.get("/openapi.json").json()
    ref = spec["paths"][f"/api/{command}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body = spec["components"]["schemas"][ref["$ref"].split("/")[-1]]
    assert list(body["properties"]) == want


def test_options_schema_gives_catalogue_defaults_and_result_schema_is_the_models(client):
    from scalewall import catalog

    pue = client.get("/api/train/options").json()["properties"]["pue"]
    assert pue["default_from"] == "default-pue"
    assert pue["default_from_value"] == catalog.assumption("default-pue")
    got = client.get("/api/infer/result").json()
    assert got == api.RESULT_MODELS["infer"].model_json_schema(mode="serialization")


def test_api_docs_render_with_no_network(client):
    # Swagger UI and ReDoc load their scripts and styles from this server, never from a CDN
    import re

    for path in ("/docs", "/redoc"):
        page = client.get(path).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r"url: '([^']+)'", page)
        assert assets, path
        for a in assets:
            assert not a.startswith(("http://", "https://", "//")), (path, a)
            if a.endswith((".js", ".css", ".png")):
                assert client.get(a).status_code == 200, a
