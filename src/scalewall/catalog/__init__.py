"""The sourced catalogue: accelerators, models, regions and assumptions."""

from scalewall.catalog.loader import (
    KINDS,
    accelerator,
    assumption,
    calibration,
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
    "Model",
    "Region",
    "Source",
    "accelerator",
    "assumption",
    "calibration",
    "entries",
    "get",
    "load_file",
    "model",
    "region",
]
