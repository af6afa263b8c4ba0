"""mkdocs hook: the pages that come from the code, generated at build time.

A page asks for generated content with a marker comment on a line of its own:

    <!-- gen: cli -->                      CLI reference (the click command tree of the typer app)
    <!-- gen: options train -->            the options table of one command (or "catalog list", ...)
    <!-- gen: results -->                  result schemas (pydantic models → field, type, unit, description)
    <!-- gen: catalogue -->                every catalogue kind: key fields and sources
    <!-- gen: validation -->               predicted vs published, every validation case
    <!-- gen: planner-checks -->           the planner against the published hand-tuned plans
    <!-- gen: nomenclature -->             the unit-carrying suffixes of field names
    <!-- gen: timings -->                  measured timings of a few cheap runs, on this machine
    <!-- gen: run scalewall train ... -->  the command's output, run now (console block + time)
    <!-- gen: screenshot report.png | alt text -->  the image if `make docs` generated it
    <!-- gen: outlook-example | outlook-anchors | outlook-levers -->  outlook runs (no Sobol)

and, inside a sentence, one catalogue figure: ``<!-- value: assumptions default-pue -->`` (an
assumption's value and unit) or ``<!-- value: accelerators h100-sxm tdp_w -->`` (one field).

Nothing here solves a site LP or runs a sweep: the whole build stays well under a minute on two
cores. Numbers in the pages therefore cannot drift from the code.
"""

from __future__ import annotations

import enum
import io
import os
import posixpath
import re
import shlex
import time
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

INLINE = re.compile(r"<!--\s*value:\s*(?P<kind>[a-z_]+)\s+(?P<entry>[a-z0-9.\-]+)"
                    r"(?:\s+(?P<field>[a-z_.0-9]+))?\s*-->")
MARKER = re.compile(r"^<!--[ \t]*gen:[ \t]*(?P<name>[a-z-]+)[ \t]*(?P<arg>.*?)[ \t]*-->[ \t]*$", re.M)
CONSOLE_WIDTH = 110

# ----------------------------------------------------------------------------------------------
# Nomenclature: the unit-carrying suffixes of field and option names (one table, used both for
# the nomenclature page and for the unit column of the result schemas).
# ----------------------------------------------------------------------------------------------

#: suffix → (unit, what it means); the longest matching suffix wins
SUFFIXES: dict[str, tuple[str, str]] = {
    "_s": ("s", "seconds (step time, latency, solve time)"),
    "_ms": ("ms", "milliseconds"),
    "_days": ("d", "days of wall-clock time"),
    "_hours": ("h", "hours"),
    "_years": ("yr", "years (lifetime, lead time)"),
    "_w": ("W", "watts, power of one device or node"),
    "_kw": ("kW", "kilowatts"),
    "_mw": ("MW", "megawatts, power of a cluster, fleet or site"),
    "_gw": ("GW", "gigawatts"),
    "_wh": ("Wh", "watt-hours (per query)"),
    "_kwh": ("kWh", "kilowatt-hours"),
    "_mwh": ("MWh", "megawatt-hours (energy of a run, a year of a site)"),
    "_twh": ("TWh", "terawatt-hours (national and world electricity)"),
    "_j": ("J", "joules (per token)"),
    "_gb": ("GB", "gigabytes (10⁹ bytes) of memory"),
    "_gb_s": ("GB/s", "network bandwidth per device, per direction"),
    "_tb_s": ("TB/s", "memory bandwidth"),
    "_tflops": ("TFLOP/s", "dense peak throughput"),
    "_flop": ("FLOP", "floating-point operations (a count, not a rate)"),
    "_t": ("t", "tonnes (of CO2e)"),
    "_g": ("g", "grams (of CO2e)"),
    "_kgco2e": ("kgCO2e", "kilograms of CO2-equivalent (embodied carbon)"),
    "_gco2_kwh": ("gCO2e/kWh", "carbon intensity of electricity"),
    "_gco2e_kwh": ("gCO2e/kWh", "carbon intensity of electricity"),
    "_m3": ("m³", "cubic metres of water"),
    "_ml": ("mL", "millilitres of water (per query)"),
    "_l_kwh": ("L/kWh", "litres of water per kWh"),
    "_usd": ("USD", "US dollars"),
    "_usd_mwh": ("USD/MWh", "US dollars per megawatt-hour (electricity price)"),
    "_km2": ("km²", "square kilometres of land"),
    "_share": ("0–1", "a fraction (not a percentage)"),
    "_fraction": ("0–1", "a fraction (not a percentage)"),
}

#: whole names that carry no suffix but a fixed meaning
NAMES: dict[str, tuple[str, str]] = {
    "mfu": ("0–1", "model FLOPs utilisation: model FLOPs (no recomputation) / (time × dense peak)"),
    "hfu": ("0–1", "hardware FLOPs utilisation: as MFU, counting recomputed FLOPs"),
    "pue": ("≥ 1", "power usage effectiveness: facility energy / IT energy"),
    "wue": ("L/kWh", "water usage effectiveness: on-site water / IT energy"),
    "cfe": ("0–1", "hourly-matched carbon-free energy share"),
    "tp": ("-", "tensor-parallel size"),
    "pp": ("-", "pipeline-parallel size"),
    "dp": ("-", "data-parallel size"),
    "cp": ("-", "context-parallel size"),
    "ep": ("-", "expert-parallel size"),
    "ttft_s": ("s", "time to first token"),
    "itl_s": ("s", "inter-token latency (one decode step)"),
    "co2e": ("", "CO2-equivalent (all greenhouse gases, GWP100)"),
}


