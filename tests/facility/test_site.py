"""Where a job runs: given figures beat the region's, the region's beat the sourced defaults."""

from __future__ import annotations

import pytest

from scalewall import catalog
from scalewall.facility.site import resolve_site


def test_defaults_come_from_the_catalogue_assumptions():
    s = resolve_site(None, None, None)
    assert s.pue == catalog.assumption("default-pue")
    assert s.grid_gco2_kwh == catalog.assumption("default-grid-gco2-kwh")
    assert s.electricity_usd_mwh == catalog.assumption("default-electricity-usd-mwh")
    assert any("default" in n for n in s.notes)


def test_region_figures_and_sources_replace_the_defaults():
    region = next(iter(catalog.entries("regions").values()))
    s = resolve_site(region, None, None)
    assert (s.grid_gco2_kwh, s.electricity_usd_mwh) == (region.grid_gco2_kwh, region.price_usd_mwh)
    assert s.sources and s.sources[0] == region.source[0]


def test_given_figures_beat_the_region():
    region = next(iter(catalog.entries("regions").values()))
    s = resolve_site(region, 1.31, 12.0, electricity_usd_mwh=42.0)
    assert (s.pue, s.grid_gco2_kwh, s.electricity_usd_mwh) == (pytest.approx(1.31), 12.0, 42.0)
