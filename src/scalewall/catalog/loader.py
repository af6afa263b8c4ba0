"""Load and look up catalogue entries (YAML shipped in the package, validated by pydantic).

Unknown ids raise :class:`~scalewall.errors.CatalogError` listing the closest ids. User files of
the same schema are accepted wherever an id is.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from scalewall.catalog.energy_sources import EnergySource, LongHaulLink, ResourceLimit
from scalewall.catalog.engines import EngineProfile
from scalewall.catalog.outlook import Actor, Country, Equivalence, GridRegion, Paradigm, Trend
from scalewall.catalog.schema import Accelerator, Assumption, Model, Region
from scalewall.catalog.stacks import SoftwareStack
from scalewall.errors import CatalogError
from scalewall.files import load_yaml, load_yaml_text

__all__ = [
    "KINDS",
    "entries",
    "get",
    "accelerator",
    "model",
    "region",
    "engine",
    "assumption",
    "load_file",
    "format_validation_error",
    "validate_as",
]

T = TypeVar("T", bound=BaseModel)

#: catalogue kind -> (file in catalog/data, schema)
KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "accelerators": ("accelerators.yaml", Accelerator),
    "models": ("models.yaml", Model),
    "regions": ("regions.yaml", Region),
    "assumptions": ("assumptions.yaml", Assumption),
    "calibration": ("calibration.yaml", Assumption),
    "energy_sources": ("energy_sources.yaml", EnergySource),
    "links": ("site_resources.yaml", LongHaulLink),
    "resource_limits": ("site_resources.yaml", ResourceLimit),
    "trends": ("trends.yaml", Trend),
    "paradigms": ("paradigms.yaml", Paradigm),
    "equivalences": ("equivalences.yaml", Equivalence),
    "countries": ("countries.yaml", Country),
    "actors": ("actors.yaml", Actor),
    "grid_regions": ("grid_regions.yaml", GridRegion),
    "engines": ("engines.yaml", EngineProfile),
    "stacks": ("stacks.yaml", SoftwareStack),
}


def _schema(kind: str) -> type[BaseModel]:
    return KINDS[kind][1]


def format_validation_error(err: ValidationError, where: str) -> str:
    """One readable sentence from a pydantic error: which field, what is wrong [-]."""
    parts = []
    for e in err.errors()[:3]:
        loc = ".".join(str(x) for x in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = f" (+{len(err.errors()) - 3} more)" if len(err.errors()) > 3 else ""
    return f"{where}: " + "; ".join(parts) + more


def validate_as(schema: type[T], data: Any, where: str, error: type[Exception] | None = None) -> T:
    """Validate ``data`` (a mapping) against a pydantic ``schema``; a wrong type or field raises
    ``error`` (default :class:`ScenarioError`) with one sentence naming the field."""
    from scalewall.errors import ScenarioError

    error = error or ScenarioError
    if not isinstance(data, dict):
        raise error(f"{where} must hold one mapping of fields, not {type(data).__name__}")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise error(format_validation_error(exc, where)) from None


def _read_yaml(text: str, where: str) -> Any:
    return load_yaml_text(text, where, CatalogError)


@cache
def entries(kind: str) -> dict[str, BaseModel]:
    """All entries of a catalogue kind, by id, validated [-]."""
    if kind not in KINDS:
        raise CatalogError(f"unknown catalogue kind {kind!r}; kinds: {', '.join(KINDS)}")
    fname = KINDS[kind][0]
    schema = _schema(kind)
    text = resources.files("scalewall.catalog").joinpath("data", fname).read_text("utf-8")
    raw = _read_yaml(text, fname)
    items = raw.get(kind, []) if isinstance(raw, dict) else []
    out: dict[str, BaseModel] = {}
    for i, item in enumerate(items):
        where = f"{fname} entry {i} ({item.get('id', '?') if isinstance(item, dict) else '?'})"
        try:
            entry: Any = schema.model_validate(item)  # every catalogue schema has an ``id``
        except ValidationError as exc:
            raise CatalogError(format_validation_error(exc, where)) from None
        if not getattr(entry, "source", None):
            raise CatalogError(f"{where}: every catalogue entry needs a 'source'")
        if entry.id in out:
            raise CatalogError(f"{where}: duplicate id {entry.id!r}")
        out[entry.id] = entry
    return out


@cache
def _aliases(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for eid, e in entries(kind).items():
        table[eid] = eid
        for a in getattr(e, "aliases", []):
            table[a.lower()] = eid
    return table


def get(kind: str, entry_id: str) -> Any:
    """The entry ``entry_id`` (or one of its aliases) of catalogue ``kind``.

    Raises
    ------
    CatalogError
        If no entry matches; the message lists the closest ids.
    """
    key = str(entry_id).strip().lower()
    table = _aliases(kind)
    if key in table:
        return entries(kind)[table[key]]
    close = difflib.get_close_matches(key, list(table), n=4, cutoff=0.4)
    close_ids = list(dict.fromkeys(table[c] for c in close))  # aliases map back to their id
    hint = f"; closest: {', '.join(close_ids)}" if close_ids else ""
    singular = kind[:-1] if kind.endswith("s") else kind
    raise CatalogError(f"unknown {singular} {entry_id!r}{hint} (see `scalewall catalog list {kind}`)")


def accelerator(entry_id: str) -> Accelerator:
    return get("accelerators", entry_id)


def model(entry_id: str) -> Model:
    return get("models", entry_id)


def engine(entry_id: str) -> EngineProfile:
    """A serving-engine profile (``vllm``, ``sglang``, ``trtllm``)."""
    return get("engines", entry_id)


def region(entry_id: str) -> Region:
    return get("regions", entry_id)


def assumption(entry_id: str) -> float:
    """The value of a sourced assumption from ``assumptions.yaml`` [its ``unit``]."""
    return get("assumptions", entry_id).value


def load_file(path: str | Path, schema: type[T]) -> T:
    """Validate a user's YAML file against a catalogue schema (``--model-file`` and friends)."""
    p = Path(path)
    raw = load_yaml(p, "file", error=CatalogError)
    return validate_as(schema, raw, p.name, CatalogError)
