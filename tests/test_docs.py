"""The documentation: a short README with the two set-up commands, and a docs page per command.

The site itself is checked by `mkdocs build --strict` in `make test` (broken links and anchors
fail); these tests check what the build cannot: the README's size and contents, and that no CLI
command is left without a page or out of the navigation.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("docs_reference_hook",
                                                  ROOT / "docs" / "hooks" / "reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_short_and_has_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert "make run" in text and "make test" in text


def _nav_pages(nav) -> list[str]:
    out = []
    for item in nav:
        for value in (item.values() if isinstance(item, dict) else [item]):
            out += _nav_pages(value) if isinstance(value, list) else [value]
    return out


def test_every_command_has_a_page_in_the_nav(hook):
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    nav = set(_nav_pages(config["nav"]))
    commands = [path[0] for path, _ in hook.walk_commands() if len(path) == 1]
    assert commands, "no commands found in the CLI"
    missing = [c for c in commands if not (ROOT / "docs" / "commands" / f"{c}.md").exists()]
    assert missing == [], f"commands without a page in docs/commands: {missing}"
    assert [c for c in commands if f"commands/{c}.md" not in nav] == []


def test_generated_references_cover_the_code(hook):
    cli = hook.cli_markdown("reference/cli.md", ROOT / "docs")
    for path, cmd in hook.walk_commands():
        if path:
            assert f"scalewall {' '.join(path)}" in cli
            for p in cmd.params:
                assert p.name.upper() in cli or any(o in cli for o in p.opts)
    models = hook.result_models()
    assert {"train", "infer"} <= set(models)
    text = hook.results_markdown(models)
    for model in models.values():
        for field in model.model_json_schema()["properties"]:
            assert f"`{field}`" in text


@pytest.mark.parametrize("name, unit", [
    ("energy_mwh", "MWh"), ("power_w", "W"), ("co2e_t", "t"), ("mfu", "0–1"), ("pue", "≥ 1"),
    ("energy_j_per_output_token", "J/output token"), ("memory_per_device_gb", "GB per device"),
    ("cost_usd_per_mwh", "USD/MWh"), ("tokens_per_s", "tokens/s"),
])
def test_nomenclature_units(hook, name, unit):
    assert hook.unit_of(name) == unit
