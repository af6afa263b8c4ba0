"""The sourced catalogue: accelerators, models, regions, assumptions and calibration factors."""

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.loader import (
    KINDS,
    accelerator,
    assumption,
    engine,
    entries,
    get,
    load_file,
    model,
    region,
)
from scalewall.catalog.schema import Accelerator, Model, Region, Source

__all__ = [
    "KINDS",
    "Accelerator",
    "Calibration",
    "Model",
    "Region",
    "Source",
    "accelerator",
    "assumption",
    "engine",
    "entries",
    "get",
    "load_file",
    "model",
    "region",
]