def _suffix_unit(name: str) -> tuple[str, str]:
    """(unit, name without its suffix) by the longest matching suffix; ('', name) if none."""
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return SUFFIXES[suffix][0], name[: -len(suffix)]
    return "", name


def unit_of(name: str) -> str:
    """The unit a field name carries by this project's nomenclature ('' when it carries none).

    ``energy_j_per_output_token`` → J/output token, ``memory_per_device_gb`` → GB per device,
    ``tokens_per_s`` → tokens/s, ``capex_usd_per_kw`` → USD/kW.
    """
    if name in NAMES:
        return NAMES[name][0]
    if "_per_" in name:
        head, tail = name.split("_per_", 1)
        head_unit, _ = _suffix_unit(head)
        tail_unit, tail_rest = _suffix_unit("_" + tail)
        if head_unit:
            bottom = " ".join(_word_unit(w) for w in tail.split("_"))
            return f"{head_unit}/{bottom}"
        if tail_unit and tail_rest.strip("_"):
            return f"{tail_unit} per {tail_rest.strip('_').replace('_', ' ')}"
        bottom = " ".join(_word_unit(w) for w in tail.split("_"))
        return f"{head.rsplit('_', 1)[-1]}/{bottom}"
    return _suffix_unit(name)[0]


#: words after a `_per_` that are units (``_per_year`` → /yr)
PER_WORDS = {"year": "yr", "day": "d", "hour": "h"}


def _word_unit(word: str) -> str:
    return PER_WORDS.get(word) or SUFFIXES.get("_" + word, (word, ""))[0]


def nomenclature_markdown() -> str:
    rows = ["| suffix | unit | meaning | example |", "|---|---|---|---|"]
    examples = _example_names()
    for suffix, (unit, meaning) in SUFFIXES.items():
        ex = next((n for n in examples if unit_of(n) == unit and n.endswith(suffix)), "")
        rows.append(f"| `{suffix}` | {unit} | {meaning} | {f'`{ex}`' if ex else ''} |")
    rows += ["", "| name | unit | meaning |", "|---|---|---|"]
    rows += [f"| `{n}` | {u} | {m} |" for n, (u, m) in NAMES.items()]
    return "\n".join(rows)


def _example_names() -> list[str]:
    """Field names used by the result models and catalogue schemas (for the examples column)."""
    names: list[str] = []
    for model in list(result_models().values()) + [_catalogue_model(k) for k in _kinds()]:
        if model is None:
            continue
        names += list(model.model_json_schema().get("properties", {}))
    return list(dict.fromkeys(names))


# ----------------------------------------------------------------------------------------------
# CLI reference: the click command tree of the typer app (works with typer's vendored click).
# ----------------------------------------------------------------------------------------------


def cli_root():
    import typer

    from scalewall.cli import app

    return typer.main.get_command(app)


def subcommands(cmd) -> dict:
    """name → sub-command of a click group, through ``list_commands``/``get_command`` so that
    lazily registered commands are found too; {} for a plain command."""
    if not hasattr(cmd, "list_commands"):
        return {}
    ctx = cmd.context_class(cmd, info_name=cmd.name)
    out = {name: cmd.get_command(ctx, name) for name in cmd.list_commands(ctx)}
    return {k: v for k, v in out.items() if v is not None}


def walk_commands(cmd=None, path: tuple[str, ...] = ()):
    """(path, command) for the root and every command and sub-command, depth first."""
    cmd = cmd if cmd is not None else cli_root()
    yield path, cmd
    subs = subcommands(cmd)
    for name in sorted(subs) if path else list(subs):
        if getattr(subs[name], "hidden", False):
            continue
        yield from walk_commands(subs[name], path + (name,))


def _param_type(p) -> str:
    ann = getattr(getattr(p, "type_descriptor", None), "annotation", None)
    if ann is None:  # plain click
        t = getattr(p, "type", None)
        choices = getattr(t, "choices", None)
        if choices:
            return " \\| ".join(f"`{c}`" for c in choices)
        return getattr(t, "name", "") or ""
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        return " \\| ".join(f"`{m.value}`" for m in ann)
    if isinstance(ann, type):
        return {"str": "text", "int": "integer", "float": "number", "bool": "flag",
                "Path": "path"}.get(ann.__name__, ann.__name__)
    return str(ann).replace("list[str]", "text").replace("typing.", "")


def _param_default(p) -> str:
    if getattr(p, "required", False):
        return "**required**"
    d = getattr(p, "default", None)
    if callable(d) and not isinstance(d, type):
        d = None
    if isinstance(d, enum.Enum):
        d = d.value
    if d is None or d == () or d == []:
        return "—"
    if isinstance(d, bool):
        if getattr(p, "secondary_opts", None):
            return f"`{(p.opts if d else p.secondary_opts)[0]}`"
        return "off" if not d else "on"
    return f"`{d}`"


def _param_names(p) -> str:
    if type(p).__name__.endswith("Argument") or getattr(p, "param_type_name", "") == "argument":
        return f"`{p.name.upper()}`"
    names = list(p.opts) + list(getattr(p, "secondary_opts", []) or [])
    return " / ".join(f"`{n}`" for n in names)


def _help(cmd) -> str:
    return " ".join((getattr(cmd, "help", None) or "").split())


def options_table(cmd) -> str:
    params = [p for p in cmd.params if not getattr(p, "hidden", False)
              and getattr(p, "name", "") != "help"]
    if not params:
        return "*(no options)*"
    rows = ["| option | type | default | meaning |", "|---|---|---|---|"]
    for p in params:
        t = _param_type(p)
        if getattr(p, "multiple", False):
            t += " (repeatable)"
        rng = [f"≥ {p.min}" if getattr(p, "min", None) is not None else "",
               f"≤ {p.max}" if getattr(p, "max", None) is not None else ""]
        rng = ", ".join(r for r in rng if r)
        helptext = " ".join((getattr(p, "help", None) or "").split()).replace("|", "\\|")
        rows.append(f"| {_param_names(p)} | {t}{f' ({rng})' if rng else ''} | "
                    f"{_param_default(p)} | {helptext} |")
    return "\n".join(rows)


