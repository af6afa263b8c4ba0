"""Turn a command's nested JSON result into one flat row, and rows into an Arrow table.

Nested objects become dotted column names (``energy_mwh.facility``); lists become JSON strings,
so every cell is a scalar that Parquet, pandas and DuckDB read without a schema per command.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["flatten", "rows_to_table"]


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


def rows_to_table(rows: list[dict[str, Any]]):
    """An Arrow table from flat rows whose keys may differ (missing cells are null).

    A column whose values do not share one Arrow type (say a number in one row and text in
    another) is stored as text, JSON-encoded where not already a string.
    """
    import pyarrow as pa

    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    arrays = {}
    for name in names:
        values = [r.get(name) for r in rows]
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays[name] = pa.array([None if v is None else v if isinstance(v, str) else _json(v)
                                     for v in values], type=pa.string())
    return pa.table(arrays)
