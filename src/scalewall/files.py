"""The one guarded way scalewall reads a user's file and checks an output path.

Every file a user passes (model and accelerator YAML, scenario and SPEC files, result JSON, load
profiles, weather files) is read here first, so a hostile or broken file gets one clear sentence,
never a traceback or minutes of parsing:

* size cap: :data:`MAX_FILE_BYTES` (5 MB) for YAML/JSON/CSV inputs, :data:`MAX_WEATHER_BYTES`
  (20 MB) for weather files (a TMY3 or EPW year is 1.2–1.7 MB; a PVGIS JSON year about 3 MB);
* encoding: UTF-8 text only; a file with NUL bytes is called binary;
* nesting: at most :data:`MAX_NESTING` levels of mappings and lists (a configuration of
  scalewall's never needs more than 6);
* output paths are checked before any long computation: the folder exists and is writable, and
  the path is not a folder.

NaN and infinite numbers are refused by the schemas (``allow_inf_nan=False``), not here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scalewall.errors import InputError, ScalewallError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_WEATHER_BYTES",
    "MAX_NESTING",
    "read_text",
    "load_yaml_text",
    "load_yaml",
    "load_json",
    "check_output_path",
]

#: largest YAML, JSON or CSV input read [bytes]
MAX_FILE_BYTES = 5 * 1024 * 1024
#: largest weather file read [bytes]
MAX_WEATHER_BYTES = 20 * 1024 * 1024
#: deepest nesting of mappings and lists accepted in a YAML or JSON input [-]
MAX_NESTING = 32


def _size_mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def read_text(
    path: str | Path, what: str, max_bytes: int = MAX_FILE_BYTES, error: type[ScalewallError] = InputError
) -> str:
    """The text of a user's file, refused with one sentence when it is missing, too large,
    binary or not UTF-8.

    Parameters
    ----------
    path : the file
    what : what the file is, for the message (``"--model-file"``, ``"scenario"``)
    max_bytes : the size cap [bytes]
    error : the error class raised (the caller's: ``CatalogError`` for catalogue files)
    """
    p = Path(path)
    if not p.exists():
        raise error(f"{what} {str(p)!r} does not exist")
    if p.is_dir():
        raise error(f"{what} {str(p)!r} is a folder, not a file")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise error(
                f"{what} {p.name!r} is {_size_mb(size)}, over the {_size_mb(max_bytes)} "
                "limit for this kind of file"
            )
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read {what} {str(p)!r}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew while we read it, or a special file
        raise error(f"{what} {p.name!r} is over the {_size_mb(max_bytes)} limit")
    if b"\x00" in data:
        raise error(f"{what} {p.name!r} is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {p.name!r} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def _check_nesting(data: Any, what: str, error: type[ScalewallError] = InputError) -> None:
    """Refuse structures nested deeper than :data:`MAX_NESTING` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_NESTING:
            raise error(f"{what} is nested more than {MAX_NESTING} levels deep")
        stack.extend((c, depth + 1) for c in children)


def load_yaml_text(text: str, what: str, error: type[ScalewallError] = InputError) -> Any:
    """Parse YAML text with the safe loader; a syntax error or absurd nesting is one sentence."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{what} is not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise error(f"{what} is nested more than {MAX_NESTING} levels deep") from None
    _check_nesting(data, what, error)
    return data


def load_yaml(
    path: str | Path, what: str, max_bytes: int = MAX_FILE_BYTES, error: type[ScalewallError] = InputError
) -> Any:
    """Read and parse a user's YAML file through every guard of this module."""
    return load_yaml_text(read_text(path, what, max_bytes, error), f"{what} {Path(path).name!r}", error)


def load_json(
    path: str | Path, what: str, max_bytes: int = MAX_FILE_BYTES, error: type[ScalewallError] = InputError
) -> Any:
    """Read and parse a user's JSON file through every guard of this module."""
    text = read_text(path, what, max_bytes, error)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{what} {Path(path).name!r} is not valid JSON (line {exc.lineno}): {exc.msg}") from None
    except RecursionError:
        raise error(f"{what} {Path(path).name!r} is nested more than {MAX_NESTING} levels deep") from None
    _check_nesting(data, f"{what} {Path(path).name!r}", error)
    return data


def check_output_path(path: str | Path, what: str, suffixes: tuple[str, ...] | None = None) -> Path:
    """Refuse an output path that cannot be written, before any long computation starts.

    Parameters
    ----------
    path : the file to write later
    what : the option, for the message (``"--dispatch-out"``)
    suffixes : allowed extensions, lower case with the dot (``(".csv", ".parquet")``)
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{what} {str(p)!r} is a folder; give a file name")
    if suffixes is not None and p.suffix.lower() not in suffixes:
        raise InputError(f"{what} {p.name!r}: use a file name ending in {' or '.join(suffixes)}")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"the folder of {what} {str(p)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"the folder of {what} {str(p)!r} is not writable")
    if p.exists() and not os.access(p, os.W_OK):
        raise InputError(f"{what} {str(p)!r} exists and is read-only")
    return p