def _usage(path: tuple[str, ...], cmd) -> str:
    args = [p.name.upper() for p in cmd.params if type(p).__name__.endswith("Argument")
            or getattr(p, "param_type_name", "") == "argument"]
    req = [f"{p.opts[0]} {p.name.upper()}" for p in cmd.params
           if not type(p).__name__.endswith("Argument") and getattr(p, "required", False)]
    sub = " COMMAND" if subcommands(cmd) else ""
    return " ".join(["scalewall", *path, *args, *req]) + sub + (" [OPTIONS]" if cmd.params else "")


def find_command(path: tuple[str, ...]):
    cmd = cli_root()
    for name in path:
        subs = subcommands(cmd)
        if name not in subs:
            raise ValueError(f"no command 'scalewall {' '.join(path)}' (at {name!r}: {sorted(subs)})")
        cmd = subs[name]
    return cmd


def command_pages(docs_dir: Path) -> dict[str, str]:
    """Top-level command → its page (relative to docs/), for the commands that have one."""
    return {name: f"commands/{name}.md" for (name, *_rest), _ in
            ((p, c) for p, c in walk_commands() if len(p) == 1)
            if (docs_dir / "commands" / f"{name}.md").exists()}


def cli_markdown(page_uri: str, docs_dir: Path) -> str:
    pages = command_pages(docs_dir)
    out = []
    for path, cmd in walk_commands():
        if not path:
            out.append(_help(cmd) + "\n")
            out.append("| command | does |\n|---|---|")
            for p2, c2 in walk_commands():
                if len(p2) == 1:
                    out.append(f"| [`scalewall {p2[0]}`](#{_slug('scalewall ' + ' '.join(p2))}) "
                               f"| {_help(c2).split('. ')[0].rstrip('.')} |")
            continue
        title = "scalewall " + " ".join(path)
        out.append(f"\n{'#' * min(len(path) + 1, 4)} {title}\n")
        out.append(_help(cmd) + "\n")
        if path[0] in pages and len(path) == 1:
            rel = posixpath.relpath(pages[path[0]], posixpath.dirname(page_uri))
            out.append(f"How to use it: [{path[0]}]({rel}).\n")
        out.append(f"```\n{_usage(path, cmd)}\n```\n")
        if subcommands(cmd) and not cmd.params:
            out.append("Sub-commands: " + ", ".join(f"`{n}`" for n in subcommands(cmd)) + ".\n")
        else:
            out.append(options_table(cmd) + "\n")
    return "\n".join(out)


def _slug(text: str) -> str:
    """The anchor python-markdown's toc gives a heading of this text."""
    from markdown.extensions.toc import slugify

    return slugify(text, "-")


# ----------------------------------------------------------------------------------------------
# Result schemas: a function over any mapping {command: pydantic model}.
# ----------------------------------------------------------------------------------------------


def result_models() -> dict[str, Any]:
    """The result models of the commands (``scalewall.commands.RESULT_MODELS``)."""
    from scalewall.commands import RESULT_MODELS

    return dict(RESULT_MODELS)


def _schema_type(s: dict, defs: dict) -> str:
    """Readable type of a JSON-schema node; ``defs`` maps a $defs name to its anchor."""
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{defs[name]})" if name in defs else name
    if "anyOf" in s:
        parts = [_schema_type(x, defs) for x in s["anyOf"]]
        nullable = "null" in parts
        parts = [p for p in parts if p != "null"]
        return " or ".join(parts) + (" (or null)" if nullable else "")
    if "enum" in s:
        return " \\| ".join(f"`{v}`" for v in s["enum"])
    if "const" in s:
        return f"`{s['const']}`"
    t = s.get("type", "any")
    if t == "array":
        return f"list of {_schema_type(s.get('items', {}), defs)}"
    if t == "object":
        ap = s.get("additionalProperties")
        if isinstance(ap, dict) and ap:
            return f"object of {_schema_type(ap, defs)}"
        return "object"
    return {"number": "number", "integer": "integer", "string": "text", "boolean": "boolean",
            "null": "null"}.get(t, str(t))


def _fields_table(schema: dict, defs: dict) -> str:
    req = set(schema.get("required", []))
    rows = ["| field | type | unit | description |", "|---|---|---|---|"]
    for name, s in schema.get("properties", {}).items():
        desc = " ".join((s.get("description") or "").split()).replace("|", "\\|")
        opt = "" if name in req else " *(optional)*"
        rows.append(f"| `{name}` | {_schema_type(s, defs)}{opt} | {unit_of(name)} | {desc} |")
    return "\n".join(rows)


def results_markdown(models: Mapping[str, Any]) -> str:
    """A section per command: its result model's fields, then each nested model's (anchored
    ``command-name`` so that models of different commands never share an anchor)."""
    out = []
    for command, model in models.items():
        schema = model.model_json_schema()
        nested = {n: d for n, d in schema.get("$defs", {}).items() if "properties" in d}
        anchors = {n: _slug(f"{command} {n}") for n in nested}
        out.append(f"\n## {command}\n")
        doc = " ".join((model.__doc__ or "").split())
        out.append(f"`{model.__module__}.{model.__name__}`{': ' + doc if doc else ''}\n")
        out.append(_fields_table(schema, anchors) + "\n")
        for name, d in nested.items():
            out.append(f"\n### {command}: {name} {{ #{anchors[name]} }}\n")
            if d.get("description"):
                out.append(" ".join(d["description"].split()) + "\n")
            out.append(_fields_table(d, anchors) + "\n")
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------
# Catalogue: one section per kind, key fields and every entry's sources and notes.
# ----------------------------------------------------------------------------------------------

