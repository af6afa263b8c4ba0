"""Named unit constants: consistent with each other, and the only place their numbers appear."""

from __future__ import annotations

import pytest

from scalewall import units as u


def test_constants_are_consistent():
    assert u.SECONDS_PER_DAY == 86_400 and u.HOURS_PER_YEAR == 8_760
    assert u.J_PER_KWH == pytest.approx(3.6e6) and u.J_PER_MWH == pytest.approx(3.6e9)
    assert u.J_PER_TWH == pytest.approx(u.J_PER_MWH * u.MWH_PER_TWH)
    assert u.G_PER_T == u.G_PER_KG * u.KG_PER_T


def test_no_bare_unit_constant_is_left_in_the_package():
    # seconds per day, hours per year and joules per kWh/MWh/TWh are named in units.py, once
    import re
    from pathlib import Path

    import scalewall

    src = Path(scalewall.__file__).parent
    bare = re.compile(r"(?<![\w.])(86400|8760|3\.6e6|3\.6e9|3\.6e12|3\.6e15)(?![\w.])")
    hits = [f"{p.relative_to(src)}:{i}" for p in src.rglob("*.py") if p.name != "units.py"
            for i, line in enumerate(p.read_text("utf-8").splitlines(), 1)
            if bare.search(line.split("#")[0]) and "``" not in line]
    assert not hits, hits
