"""What every command's options share: strict models and the model/accelerator/region choice."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from scalewall.errors import ScenarioError

__all__ = ["Options", "ModelAccOptions", "resolve_options", "climate_of"]


class Options(BaseModel):
    """Base of every command's options: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class ModelAccOptions(Options):
    """Options naming a model and an accelerator, by catalogue id or by file."""

    model: str | None = Field(default=None, description="catalogue model id")
    model_file: str | None = Field(default=None, description="model YAML file")
    accelerator: str | None = Field(default=None, description="catalogue accelerator id")
    accelerator_file: str | None = Field(default=None, description="accelerator YAML file")


def resolve_options(o: ModelAccOptions) -> dict:
    """Catalogue objects (model, accelerator, region) named by a command's options."""
    from scalewall import catalog
    from scalewall.catalog.schema import Accelerator, Model

    if (o.model is None) == (o.model_file is None):
        raise ScenarioError("give exactly one of model or model_file")
    if (o.accelerator is None) == (o.accelerator_file is None):
        raise ScenarioError("give exactly one of accelerator or accelerator_file")
    m = catalog.load_file(o.model_file, Model) if o.model_file else catalog.model(o.model)
    a = (catalog.load_file(o.accelerator_file, Accelerator) if o.accelerator_file
         else catalog.accelerator(o.accelerator))
    region = catalog.region(o.region) if getattr(o, "region", None) else None
    return {"model": m, "accelerator": a, "region": region}


def climate_of(weather: str | None):
    """The hourly climate (:class:`scalewall.facility.pue.Climate`) of a bundled weather id or a
    weather file, read as ``site`` reads it; None when no weather is given."""
    if weather is None:
        return None
    from scalewall.facility.pue import Climate
    from scalewall.supply.weather import load_weather

    return Climate.of(load_weather(weather))
