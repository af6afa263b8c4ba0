"""Resource limits and lead times from the catalogue (issue 16): what a site may build, and why not.

Truth: the USGS 2008 geothermal assessment area (catalogue ``resource_limits``) and each
technology's catalogue lead time; no solve is needed, the left-out list is the answer.
"""

from __future__ import annotations

from scalewall import catalog
from scalewall.supply.site import _sources


def _techs(sources):
    return [s.tech for s in sources]


def test_geothermal_only_where_the_catalogue_places_a_resource_with_the_reason_shown():
    techs = ("solar", "geothermal", "gas")
    kept, notes = _sources(techs, 2030, catalog.region("us-virginia"))
    assert "geothermal" not in _techs(kept)
    assert any(n.startswith("geothermal left out in region us-virginia") and "USGS" in n for n in notes)
    kept, notes = _sources(techs, 2030, catalog.region("us-oregon"))
    assert "geothermal" in _techs(kept)


def test_without_a_region_the_limits_are_not_applied_and_the_notes_say_so():
    kept, notes = _sources(("solar", "geothermal"), 2030)
    assert "geothermal" in _techs(kept)
    assert any("resource limits not checked (no --region): geothermal" in n for n in notes)


def test_nuclear_whose_lead_time_ends_after_the_year_is_left_out_with_its_dates():
    nuclear = catalog.get("energy_sources", "nuclear")
    assert nuclear.lead_time_years == 10  # the catalogue's Vogtle-based estimate
    kept, notes = _sources(("solar", "nuclear"), 2030, build_from=2025)
    assert _techs(kept) == ["solar"]
    assert any("nuclear left out: its lead time of 10 years from --build-from 2025 energises it in 2035" in n
               for n in notes)
    kept, _ = _sources(("solar", "nuclear"), 2035, build_from=2025)
    assert _techs(kept) == ["solar", "nuclear"]
