"""Select rows and columns of sweep results: ``--where EXPR`` and ``--columns``.

``EXPR`` is a pandas query expression (``in.devices >= 256 and out.mfu > 0.5``,
``error.isnull()``, ``in.model == 'llama-2-7b'``). Dotted column names are written as they
are; they are quoted for pandas here.
"""

from __future__ import annotations

import fnmatch
import io
import tokenize
from typing import Any

from scalewall.errors import InputError, closest_hint

__all__ = ["select", "quote_dotted_names", "resolve_columns", "default_columns"]


def quote_dotted_names(expr: str, columns: list[str]) -> str:
    """Wrap dotted column names of ``expr`` in backticks so pandas reads them as one name.

    The longest dotted prefix that is a column is quoted (``out.energy_mwh.facility``); what
    follows stays attribute access (``error.isnull()``). An ``in.`` or ``out.`` name that is no
    column raises :class:`InputError` with the closest columns.
    """
    cols = set(columns)
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(expr).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise InputError(f"--where {expr!r} is not a valid expression: {exc}") from None
    lines = expr.splitlines(keepends=True) or [""]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: tuple[int, int]) -> int:
        return starts[pos[0] - 1] + pos[1]

    edits = []
    i = 0
    while i < len(toks):
        t = toks[i]
        prev = toks[i - 1] if i else None
        if t.type != tokenize.NAME or (prev is not None and prev.string in (".", "`")):
            i += 1
            continue
        parts, j = [t], i + 1
        while (
            j + 1 < len(toks)
            and toks[j].string == "."
            and toks[j + 1].type == tokenize.NAME
            and toks[j].start == parts[-1].end
            and toks[j + 1].start == toks[j].end
        ):
            parts.append(toks[j + 1])
            j += 2
        if len(parts) > 1:
            names = [p.string for p in parts]
            for n in range(len(names), 1, -1):
                if ".".join(names[:n]) in cols:
                    edits.append(
                        (offset(parts[0].start), offset(parts[n - 1].end), f"`{'.'.join(names[:n])}`")
                    )
                    break
            else:
                if names[0] in ("in", "out") and names[0] not in cols:
                    raise InputError(
                        f"--where: no column {'.'.join(names)!r}" + closest_hint(".".join(names), columns)
                    )
        i = j
    for a, b, text in reversed(edits):
        expr = expr[:a] + text + expr[b:]
    return expr


def resolve_columns(wanted: list[str], columns: list[str]) -> list[str]:
    """Column names from names, comma-separated lists and glob patterns (``out.energy_mwh.*``)."""
    out: list[str] = []
    for item in wanted:
        for name in (s.strip() for s in item.split(",")):
            if not name:
                continue
            if any(ch in name for ch in "*?["):
                hits = [c for c in columns if fnmatch.fnmatchcase(c, name)]
            else:
                hits = [name] if name in columns else []
            if not hits:
                raise InputError(f"--columns: no column {name!r}" + closest_hint(name, columns))
            out.extend(h for h in hits if h not in out)
    return out


def default_columns(df: Any, limit: int = 8) -> list[str]:
    """Columns a table shows by default, at most ``limit`` (more if many inputs vary).

    ``key``, the inputs that vary between rows (all inputs if none does), ``error`` when a row
    has one, then numeric outputs that are not copies of an input.
    """
    cols = [str(c) for c in df.columns]
    inputs = [c for c in cols if c.startswith("in.")]
    varying = [c for c in inputs if df[c].nunique(dropna=False) > 1] or inputs
    head = ["key", *varying]
    if "error" in cols and df["error"].notna().any():
        head.append("error")
    echoed = {"out." + c[3:] for c in inputs}
    outs = [c for c in cols if c.startswith("out.") and c not in echoed]
    # measured quantities (floats) before counts and sizes (integers)
    numeric = [c for c in outs if df[c].dtype.kind == "f"] + [c for c in outs if df[c].dtype.kind in "iu"]
    return [c for c in head if c in cols] + numeric[: max(0, limit - len(head))]


def select(df: Any, where: str | None = None, columns: list[str] | None = None) -> Any:
    """Rows of ``df`` where ``where`` holds, with ``columns`` (all when None)."""
    cols = [str(c) for c in df.columns]
    if where:
        expr = quote_dotted_names(where, cols)
        try:
            df = df.query(expr, engine="python")
        except Exception as exc:  # noqa: BLE001 - pandas raises many types for a bad expression
            msg = " ".join(str(exc).split())
            hint = ""
            if isinstance(exc, NameError):
                name = msg.split("'")[1] if msg.count("'") >= 2 else ""
                hint = closest_hint(name, cols) if name else ""
            raise InputError(f"--where {where!r}: {msg}{hint}") from None
    if columns:
        df = df[resolve_columns(columns, cols)]
    return df
