"""What the library requests of ``train`` and ``infer`` share: where the job runs and which
calibration the physics uses (catalogue objects resolved, values bounded)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scalewall.catalog.calibration import Calibration
from scalewall.catalog.schema import Region
from scalewall.facility.pue import Climate

__all__ = ["SiteAndCalibration"]


class SiteAndCalibration(BaseModel):
    """The site (PUE, region, grid, climate and cooling) and the calibration of a request."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    pue: float | None = Field(default=None, ge=1.0, le=3.0, description="[-]")
    region: Region | None = None
    grid_gco2_kwh: float | None = Field(default=None, ge=0, le=2000, description="[gCO2e/kWh]")
    calibration: Calibration | None = Field(
        default=None, description="efficiency factors of the physics (None: the catalogue's)"
    )
    climate: Climate | None = Field(
        default=None, description="hourly weather year for the PUE (scalewall.facility.pue.Climate)"
    )
    cooling: Literal["air", "evaporative", "liquid"] | None = Field(
        default=None, description="cooling type for the climate's PUE (default air, as in site)"
    )
