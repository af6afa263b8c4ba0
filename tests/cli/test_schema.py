"""``scalewall schema NAME``: the JSON Schema of each command's ``--json`` result, field for field."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scalewall import commands as api
from scalewall.commands import COMMANDS, RESULT_MODELS

#: a small, fast run of every command
RUNS = {
    "train": {"model": "llama-2-7b", "accelerator": "h100-sxm", "devices": 64, "tokens": 1e11},
    "plan": {"model": "llama-2-7b", "accelerator": "h100-sxm", "devices": 64, "top": 2},
    "infer": {"model": "llama-3.1-8b", "accelerator": "h100-sxm", "devices": 1,
              "queries_per_day": 1e6},
    "site": {"load_mw": 10, "weather": "greensboro", "techs": "gas,grid", "cfe": 0.0},
    "outlook": {"samples": 32, "sensitivity_samples": 0, "to": 2026},
}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scalewall", "schema", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def results():
    return {name: api.run(name, opts) for name, opts in RUNS.items()}


def test_every_command_has_a_result_model():
    assert set(RUNS) == set(COMMANDS) == set(RESULT_MODELS)


@pytest.mark.parametrize("name", list(RUNS))
def test_schema_properties_are_the_json_fields(name, results):
    schema = RESULT_MODELS[name].model_json_schema(mode="serialization")
    out = results[name]
    props = schema["properties"]
    assert set(schema.get("required", [])) <= set(out) <= set(props)
    optional = set(props) - set(out)
    assert optional <= {"dispatch_mw"}, optional  # only what the result leaves out when unset
    # and typed: the result validates against its own model
    RESULT_MODELS[name].model_validate(out)


@pytest.mark.parametrize("name", list(RUNS))
def test_every_result_field_is_described(name):
    schema = RESULT_MODELS[name].model_json_schema(mode="serialization")
    missing = [k for k, v in schema["properties"].items() if not v.get("description")]
    assert not missing, f"{name} result fields without a description: {missing}"


def test_schema_command_prints_the_model_schema():
    p = _cli("infer")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == RESULT_MODELS["infer"].model_json_schema(mode="serialization")
    p = _cli("outlook")
    assert {"from", "to"} <= set(json.loads(p.stdout)["properties"])  # the JSON's names
    p = _cli("train", "--options")
    props = json.loads(p.stdout)["properties"]
    assert list(props) == list(COMMANDS["train"].options.model_fields)
    assert props["pue"]["default_from"] == "default-pue"


def test_schema_without_a_name_lists_the_commands():
    p = _cli()
    assert p.returncode == 0
    assert [ln.split("\t")[0] for ln in p.stdout.splitlines()] == list(COMMANDS)


def test_unknown_schema_name_is_one_sentence_with_the_closest():
    p = _cli("trian")
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1
    assert "closest: train" in p.stderr and "Traceback" not in p.stderr
