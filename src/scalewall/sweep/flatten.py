"""Turn a command's nested JSON result into one flat row, and rows into an Arrow table.

Nested objects become dotted column names (``energy_mwh.facility``); lists become JSON strings,
so every cell is a scalar that Parquet, pandas and DuckDB read without a schema per command.

:func:`column_types` reads the column types a sweep's rows have from the command's options and
result models (``in.devices`` int64, ``out.mfu`` float64, ``error`` text...), so that a batch in
which every scenario failed still writes its ``out.*`` columns, typed, and ``error`` is text in
every part, never a column of nulls.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

__all__ = ["flatten", "rows_to_table", "column_types", "ROW_TYPES"]

#: the columns every row has besides ``in.*`` and ``out.*``: (name, Arrow type name)
ROW_TYPES = {"key": "string", "command": "string", "error": "string", "model_s": "float64"}


def _json(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str, allow_nan=True)


def flatten(obj: dict[str, Any], prefix: str = "", sep: str = ".") -> dict[str, Any]:
    """Flatten nested dicts into ``prefix + "a" + sep + "b"`` keys.

    Lists and tuples become JSON strings, an empty dict becomes ``"{}"``; NumPy scalars and
    arrays become Python scalars and JSON strings. Anything else that is not a JSON scalar
    becomes ``str(value)``.
    """
    out: dict[str, Any] = {}
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if hasattr(v, "tolist") and type(v) not in (bool, int, float, str):
            v = v.tolist()  # NumPy scalar or array
        if isinstance(v, dict):
            if v:
                out.update(flatten(v, name + sep, sep))
            else:
                out[name] = "{}"
        elif isinstance(v, (list, tuple)):
            out[name] = _json(list(v))
        elif v is None or isinstance(v, (bool, int, float, str)):
            out[name] = v
        else:
            out[name] = str(v)
    return out


def rows_to_table(rows: list[dict[str, Any]], types: dict[str, str] | None = None):
    """An Arrow table from flat rows whose keys may differ (missing cells are null).

    ``types`` (column → Arrow type name, see :func:`column_types`) fixes the type of the columns
    it names, and adds those no row has as nulls of their type. A column whose values do not
    share one Arrow type (say a number in one row and text in another) is stored as text,
    JSON-encoded where not already a string.
    """
    import pyarrow as pa

    types = types or {}
    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    names.update(dict.fromkeys(n for n in types if n not in names))
    arrays = {}
    for name in names:
        values = [r.get(name) for r in rows]
        if name in types:
            try:
                arrays[name] = _typed(values, types[name])
                continue
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError):
                pass  # not what the model says (a bug elsewhere): keep the values, inferred
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays[name] = pa.array(
                [None if v is None else v if isinstance(v, str) else _json(v) for v in values],
                type=pa.string(),
            )
    return pa.table(arrays)


def _arrow_name(ann: Any) -> str | None:
    """The Arrow type name of a scalar annotation (``None`` when not one type, or not scalar)."""
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        names = {_arrow_name(a) for a in typing.get_args(ann) if a is not type(None)}
        return names.pop() if len(names) == 1 else ("string" if names else None)
    if typing.get_origin(ann) is typing.Literal:
        kinds = {type(v) for v in typing.get_args(ann)}
        return _arrow_name(kinds.pop()) if len(kinds) == 1 else "string"
    if ann is bool:
        return "bool"
    if ann is int:
        return "int64"
    if ann is float:
        return "float64"
    if ann is str:
        return "string"
    if typing.get_origin(ann) in (list, tuple) or ann in (list, tuple):
        return "string"  # stored as JSON text
    return None


def _model_columns(model: Any, prefix: str) -> dict[str, str]:
    """Column → Arrow type name of every field of a result model whose type is known: scalars,
    lists (JSON text) and nested models (dotted); ``dict`` fields have keys only a result knows."""
    from pydantic import BaseModel

    out: dict[str, str] = {}
    for name, f in model.model_fields.items():
        key = f"{prefix}{f.serialization_alias or f.alias or name}"
        ann = f.annotation
        inner = [a for a in typing.get_args(ann) if a is not type(None)] or [ann]
        if len(inner) == 1 and isinstance(inner[0], type) and issubclass(inner[0], BaseModel):
            out.update(_model_columns(inner[0], key + "."))
            continue
        t = _arrow_name(ann)
        if t is not None:
            out[key] = t
    return out


def column_types(command: str, inputs: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """Column → Arrow type name of a sweep's rows, from the command's options and result models.

    ``inputs`` are the options the SPEC names (the ``in.*`` columns). Columns of ``dict`` fields
    (``out.energy_mwh.facility``) are not listed: their keys come with the results.
    """
    from scalewall.commands import COMMANDS

    c = COMMANDS[command]
    out = {"key": "string", "command": "string"}
    fields = c.options.model_fields
    for name in inputs:
        f = fields.get(name) or next((x for x in fields.values() if x.alias == name), None)
        t = _arrow_name(f.annotation) if f is not None else None
        if t is not None:
            out[f"in.{name}"] = t
    out.update(_model_columns(c.result, "out."))
    out.update({k: v for k, v in ROW_TYPES.items() if k not in out})
    return out


def _typed(values: list[Any], type_name: str):
    import pyarrow as pa

    t = pa.type_for_alias(type_name)
    if t == pa.string():
        values = [None if v is None else v if isinstance(v, str) else _json(v) for v in values]
    return pa.array(values, type=t)