#: the fields shown in each kind's table (dotted = nested); anything missing is left out
KEY_FIELDS: dict[str, list[str]] = {
    "accelerators": ["vendor", "year", "peak_tflops.bf16", "peak_tflops.fp8", "memory_gb",
                     "memory_bandwidth_tb_s", "scale_up.bandwidth_gb_s", "scale_up.domain",
                     "scale_out.bandwidth_gb_s", "tdp_w", "idle_w", "host_power_w", "price_usd"],
    "models": ["n_layers", "d_model", "n_heads", "n_kv_heads", "d_ff", "ffn", "vocab_size",
               "seq_len", "moe.n_experts", "moe.top_k", "params_total", "params_active",
               "train_tokens"],
    "regions": ["grid_gco2_kwh", "grid_year", "price_usd_mwh", "pue", "wue_l_kwh",
                "water_l_kwh_electricity"],
    "assumptions": ["value", "unit"],
    "calibration": ["value", "unit"],
    "energy_sources": ["tech", "role", "carbon_free", "capex_usd_per_kw", "lcoe_usd_per_mwh",
                       "fixed_om_usd_per_kw_year", "variable_om_usd_per_mwh", "fuel_usd_per_mwh",
                       "lifetime_years", "lifecycle_gco2e_kwh", "water_m3_per_mwh",
                       "land_km2_per_mw", "lead_time_years", "earliest_year"],
    "trends": ["unit", "low", "central", "high", "scale", "group"],
    "paradigms": ["kind", "maturity", "earliest_volume_year", "applies_to", "demonstrated.value",
                  "demonstrated.unit", "demonstrated.boundary", "efficiency_multiplier.low",
                  "efficiency_multiplier.central", "efficiency_multiplier.high"],
    "equivalences": ["kind", "annual_electricity_kwh", "year"],
    "countries": ["iso3", "electricity_demand_twh", "year"],
    "actors": ["capex_usd", "fiscal_year"],
}
_SKIP = {"id", "name", "aliases", "source", "note"}


def _kinds() -> list[str]:
    from scalewall import catalog

    return list(catalog.KINDS)


