"""Request bodies of the web API: each command's own options model, made safe for a server.

The fields are copied from :func:`scalewall.commands.options_model` (same names, types, defaults and
constraints, ``extra="forbid"``), with two changes, because a web request must never make the
server read or write a file of its choosing or run for hours:

- options that name a file (``model_file``, ``accelerator_file``, ``load_from``, anything ending
  in ``_file``, ``_path``, ``_dir`` or ``_out``) are left out: the web API takes catalogue ids only;
- options that may be an id *or* a path (``scenario``, ``weather``, ``load_profile``) accept ids
  only (letters, digits, ``-`` and ``_``), and sizes of Monte Carlo work are capped
  (:data:`WEB_LIMITS`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from scalewall.commands.options import is_file_option

__all__ = ["WEB_LIMITS", "ID_ONLY_FIELDS", "request_model", "is_file_option"]

#: options that may be an id or a file path in the CLI: ids only on the web
ID_ONLY_FIELDS = ("scenario", "weather", "load_profile")
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
#: upper bounds on the work one web request may ask for [-]
WEB_LIMITS = {
    "devices": 1_000_000,
    "samples": 20_000,
    "sensitivity_samples": 1024,
    "top": 100,
}


def request_model(command: str, options: type[BaseModel]) -> type[BaseModel]:
    """The web request body of ``command``: ``options`` without file options, ids only."""
    fields: dict[str, Any] = {}
    for name, f in options.model_fields.items():
        if is_file_option(name):
            continue
        ann = f.annotation
        extra: dict[str, Any] = {}
        if name in ID_ONLY_FIELDS:
            # a str pattern on every str in the annotation (e.g. ``str | None``)
            ann = _restrict_str(ann)
        if name in WEB_LIMITS:
            extra["le"] = WEB_LIMITS[name]
            if name == "devices":
                extra["ge"] = 1
        info = FieldInfo.merge_field_infos(f, Field(**extra)) if extra else f
        fields[name] = (ann, info)
    config = ConfigDict(extra="forbid", populate_by_name=True, title=f"{command} options (web)")
    model = create_model(f"{command.capitalize()}WebOptions", __config__=config, **fields)
    model.__doc__ = (
        f"Options of `scalewall {command}` as JSON fields (snake_case); file options are "
        "not accepted over the web."
    )
    return model


def _restrict_str(ann: Any) -> Any:
    import types
    import typing

    from pydantic import StringConstraints

    # no dot and no slash: a preset or bundled-data id, never a file name
    pattern_str = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    if ann is str:
        return pattern_str
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return typing.Union[tuple(pattern_str if a is str else a for a in typing.get_args(ann))]  # noqa: UP007 (a union built from a runtime tuple)
    return ann
