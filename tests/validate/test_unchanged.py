"""``scalewall validate`` prints the same numbers as the stored copy.

``tests/data/validate_expected.json`` is ``scalewall validate --json`` as it was before the
restructure into layers (commit 735dd63's parent). A refactor must not move any prediction; a
change of model that does move one updates the stored copy in the same commit, saying why.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from scalewall.validate.runner import run_all

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "validate_expected.json"
#: relative tolerance: the same arithmetic on another BLAS may differ in the last bits [-]
REL_TOL = 1e-9


def test_validate_rows_match_the_stored_copy_case_by_case():
    want = json.loads(EXPECTED.read_text("utf-8"))
    got = [r.model_dump() for r in run_all()]
    assert [(r["group"], r["case"], r["quantity"]) for r in got] == \
        [(r["group"], r["case"], r["quantity"]) for r in want]
    for g, w in zip(got, want, strict=True):
        for key, value in w.items():
            if isinstance(value, float):
                assert math.isclose(g[key], value, rel_tol=REL_TOL, abs_tol=1e-15), (w["case"], key)
            else:
                assert g[key] == value, (w["case"], key)
