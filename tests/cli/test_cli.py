"""The CLI as a user runs it: JSON only on --json, one sentence and exit code 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scalewall", *args], capture_output=True,
                          text=True, timeout=120)


def test_train_json_prints_only_the_result_object():
    p = run("train", "--model", "llama-2-7b", "--accelerator", "h100-sxm", "--devices", "64",
            "--tokens", "2T", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)  # the whole of stdout is one JSON document
    assert out["tokens"] == pytest.approx(2e12)
    assert out["energy_mwh"]["facility"] > 0 and out["plan"]["tp"] >= 1


def test_train_table_without_flags_beyond_model_accelerator_devices_tokens():
    p = run("train", "--model", "gpt-3-175b", "--accelerator", "h100-sxm", "--devices", "1024",
            "--tokens", "300e9")
    assert p.returncode == 0, p.stderr
    assert "MFU" in p.stdout and "CO2e" in p.stdout and "bottleneck" in p.stdout


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--model", "gpt-3-175b", "--accelerator", "h100-sxn", "--devices", "8"], "closest: h100-sxm"),
        (["--model", "lama-2-7b", "--accelerator", "h100-sxm", "--devices", "8"], "llama-2-7b"),
        (["--model", "gpt-3-175b", "--accelerator", "h100-sxm", "--devices", "-5"], "devices"),
        (["--model", "gpt-3-175b", "--accelerator", "h100-sxm", "--devices", "8", "--tp", "8",
          "--pp", "1", "--dp", "1", "--cp", "1", "--ep", "1", "--zero", "0", "--global-batch", "8"],
         "GB > 86 GB"),
        (["--model", "gpt-3-175b", "--accelerator", "h100-sxm", "--devices", "8", "--tokens", "lots"],
         "not a number"),
        (["--model", "gpt-3-175b", "--accelerator", "h100-sxm", "--devices", "64", "--pue", "0.4"],
         "pue"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_code_2(args, needle):
    p = run("train", *args)
    assert p.returncode == 2
    assert needle in p.stderr
    assert "Traceback" not in p.stderr
    assert p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_plan_json_contract():
    p = run("plan", "--model", "gpt-3-175b", "--accelerator", "h100-sxm", "--devices", "1024",
            "--global-batch", "1536", "--seq-len", "2048", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["candidates_evaluated"] >= 1000
    assert {"best", "top", "feasible", "rejected", "search_s"} <= set(out)


def test_train_plan_auto_uses_the_planner():
    p = run("train", "--model", "llama-2-7b", "--accelerator", "a100-80gb", "--devices", "64",
            "--tp", "8", "--plan", "auto", "--json")
    assert p.returncode == 0, p.stderr
    assert any("planner" in a for a in json.loads(p.stdout)["assumptions"])


def test_catalog_list_and_show_print_sources():
    p = run("catalog", "show", "accelerators", "h100")
    assert p.returncode == 0 and "source:" in p.stdout
    p = run("catalog", "list", "models", "--json")
    ids = {e["id"] for e in json.loads(p.stdout)}
    assert {"gpt-3-175b", "deepseek-v3", "gpt-oss-120b"} <= ids


def test_validate_prints_the_error_table():
    p = run("validate")
    assert p.returncode == 0, p.stderr
    assert "korthikanti_2022_table5: mean |error|" in p.stdout


def test_model_file_is_accepted(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text("id: tiny\nname: Tiny\nn_layers: 12\nd_model: 768\nn_heads: 12\n"
                 "vocab_size: 50257\nseq_len: 1024\n")
    p = run("train", "--model-file", str(f), "--accelerator", "a100-80gb", "--devices", "8",
            "--tokens", "1e10", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["model"] == "tiny"


def test_bad_model_file_names_the_field(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text("id: tiny\nname: Tiny\nn_layers: -3\nd_model: 768\nn_heads: 12\n"
                 "vocab_size: 50257\nseq_len: 1024\n")
    p = run("train", "--model-file", str(f), "--accelerator", "a100-80gb", "--devices", "8",
            "--tokens", "1e10")
    assert p.returncode == 2 and "n_layers" in p.stderr


def test_infer_json_contract_and_fleet():
    p = run("infer", "--model", "llama-3.1-70b", "--accelerator", "h100-sxm", "--devices", "8",
            "--queries-per-day", "1e9", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["fleet"]["devices"] > 0 and out["energy_wh_per_query"]["facility"] > 0


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--model", "llama-3.1-8b", "--accelerator", "h100-sxm", "--devices", "2", "--ep", "2"], "mixture-of-experts"),
        (["--model", "llama-3.1-70b", "--accelerator", "h100-sxm", "--devices", "3", "--tp", "3"], "not divisible by tp"),
        (["--model", "llama-3.1-405b", "--accelerator", "h100-sxm", "--devices", "8", "--tp", "8"], "no room for one request's KV cache"),
        (["--model", "llama-3.1-8b", "--accelerator", "h100-sxn", "--devices", "1"], "closest: h100-sxm"),
    ],
)
def test_infer_bad_input_is_one_sentence_and_exit_code_2(args, needle):
    p = run("infer", *args)
    assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
