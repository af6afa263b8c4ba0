"""The CLI's flags are generated from the commands' options models: one flag per field, the field's
description as help, the model's default (or the catalogue's, for a ``None`` default) shown."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Literal

import pytest
import typer
from pydantic import BaseModel, Field
from rich.markup import escape
from typer.testing import CliRunner

from scalewall import catalog
from scalewall.cli import app
from scalewall.cli.options import RENDERERS, build_command, flag_name, help_line, option_params
from scalewall.commands import COMMANDS
from scalewall.commands.options import Count, is_file_option


def _flags(cmd) -> dict[str, object]:
    """{every flag name: the click parameter} of a click command."""
    out = {}
    for p in cmd.params:
        for name in [*p.opts, *p.secondary_opts]:
            out[name] = p
    return out


def _help(*args: str) -> str:
    """Help text as a wide terminal shows it (no wrapping inside an option's help)."""
    env = {**os.environ, "COLUMNS": "250", "TERMINAL_WIDTH": "250"}
    p = subprocess.run([sys.executable, "-m", "scalewall", *args, "--help"], capture_output=True,
                       text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_options_field_is_a_flag_and_nothing_else(name):
    model = COMMANDS[name].options
    flags = _flags(build_command(name))
    want = {flag_name(f) for f in model.model_fields} | {"--json"}
    want |= {flag_name(f.alias) for f in model.model_fields.values() if f.alias}
    want |= {"--no-" + f.replace("_", "-") for f, i in model.model_fields.items()
             if i.annotation in (bool, bool | None)}
    assert set(flags) == want
    for field_name, field in model.model_fields.items():
        param = flags[flag_name(field_name)]
        assert param.name == field_name
        assert field.description and escape(field.description) in param.help  # rich markup-safe
        assert param.required == field.is_required()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_options_field_has_a_description_with_its_unit_or_choices(name):
    for field_name, field in COMMANDS[name].options.model_fields.items():
        d = field.description or ""
        assert d, f"{name}.{field_name} has no description"
        ann = str(field.annotation)
        if ("float" in ann or "int" in ann) and "Literal" not in ann and field_name not in (
                "tp", "pp", "dp", "cp", "ep", "zero", "interleave", "micro_batch", "from_year",
                "to_year", "year", "batch"):
            assert re.search(r"\[[^\]]+\]", d), f"{name}.{field_name}: no [unit] in {d!r}"
        if field.default is None and not field.is_required() and field.default_factory is None \
                and field_name not in ("model", "model_file", "accelerator", "accelerator_file",
                                       "load_mw", "load_from", "weather", "lat", "lon", "plan",
                                       "region", "days", "device_hours", "dispatch_out"):
            assert "default" in d, f"{name}.{field_name}: a None default must say what applies"


def test_train_help_shows_the_catalogue_pue_not_a_stale_number():
    pue = catalog.assumption("default-pue")
    line = next(ln for ln in _help("train").splitlines() if "--pue" in ln)
    assert f"[default: {pue:g}, catalogue default-pue]" in line
    assert "1.2" not in line  # the old help's figure, which the code never used


def test_help_shows_each_models_own_defaults():
    text = _help("site")
    cfe = next(ln for ln in text.splitlines() if "--cfe" in ln)
    assert "[default: 0.9]" in cfe
    text = _help("infer")
    line = next(ln for ln in text.splitlines() if "--prompt-tokens" in ln)
    assert f"{catalog.assumption('default-prompt-tokens'):g} tokens, catalogue default-prompt-tokens" in line
    line = next(ln for ln in _help("outlook").splitlines() if "--samples" in ln and "sensitivity" not in ln)
    assert "[default: 2000]" in line


def test_generated_flag_kinds_follow_the_field_types():
    class Demo(BaseModel):
        n: int = Field(description="a count [-]")
        tokens: Count | None = Field(default=None, description="tokens [tokens]")
        mode: Literal["a", "b"] = Field(default="a", description="a or b")
        on: bool = Field(default=False, description="a switch")
        tags: list[str] = Field(default_factory=list, description="tags")
        model_file: str | None = Field(default=None, description="a file")
        first: int = Field(default=3, alias="from", description="first [year]")

    demo = typer.Typer()
    seen = {}

    def cmd(**kw):
        seen.update(kw)

    import inspect

    params = option_params(Demo)
    cmd.__signature__ = inspect.Signature(params)
    cmd.__annotations__ = {p.name: p.annotation for p in params}
    demo.command()(cmd)
    demo.command("other")(lambda: None)
    r = CliRunner().invoke(demo, ["cmd", "--n", "2", "--tokens", "1.8T", "--mode", "b", "--on",
                                  "--tags", "x", "--tags", "y", "--model-file", "m.yaml", "--from", "7"])
    assert r.exit_code == 0, r.output
    assert seen["n"] == 2 and seen["tokens"] == "1.8T"  # the model parses the suffix
    assert seen["mode"] == "b" and seen["on"] is True and seen["tags"] == ["x", "y"]
    assert str(seen["model_file"]) == "m.yaml" and seen["first"] == 7
    assert Demo.model_validate({"n": 1, "tokens": "1.8T"}).tokens == 1.8e12
    assert is_file_option("model_file") and not is_file_option("model")


def test_suffixed_counts_and_batch_max_reach_the_library():
    r = CliRunner().invoke(app, ["train", "--model", "llama-2-7b", "--accelerator", "h100-sxm",
                                 "--devices", "64", "--tokens", "1.8T", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["tokens"] == pytest.approx(1.8e12)
    base = ["infer", "--model", "llama-3.1-8b", "--accelerator", "h100-sxm", "--devices", "1", "--json"]
    r = CliRunner().invoke(app, [*base, "--batch", "16", "--queries-per-day", "2B"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["batch"] == 16 and out["fleet"]["queries_per_day"] == pytest.approx(2e9)
    r = CliRunner().invoke(app, [*base, "--batch", "max"])
    assert json.loads(r.stdout)["batch"] == json.loads(r.stdout)["max_batch"]


def test_command_list_is_the_registry_and_loads_no_command_module():
    assert list(RENDERERS) == list(COMMANDS)
    assert help_line("train") == "Time, MFU, memory, plan, energy, carbon, water and cost of a training run."
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom scalewall.cli import app\n"
            "r = CliRunner().invoke(app, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "assert all(n in r.output for n in ('train', 'plan', 'infer', 'site', 'outlook'))\n"
            "print(sorted(m for m in sys.modules if m.startswith('scalewall.commands.') "
            "or m in ('numpy', 'pandas', 'scipy')))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_train_help_does_not_load_the_outlook_statistics():
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom scalewall.cli import app\n"
            "r = CliRunner().invoke(app, ['train', '--help'])\nassert r.exit_code == 0, r.output\n"
            "print('scipy' in sys.modules, 'scalewall.commands.outlook' in sys.modules)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["False", "False"]


def test_outlook_from_and_to_are_aliases_of_the_year_fields():
    flags = _flags(build_command("outlook"))
    assert flags["--from"] is flags["--from-year"] and flags["--to"] is flags["--to-year"]
    r = CliRunner().invoke(app, ["outlook", "--from-year", "2030", "--to", "2024"])
    assert r.exit_code == 2 and "before --from" in r.output


def test_the_outlook_base_year_literal_matches_the_model():
    from scalewall.commands.outlook import BASE_YEAR
    from scalewall.outlook.model import BASE_YEAR as MODEL_BASE_YEAR

    assert BASE_YEAR == MODEL_BASE_YEAR


def test_unknown_command_is_still_suggested():
    r = CliRunner().invoke(app, ["trian"])
    assert r.exit_code == 2 and "train" in r.output


@pytest.mark.parametrize("args, needle", [
    (["--recompute", "sometimes"], "recompute: Input should be 'none', 'selective' or 'full'"),
    (["--plan", "manual"], "plan: Input should be 'auto'"),
    (["--tokens", "lots"], "tokens: 'lots' is not a number"),
])
def test_a_wrong_choice_is_one_sentence_naming_the_field_and_the_choices(args, needle):
    p = subprocess.run([sys.executable, "-m", "scalewall", "train", "--model", "gpt-3-175b",
                        "--accelerator", "h100-sxm", "--devices", "8", *args],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stdout == ""
    assert needle in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_choices_are_listed_in_the_help():
    line = next(ln for ln in _help("train").splitlines() if "--recompute" in ln)
    assert "none|selective|full" in line


def test_infer_batch_takes_a_number_or_max_and_says_so_otherwise():
    p = subprocess.run([sys.executable, "-m", "scalewall", "infer", "--model", "llama-3.1-8b",
                        "--accelerator", "h100-sxm", "--devices", "1", "--batch", "lots"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "batch: must be a whole number or 'max', not 'lots'" in p.stderr
