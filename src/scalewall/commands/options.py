"""What every command's options share: strict models, the model/accelerator/region choice, and
the field vocabulary the interfaces read (counts with suffixes, defaults from the catalogue,
options that name files).

The options models are the one declaration of each command's inputs: the CLI's flags
(:mod:`scalewall.cli.options`), the web API's request bodies and form (:mod:`scalewall.web.models`)
and sweep SPECs are derived from them. A field says what an interface needs to know in its
``description`` (with units and, for ``None`` defaults, what the default is) and in
``json_schema_extra``:

- ``default_from``: the catalogue assumption whose value is the default (``scalewall catalog show
  assumptions ID``); the CLI's help prints its value;
- a :data:`Count` annotation accepts ``300e9``, ``1.8T``, ``15B``, ``2M`` (suffixes k, M, B/G, T, P).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from scalewall.errors import ScenarioError

__all__ = [
    "Options",
    "ModelAccOptions",
    "ClusterRunOptions",
    "resolve_options",
    "climate_of",
    "Count",
    "parse_count",
    "is_count",
    "is_file_option",
    "default_from",
    "FILE_SUFFIXES",
    "IntOrMax",
]

_MULT = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "p": 1e15}


def parse_count(value: Any) -> Any:
    """A number like 300e9, 1.8T, 15B, 2M (suffixes k, M, B/G, T, P) [-]; non-text passes through.

    Raises ValueError (which pydantic reports naming the field) for text that is not a number.
    """
    if not isinstance(value, str):
        return value
    s = value.strip().replace("_", "").replace(",", "")
    try:
        if s and s[-1].lower() in _MULT and not s[-1].isdigit():
            return float(s[:-1]) * _MULT[s[-1].lower()]
        return float(s)
    except ValueError:
        raise ValueError(f"{value!r} is not a number (examples: 300e9, 1.8T, 15B)") from None


class _CountMarker:
    """Metadata marking a :data:`Count` field (the CLI takes it as text and keeps the suffixes)."""

    def __repr__(self) -> str:
        return "Count"


COUNT = _CountMarker()
#: a large count that may be written with a suffix: 300e9, 1.8T, 15B, 2M
Count = Annotated[float, BeforeValidator(parse_count), COUNT]


def _int_or_max(value: Any) -> Any:
    """``"16"`` → 16, ``"max"`` stays; other text is one sentence (not two union errors)."""
    if isinstance(value, str) and value.strip() != "max":
        try:
            return int(value.strip())
        except ValueError:
            raise ValueError(f"must be a whole number or 'max', not {value!r}") from None
    return value


#: a whole number or the word ``max`` (``infer --batch``)
IntOrMax = Annotated[int | Literal["max"], BeforeValidator(_int_or_max)]

#: endings of option names that name a file or folder (never read from a web request)
FILE_SUFFIXES = ("_file", "_path", "_dir", "_out", "_output")


def is_count(field: Any) -> bool:
    """True for a field declared with :data:`Count` (also ``Count | None``)."""
    import typing

    def marked(ann: Any) -> bool:
        if typing.get_origin(ann) is Annotated:
            return any(m is COUNT for m in ann.__metadata__)
        return any(marked(a) for a in typing.get_args(ann))

    return any(m is COUNT for m in getattr(field, "metadata", ())) or marked(field.annotation)


def is_file_option(name: str) -> bool:
    """True for an option that names a file or folder (a path in the CLI, refused by the web)."""
    return name.endswith(FILE_SUFFIXES) or name in ("file", "path", "out", "output", "load_from")


def default_from(field: Any) -> str | None:
    """The catalogue assumption id a field's ``None`` default stands for, if any."""
    extra = getattr(field, "json_schema_extra", None)
    return extra.get("default_from") if isinstance(extra, dict) else None


class Options(BaseModel):
    """Base of every command's options: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class ModelAccOptions(Options):
    """Options naming a model and an accelerator, by catalogue id or by file."""

    model: str | None = Field(default=None, description="catalogue model id (or give model_file)")
    model_file: str | None = Field(default=None, description="model YAML file (instead of model)")
    accelerator: str | None = Field(
        default=None, description="catalogue accelerator id (or give accelerator_file)"
    )
    accelerator_file: str | None = Field(
        default=None, description="accelerator YAML file (instead of accelerator)"
    )


class ClusterRunOptions(ModelAccOptions):
    """Options every training-run command shares (``train`` and ``plan``): the cluster, the shape
    of a step, the precision and software, and the grid."""

    devices: int = Field(description="number of accelerators [-]")
    global_batch: int | None = Field(
        default=None,
        description="sequences per optimizer step [-]; default: the catalogue's tokens per step / seq_len",
        json_schema_extra={"default_from": "default-batch-tokens"},
    )
    seq_len: int | None = Field(
        default=None,
        description="tokens per sequence [tokens]; default: min(model context, the catalogue's cap)",
        json_schema_extra={"default_from": "default-train-seq-len"},
    )
    precision: Literal["fp16", "bf16", "fp8", "mxfp8"] = Field(default="bf16", description="GEMM precision")
    stack: str = Field(
        default="modern",
        description="training software profile, a catalogue stacks id: modern, megatron-core, "
        "torchtitan, deepspeed, megatron-2021",
    )
    region: str | None = Field(
        default=None, description="catalogue region id (grid carbon, PUE, water, electricity price)"
    )
    grid_gco2_kwh: float | None = Field(
        default=None,
        description="grid carbon intensity [gCO2e/kWh]; default: the region's, else the catalogue's",
        json_schema_extra={"default_from": "default-grid-gco2-kwh"},
    )


def resolve_options(o: ModelAccOptions) -> dict:
    """Catalogue objects (model, accelerator, region) named by a command's options."""
    from scalewall import catalog
    from scalewall.catalog.schema import Accelerator, Model

    if (o.model is None) == (o.model_file is None):
        raise ScenarioError("give exactly one of model or model_file")
    if (o.accelerator is None) == (o.accelerator_file is None):
        raise ScenarioError("give exactly one of accelerator or accelerator_file")
    m = catalog.load_file(o.model_file, Model) if o.model_file else catalog.model(cast(str, o.model))
    a = (
        catalog.load_file(o.accelerator_file, Accelerator)
        if o.accelerator_file
        else catalog.accelerator(cast(str, o.accelerator))
    )
    region_id = getattr(o, "region", None)  # only the commands with a region option have one
    region = catalog.region(region_id) if region_id else None
    return {"model": m, "accelerator": a, "region": region}


def climate_of(weather: str | None):
    """The hourly climate (:class:`scalewall.facility.pue.Climate`) of a bundled weather id or a
    weather file, read as ``site`` reads it; None when no weather is given."""
    if weather is None:
        return None
    from scalewall.facility.pue import Climate
    from scalewall.supply.weather import load_weather

    return Climate.of(load_weather(weather))