def _catalogue_model(kind: str):
    from scalewall import catalog

    es = catalog.entries(kind)
    return type(next(iter(es.values()))) if es else None


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) >= 1e7 or abs(v) < 1e-3:
            return f"{v:.3g}"
        if abs(v) >= 1000:
            return f"{v:,.0f}" if v.is_integer() else f"{float(f'{v:.4g}'):,.0f}"
        return f"{v:.4g}"
    if isinstance(v, dict):
        return "; ".join(f"{k}: {fmt(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt(x) for x in v)
    return str(v).replace("|", "\\|").replace("\n", " ")


def _get(d: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def _source_text(s: dict) -> str:
    text = f"{s.get('title', '')}, {s.get('publisher', '')} {s.get('year', '')}".strip()
    if s.get("where"):
        text += f" ({s['where']})"
    if s.get("url"):
        text += f", `{s['url']}`"
    return " ".join(text.replace("|", "\\|").split())


def _dotted_unit(field: str) -> str:
    """Unit of a (possibly nested) field: its own name's, else its parent's (peak_tflops.bf16)."""
    parts = field.split(".")
    return next((unit_of(p) for p in reversed(parts) if unit_of(p)), "")


def catalogue_markdown() -> str:
    from scalewall import catalog

    out = []
    for kind in catalog.KINDS:
        entries = {k: e.model_dump() for k, e in catalog.entries(kind).items()}
        model = _catalogue_model(kind)
        out.append(f"\n## {kind}\n")
        doc = " ".join((getattr(model, "__doc__", "") or "").split())
        file = catalog.KINDS[kind][0] if isinstance(catalog.KINDS[kind], tuple) else None
        out.append(f"{doc} {len(entries)} entries"
                   + (f", from `catalog/data/{file}`" if file else "")
                   + f"; `scalewall catalog show {kind} ID` prints one with every field.\n")
        fields = KEY_FIELDS.get(kind) or [
            k for k, v in next(iter(entries.values()), {}).items()
            if k not in _SKIP and isinstance(v, (int, float, str, bool))]
        fields = [f for f in fields if any(_get(e, f) is not None for e in entries.values())]
        head = ["id", *[f"{f} [{_dotted_unit(f)}]" if _dotted_unit(f) else f for f in fields]]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for eid, e in entries.items():
            out.append(f"| `{eid}` | " + " | ".join(fmt(_get(e, f)) for f in fields) + " |")
        out.append("\n**Sources and notes**\n")
        for eid, e in entries.items():
            srcs = "; ".join(_source_text(s) for s in e.get("source") or []) or "—"
            line = f"- `{eid}` ({fmt(e.get('name'))}): {srcs}."
            if e.get("note"):
                line += f" *Note:* {fmt(e['note'])}"
            out.append(line)
    return "\n".join(out)


def kinds_markdown() -> str:
    from scalewall import catalog

    out = ["| kind | entries | what |", "|---|---:|---|"]
    for kind in catalog.KINDS:
        model = _catalogue_model(kind)
        doc = " ".join((getattr(model, "__doc__", "") or "").split()).split(". ")[0].rstrip(".")
        out.append(f"| [`{kind}`](../reference/catalogue.md#{_slug(kind)}) | "
                   f"{len(catalog.entries(kind))} | {doc} |")
    return "\n".join(out)


def default_scenario_markdown() -> str:
    from scalewall.report.scenario import default_scenario_text

    return f"```yaml\n{default_scenario_text().rstrip()}\n```"


# ----------------------------------------------------------------------------------------------
# Site supply: the costs the LP sees and the bundled sites' resources (no LP is solved).
# ----------------------------------------------------------------------------------------------


def supply_costs_markdown(year: int = 2030) -> str:
    """The energy sources at one cost year: the costs the site LP sees, from the catalogue."""
    from scalewall import catalog

    out = [f"| tech | capex {year} [USD/kW] | FOM [USD/kW-yr] | VOM + fuel [USD/MWh] | life [yr] "
           f"| WACC | annualised [USD/kW-yr] | lifecycle [gCO2e/kWh] | water [m³/MWh] | "
           f"land [km²/MW] | lead [yr] | from | main source |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for e in catalog.entries("energy_sources").values():
        try:
            capex = fmt(e.capex_at(year)) if e.capex_usd_per_kw else (
                f"LCOE {fmt(e.lcoe_usd_per_mwh and _interp(e.lcoe_usd_per_mwh, year))} USD/MWh"
                if e.lcoe_usd_per_mwh else "—")
            ann = fmt(e.annualised_cost_usd_per_mw_year(year) / 1000)
        except Exception:  # noqa: BLE001 - a technology priced another way
            capex, ann = "—", "—"
        src = e.source[0]
        if e.role == "import":  # grid import: priced, emitting and using water by region
            out.append(f"| `{e.tech}` | region price | — | — | — | — | — | region | region | "
                       f"{fmt(e.land_km2_per_mw)} | {fmt(e.lead_time_years)} | "
                       f"{fmt(getattr(e, 'earliest_year', None))} | {fmt(src.publisher)} {src.year} |")
            continue
        out.append(
            f"| `{e.tech}` | {capex} | {fmt(e.fixed_om_usd_per_kw_year)} | "
            f"{fmt(e.marginal_usd_per_mwh)} | {fmt(e.lifetime_years)} | {e.discount_rate:.1%} | "
            f"{ann} | {fmt(e.lifecycle_gco2e_kwh)} | {fmt(e.water_m3_per_mwh)} | "
            f"{fmt(e.land_km2_per_mw)} | {fmt(e.lead_time_years)} | "
            f"{fmt(getattr(e, 'earliest_year', None))} | "
            f"{fmt(src.publisher)} {src.year} |")
    return "\n".join(out)


BUNDLED_WEATHER = ("greensboro", "sand-point", "miami")


def supply_sites_markdown() -> str:
    """Resource capacity factors and annual PUE of the bundled weather files (no LP is solved)."""
    import numpy as np

    from scalewall import catalog
    from scalewall.facility.pue import hourly_pue
    from scalewall.supply.sbsp import eclipse_minutes_per_day
    from scalewall.supply.site import source_profiles
    from scalewall.supply.weather import load_weather

    variable = [catalog.get("energy_sources", t) for t in ("solar", "wind", "sbsp")]
    out = ["| site (bundled) | file | lat, lon | tracking PV (AC) | wind (hub) | mean 10 m wind [m/s] "
           "| SBSP (GEO) | annual PUE air / evaporative / liquid |",
           "|---|---|---|---:|---:|---:|---:|---|"]
    for wid in BUNDLED_WEATHER:
        w = load_weather(wid)
        cf = {k: float(np.mean(v)) for k, v in source_profiles(variable, w).items()}
        t, rh = w.data["temp_air"].to_numpy(), w.data["relative_humidity"].to_numpy()
        pues = []
        for cooling in ("air", "evaporative", "liquid"):
            pue = hourly_pue(t, rh, cooling)
            pues.append(f"{float(np.mean(pue)):.3f}")  # flat load: the annual PUE is the mean
        out.append(f"| `{wid}` | {fmt(w.source)} | {w.latitude:.2f}, {w.longitude:.2f} | "
                   f"{cf.get('solar', float('nan')):.1%} | {cf.get('wind', float('nan')):.1%} | "
                   f"{float(w.data['wind_speed'].mean()):.2f} | {cf.get('sbsp', float('nan')):.2%} | "
                   f"{' / '.join(pues)} |")
    eq = float(eclipse_minutes_per_day([0.0])[0])
    out.append(f"\nA GEO satellite at the equinox (declination 0°) is at least partly shadowed "
               f"{eq:.1f} minutes a day by this geometry.")
    return "\n".join(out)


def _interp(table: dict, year: int) -> float:
    import numpy as np

    ys = sorted(table)
    return float(np.interp(year, ys, [table[y] for y in ys]))


# ----------------------------------------------------------------------------------------------
# Validation: every row of `scalewall validate`, plus the cases' notes, plus the planner checks.
# ----------------------------------------------------------------------------------------------


def validation_markdown() -> str:
    from scalewall.validate import runner

    rows = [r.model_dump() for r in runner.run_all()]
    out = ["| case | quantity | published | predicted | error | bar | within | role | source |",
           "|---|---|---:|---:|---:|---|---|---|---|"]
    for r in rows:
        err = r.get("error")
        out.append(
            f"| {fmt(r.get('case'))} | {fmt(r.get('quantity'))} | {fmt(r.get('published'))} | "
            f"{fmt(r.get('predicted'))} | {err:+.1%} | {fmt(r.get('bar'))} | "
            f"{'✓' if r.get('ok') else '✗'} | {fmt(r.get('role'))} | {fmt(r.get('source'))} |")
    out.append("\n**By group** (mean and max |error|):\n")
    out += [f"- {line}" for line in runner.summarise(runner.run_all())]
    notes = []
    from importlib import resources

    from scalewall.validate.rows import cases

    case_dir = resources.files("scalewall.validate").joinpath("cases")
    for name in sorted(p.name.removesuffix(".yaml") for p in case_dir.iterdir() if p.name.endswith(".yaml")):
        blocks = cases(name)
        for group, blk in blocks.items():
            if isinstance(blk, dict) and blk.get("note"):
                notes.append(f"- `{group}`: {fmt(blk['note'])}")
    if notes:
        out.append("\n**Conventions and assumptions of each group** (the case files' notes):\n")
        out += notes
    return "\n".join(out)


def planner_checks_markdown() -> str:
    from scalewall.validate.training import planner_checks

    def plan(p: dict) -> str:
        keys = ("tp", "pp", "dp", "cp", "ep", "micro_batch", "interleave")
        s = " ".join(f"{k.replace('micro_batch', 'mb').replace('interleave', 'v')}={p[k]}"
                     for k in keys if k in p and (p[k] != 1 or k in ("tp", "pp", "dp")))
        return f"{s} {p.get('recompute', '')}{' sp' if p.get('sequence_parallel') else ''}"

    out = ["| published plan | its step [s] | planner's best | best step [s] | rank | note |",
           "|---|---:|---|---:|---:|---|"]
    for c in planner_checks():
        d = c.model_dump()
        out.append(f"| {d['case']}: {plan(d['published_plan'])} | {d['published_step_s']:.3f} | "
                   f"{plan(d['best_plan'])} | {d['best_step_s']:.3f} | "
                   f"{d['published_rank']} of {d['feasible']} | {fmt(d['note'])} |")
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------
# Runs and timings, measured while the docs build.
# ----------------------------------------------------------------------------------------------


def run_cli(command_line: str) -> tuple[str, float]:
    """Run ``scalewall ...`` in this process; returns (stdout, seconds)."""
    from typer.testing import CliRunner

    from scalewall.cli import app

    args = shlex.split(command_line)
    assert args[0] == "scalewall", command_line
    t = time.perf_counter()
    res = CliRunner().invoke(app, args[1:], env={"COLUMNS": str(CONSOLE_WIDTH),
                                                 "NO_COLOR": "1", "TERM": "dumb"})
    dt = time.perf_counter() - t
    if res.exit_code != 0:
        raise RuntimeError(f"docs example `{command_line}` failed ({res.exit_code}): "
                           f"{res.output.strip()[-500:]}")
    return res.output.rstrip(), dt


def _wrap_command(command_line: str, width: int = 96) -> str:
    """Break a long command line before its options, shell-style (`` \\`` and an indent)."""
    lines, line = [], ""
    for word in shlex.split(command_line):
        piece = shlex.quote(word)
        if line and word.startswith("--") and len(line) + 1 + len(piece) > width - 2:
            lines.append(line + " \\")
            line = "    " + piece
        else:
            line = f"{line} {piece}" if line else piece
    return "\n".join(lines + [line])


def run_markdown(command_line: str) -> str:
    text, dt = run_cli(command_line)
    display = _wrap_command(command_line)
    return (f"```text\n$ {display}\n{text}\n```\n\n"
            f"<small>Output generated while building these docs "
            f"({dt:.2f} s on {os.cpu_count()} cores, in-process).</small>")


TIMED = [
    ("plan", "GPT-3 175B on 1,024 H100, batch 1,536 × 2,048 (plan search)",
     {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024, "global_batch": 1536,
      "seq_len": 2048}),
    ("plan", "Llama 3.1 405B on 16,384 H100, batch 2,048 × 8,192 (plan search)",
     {"model": "llama-3.1-405b", "accelerator": "h100-sxm", "devices": 16384,
      "global_batch": 2048, "seq_len": 8192}),
    ("train", "GPT-3 175B on 1,024 H100, 300 B tokens (planner chooses the plan)",
     {"model": "gpt-3-175b", "accelerator": "h100-sxm", "devices": 1024, "tokens": 3e11}),
    ("infer", "Llama 3.1 70B on 8 H100, fleet for 1e9 queries/day",
     {"model": "llama-3.1-70b", "accelerator": "h100-sxm", "devices": 8,
      "queries_per_day": 1e9}),
    ("outlook", "baseline 2024–2050, 2,000 samples, no Sobol",
     {"samples": 2000, "sensitivity_samples": 0}),
    ("outlook", "baseline 2024–2050, 2,000 samples, Sobol N = 256",
     {"samples": 2000, "sensitivity_samples": 256}),
]


def timings_markdown() -> str:
    from scalewall import commands as api

    for command, _, opts in TIMED[:1]:  # warm-up: imports and caches are not what is measured
        api.run(command, opts)
    out = [f"Measured while building these docs, on {os.cpu_count()} CPU cores "
           f"(best of 3 calls of `scalewall.commands.run`, after one warm-up; the machine may be "
           f"shared, so treat them as indicative):\n",
           "| command | case | time [s] | notes |", "|---|---|---:|---|"]
    for command, label, opts in TIMED:
        best, res = float("inf"), None
        for _ in range(3):
            t = time.perf_counter()
            res = api.run(command, opts)
            best = min(best, time.perf_counter() - t)
        note = ""
        if command == "plan":
            note = (f"{res.get('candidates_evaluated', 0):,} candidates, "
                    f"{res.get('feasible', 0):,} feasible, search {res.get('search_s', 0):.2f} s")
        out.append(f"| `{command}` | {label} | {best:.3f} | {note} |")
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------
# Outlook: the worked example (one changed assumption) and the levers, run now.
# ----------------------------------------------------------------------------------------------

#: the scenario file of the outlook page's worked example (shown on the page as well)
MULTIMODAL = {"name": "text-only-data",
              "drivers": {"data-stock-tokens": {"low": 1.0e14, "central": 3.0e14, "high": 1.0e15}}}
OUTLOOK_SAMPLES = 10_000


def _q(d: dict | None) -> str:
    if not d or d.get("p50") is None:
        return "not within the horizon"
    return " / ".join("—" if d.get(k) is None else fmt(d[k]) for k in ("p10", "p50", "p90"))


def _year(res: dict, year: int) -> dict:
    return next(y for y in res["years"] if y["year"] == year)


def outlook_example_markdown() -> str:
    import tempfile

    import yaml

    from scalewall import commands as api

    base = api.run("outlook", {"samples": OUTLOOK_SAMPLES, "sensitivity_samples": 0})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "my.yaml"
        path.write_text(yaml.safe_dump(MULTIMODAL), encoding="utf-8")
        alt = api.run("outlook", {"samples": OUTLOOK_SAMPLES, "sensitivity_samples": 0,
                                  "scenario": str(path)})
    out = [f"Wall years p10 / p50 / p90, {OUTLOOK_SAMPLES:,} samples, seed 0, run while building "
           "these docs:\n", "| wall | baseline | text-only data stock |", "|---|---|---|"]
    for wall in base["wall_year"]:
        b, a = _q(base["wall_year"][wall]), _q(alt["wall_year"].get(wall))
        name = f"**{wall}**" if wall == "first_wall" else wall
        out.append(f"| {name} | {b} | {'**' + a + '**' if a != b else a} |")
    y2030b, y2030a = _year(base, 2030), _year(alt, 2030)

    def binding(y):
        shares = sorted(y["binding_constraint"].items(), key=lambda kv: -kv[1])[:4]
        return ", ".join(f"{k} {v:.0%}" for k, v in shares)

    out += ["", "In 2030 (share of samples in which each wall is the lowest; p50 of the largest run "
            "every wall allows; p50 of the catalogue actors able to pay for that cluster):", "",
            "| 2030 | baseline | text-only data stock |", "|---|---|---|",
            f"| binding constraint | {binding(y2030b)} | {binding(y2030a)} |",
            f"| feasible run p50 [FLOP] | {fmt(y2030b['feasible_max_flop']['p50'])} | "
            f"{fmt(y2030a['feasible_max_flop']['p50'])} |",
            f"| actors able to pay, p50 | {fmt(y2030b['actors_able_to_afford']['p50'])} | "
            f"{fmt(y2030a['actors_able_to_afford']['p50'])} |"]

    def moved(wall: str) -> str:
        b, a = (r["wall_year"].get(wall, {}).get("p50") for r in (base, alt))
        if b is None or a is None:
            return "moves out of the horizon" if b is not None else "does not bind either way"
        unit = "year" if abs(a - b) == 1 else "years"
        return f"moves {a - b:+d} {unit} (p50 {b} → {a})" if a != b else f"stays at {b} (p50)"

    out += ["", f"Bold cells differ from the baseline. The data wall {moved('data')}; the first "
            f"wall {moved('first_wall')}."]
    return "\n".join(out)


def outlook_anchors_markdown() -> str:
    from scalewall import commands as api

    base = api.run("outlook", {"samples": OUTLOOK_SAMPLES, "sensitivity_samples": 0})
    rows = [f"Baseline, {OUTLOOK_SAMPLES:,} samples, seed 0, run while building these docs "
            "(p10 / p50 / p90):\n", "| year | data-centre electricity [TWh] | share of world "
            "electricity | frontier run power [GW] | closest country (p50) |", "|---|---|---|---|---|"]
    for year in (2024, 2030, 2035, 2050):
        try:
            y = _year(base, year)
        except StopIteration:
            continue
        eq = y.get("datacentre_electricity_equivalent") or {}
        share = " / ".join(f"{y['share_of_world_electricity'][k]:.1%}" for k in ("p10", "p50", "p90"))
        rows.append(f"| {year} | {_q(y['datacentre_electricity_twh'])} | {share} | "
                    f"{_q(y['frontier_run_power_gw'])} | {eq.get('closest_country', '—')} |")
    return "\n".join(rows)


def outlook_epoch_markdown() -> str:
    from scalewall import commands as api

    res = api.run("outlook", {"samples": OUTLOOK_SAMPLES, "sensitivity_samples": 0,
                              "scenario": "epoch-2030", "to": 2030})
    y = _year(res, 2030)
    return (f"The `epoch-2030` preset in 2030 ({OUTLOOK_SAMPLES:,} samples, seed 0, run while "
            f"building these docs): frontier-run power p10 / p50 / p90 "
            f"{_q(y['frontier_run_power_gw'])} GW; the largest run every wall allows, p50, "
            f"{fmt(y['feasible_max_flop']['p50'])} FLOP. Epoch AI's 2024 report *Can AI Scaling "
            f"Continue Through 2030?* finds runs of about 2e29 FLOP feasible by 2030; EPRI and "
            f"Epoch AI (2025) put the largest 2030 runs at 4–16 GW.")


def outlook_sensitivity_markdown() -> str:
    from scalewall import commands as api

    res = api.run("outlook", {"samples": 2000, "sensitivity_samples": 256})
    by_out: dict[str, list[dict]] = {}
    for row in res.get("sensitivity") or []:
        by_out.setdefault(row["output"], []).append(row)
    out = ["Sobol indices (base sample N = 256, baseline, 2,000 samples, seed 0, run while building "
           "these docs): the three drivers with the largest total-order index ST for each output.\n",
           "| output | driver: S1 / ST |", "|---|---|"]
    for name, rows in by_out.items():
        top = sorted(rows, key=lambda r: -r["st"])[:3]
        out.append(f"| `{name}` | " + "; ".join(
            f"{r['parameter']}: {r['s1']:.2f} / {r['st']:.2f}" for r in top) + " |")
    return "\n".join(out)


LEVERS = ["renewables-storage", "efficient-chips", "lower-precision", "distributed-training", "smr",
          "geothermal", "fusion", "space-solar", "neuromorphic", "photonic", "analog"]



def outlook_levers_markdown() -> str:
    from scalewall import commands as api

    res = api.run("outlook", {"samples": 2000, "sensitivity_samples": 0, "lever": LEVERS})
    out = ["Baseline, 2,000 samples, seed 0, every named lever, run while building "
           "these docs. Years gained p10 / p50 / p90:\n",
           "| lever | driver | change | target wall | on the first wall | on its target wall | note |",
           "|---|---|---|---|---|---|---|"]
    for lv in res["levers"]:
        out.append(f"| `{lv['name']}` | {fmt(lv.get('driver'))} | {fmt(lv.get('change'))} | "
                   f"{fmt(lv.get('target_wall'))} | {_q(lv.get('years_gained'))} | "
                   f"{_q(lv.get('target_wall_years_gained'))} | {fmt(lv.get('note'))} |")
    out += ["", "What each buys by year (p50): GW added to the largest campus, data-centre demand "
            "and CO2e avoided, price, and years gained on the wall it addresses (a horizontal "
            "shift of that wall's curve; `flat` where it grows < 2 %/yr):\n",
            "| lever | year | adds GW | avoids TWh | avoids tCO2e | USD/MWh | years gained |",
            "|---|---|---|---|---|---|---|"]
    for lv in res["levers"]:
        for b in lv.get("by_year", []):
            if b["year"] not in (2035, 2050):
                continue
            gain = "flat" if b["years_gained_p50"] is None else fmt(b["years_gained_p50"])
            out.append(f"| `{lv['name']}` | {b['year']} | {fmt(b['adds_campus_gw_p50'])} | "
                       f"{fmt(b['avoids_ai_electricity_twh_p50'])} | {fmt(b['avoids_co2e_t_p50'])} | "
                       f"{fmt(b['price_usd_mwh']) if b['price_usd_mwh'] else 'none published'} | "
                       f"{gain} |")
    return "\n".join(out)


def value_text(kind: str, entry: str, field: str | None) -> str:
    """One catalogue figure, for inline use: ``<!-- value: assumptions default-pue -->``."""
    from scalewall import catalog

    e = catalog.get(kind, entry).model_dump()
    v = _get(e, field) if field else e.get("value")
    unit = e.get("unit") if not field else unit_of(field.rsplit(".", 1)[-1])
    return fmt(v) + (f" {unit}" if unit and unit not in ("1", "-") else "")


# ----------------------------------------------------------------------------------------------
# Screenshots: made by `make docs` (browser tests), never committed; absent → a sentence.
# ----------------------------------------------------------------------------------------------


def screenshot_markdown(arg: str, page_uri: str, files=None) -> str:
    """The image when the build collected ``docs/img/NAME``; otherwise a sentence saying so."""
    name, _, alt = (x.strip() for x in arg.partition("|"))
    if files is not None and files.get_file_from_path(f"img/{name}") is not None:
        rel = posixpath.relpath(f"img/{name}", posixpath.dirname(page_uri) or ".")
        return f"![{alt or name}]({rel})"
    return (f"*(Screenshot `{name}` not present: `make docs` generates it with the browser tests "
            f"before building.)*")


# ----------------------------------------------------------------------------------------------
# mkdocs entry points
# ----------------------------------------------------------------------------------------------

_cache: dict[str, str] = {}


def _generate(name: str, arg: str, page_uri: str, docs_dir: Path, files=None) -> str:
    if name == "run":
        return run_markdown(arg)
    if name == "screenshot":
        return screenshot_markdown(arg, page_uri, files)
    if name == "cli":
        return cli_markdown(page_uri, docs_dir)
    if name == "options":
        return options_table(find_command(tuple(arg.split())))
    key = name
    if key not in _cache:
        make = {"results": lambda: results_markdown(result_models()),
                "catalogue": catalogue_markdown, "validation": validation_markdown,
                "planner-checks": planner_checks_markdown,
                "nomenclature": nomenclature_markdown, "timings": timings_markdown,
                "outlook-example": outlook_example_markdown,
                "outlook-anchors": outlook_anchors_markdown,
                "outlook-levers": outlook_levers_markdown, "kinds": kinds_markdown,
                "default-scenario": default_scenario_markdown,
                "supply-costs": supply_costs_markdown,
                "supply-sites": supply_sites_markdown,
                "outlook-epoch": outlook_epoch_markdown,
                "outlook-sensitivity": outlook_sensitivity_markdown}.get(name)
        if make is None:
            raise ValueError(f"{page_uri}: unknown generated block {name!r}")
        _cache[key] = make()
    return _cache[key]


def on_config(config, **kwargs):
    os.environ.setdefault("COLUMNS", str(CONSOLE_WIDTH))
    _cache.clear()
    return config


def on_page_markdown(markdown: str, page, config, files, **kwargs):
    docs_dir = Path(config["docs_dir"])
    uri = page.file.src_uri

    def repl(m: re.Match) -> str:
        buf_out, buf_err = io.StringIO(), io.StringIO()
        with redirect_stdout(buf_out), redirect_stderr(buf_err):
            return _generate(m.group("name"), m.group("arg"), uri, docs_dir, files)

    markdown = MARKER.sub(repl, markdown)
    return INLINE.sub(lambda m: value_text(m["kind"], m["entry"], m["field"]), markdown)
