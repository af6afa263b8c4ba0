"""Pydantic schema of the outlook's catalogue kinds and of a user's scenario file.

``Trend`` (catalogue ``trends``): one driver of the outlook as a distribution ``low`` ≤
``central`` ≤ ``high`` in its ``unit``. ``Paradigm`` (``paradigms``): a compute paradigm with the
efficiency it has demonstrated and on which workload. ``Equivalence`` (``equivalences``): an annual
electricity use to compare TWh with (a household). ``Country`` (``countries``): every country's
annual electricity demand from one dated table. ``Actor`` (``actors``): an organisation whose yearly capital
budget could pay for a frontier training cluster. ``GridRegion`` (``grid_regions``): a region's
data-centre electricity and its share of the world's new generation, for the grid-build bound.
``Scenario``: a user's or preset's changes to the
drivers (see ``docs/outlook.md``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scalewall.catalog.schema import Entry

__all__ = [
    "Trend",
    "Demonstrated",
    "Multiplier",
    "Paradigm",
    "Equivalence",
    "Country",
    "Actor",
    "GridRegion",
    "DriverOverride",
    "Scenario",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _ordered(low: float, central: float, high: float, what: str) -> None:
    if low > high:
        raise ValueError(f"{what}: low {low:g} > high {high:g}")
    if not low <= central <= high:
        raise ValueError(f"{what}: central {central:g} is not between low {low:g} and high {high:g}")


class Trend(Entry):
    """One outlook driver: a sourced range read as the 0th, 50th and 100th percentile.

    Sampling maps a uniform number u ∈ [0, 1) piecewise-linearly through (0, low), (0.5, central),
    (1, high); with ``scale: log`` the map is linear in log10 of the value.
    """

    unit: str = Field(description="unit of low/central/high, e.g. 'x/yr', 'FLOP', 'GW', 'TWh'")
    low: float
    central: float
    high: float
    scale: Literal["linear", "log"] = "linear"
    group: str = Field(default="other", description="what the driver is about (compute, power…)")

    @model_validator(mode="after")
    def _order(self) -> Trend:
        _ordered(self.low, self.central, self.high, self.id)
        if self.scale == "log" and self.low <= 0:
            raise ValueError(f"{self.id}: a log-scale driver needs low > 0")
        return self


class Demonstrated(_Strict):
    """What a paradigm has been shown to do, on which workload and at which boundary."""

    value: float = Field(gt=0)
    unit: str = Field(description="e.g. 'tokens_per_j', 'tops_per_w', 'j_per_token'")
    workload: str
    boundary: Literal["chip", "system"]


class Multiplier(_Strict):
    """Energy-efficiency multiplier versus a contemporary GPU on the same workload [-]."""

    low: float = Field(gt=0)
    central: float = Field(gt=0)
    high: float = Field(gt=0)
    note: str = Field(description="how the multiplier was derived from the demonstrated figure")

    @model_validator(mode="after")
    def _order(self) -> Multiplier:
        _ordered(self.low, self.central, self.high, "efficiency_multiplier")
        return self


class Paradigm(Entry):
    """A compute paradigm (neuromorphic, photonic, analog in-memory, wafer-scale, dataflow…)."""

    kind: Literal[
        "neuromorphic",
        "photonic",
        "analog-in-memory",
        "wafer-scale",
        "sram-dataflow",
        "3d-stacked-memory",
    ]
    demonstrated: Demonstrated
    maturity: Literal["research", "prototype", "product"]
    earliest_volume_year: int = Field(ge=2020, le=2060)
    applies_to: list[Literal["training", "inference"]] = Field(min_length=1)
    efficiency_multiplier: Multiplier


class Equivalence(Entry):
    """An annual electricity use to compare with (a household; countries are ``Country``)."""

    kind: Literal["household"]
    annual_electricity_kwh: float = Field(gt=0, description="annual electricity use [kWh]")
    year: int = Field(ge=2000, le=2100, description="year the figure refers to")

    @property
    def annual_electricity_twh(self) -> float:
        return self.annual_electricity_kwh / 1e9


class Country(Entry):
    """A country's (or territory's) annual electricity demand, from one dated table for all."""

    iso3: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code (Ember's; XKX Kosovo)")
    electricity_demand_twh: float = Field(gt=0, description="annual electricity demand [TWh]")
    year: int = Field(ge=2000, le=2100, description="year the figure refers to")


class Actor(Entry):
    """An organisation and its yearly capital expenditure (the budget a frontier cluster competes for)."""

    capex_usd: float = Field(gt=0, description="capital expenditure in the fiscal year [USD]")
    fiscal_year: int = Field(ge=2015, le=2100)


class GridRegion(Entry):
    """A region of the grid-build bound: its data centres' electricity and its new generation.

    The regions partition the world: their 2024 and 2030 data-centre electricity sum to the world's
    (IEA base case) and their shares of new generation sum to 1.
    """

    datacentre_twh_2024: float = Field(gt=0, description="data-centre electricity in 2024 [TWh]")
    datacentre_twh_2030: float = Field(gt=0, description="IEA base case, 2030 [TWh]")
    new_generation_gw_2024: float = Field(
        gt=0, description="renewable generating capacity added in 2024 (IRENA; 92.5 % of all added) [GW]"
    )


class DriverOverride(_Strict):
    """A scenario's replacement for one driver: a fixed ``value`` or a ``low/central/high`` range."""

    value: float | None = None
    low: float | None = None
    central: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _shape(self) -> DriverOverride:
        rng = (self.low, self.central, self.high)
        if self.value is not None:
            if any(x is not None for x in rng):
                raise ValueError("give either value or low/central/high, not both")
            return self
        if any(x is None for x in rng):
            raise ValueError("give value, or all three of low, central, high")
        _ordered(self.low, self.central, self.high, "range")  # type: ignore[arg-type]
        return self

    def triple(self) -> tuple[float, float, float]:
        if self.value is not None:
            return (self.value, self.value, self.value)
        return (self.low, self.central, self.high)  # type: ignore[return-value]


class Scenario(_Strict):
    """A scenario: driver overrides, the walls that apply, and levers that are always on."""

    name: str
    description: str = ""
    drivers: dict[str, DriverOverride] = Field(default_factory=dict)
    walls: list[str] | None = Field(default=None, description="default: every wall")
    levers: list[str] = Field(default_factory=list)
    grid_bound: Literal["regions", "world"] = Field(
        default="regions",
        description="grid-build bound per region (grid_regions.yaml) or on the world total only",
    )
    source: list[dict] = Field(default_factory=list)
