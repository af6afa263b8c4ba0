"""API fuzzing with schemathesis against the app's own OpenAPI: no input gives a 5xx response.

Examples are bounded (a few per operation, Monte Carlo sizes capped by the web API) so the whole
file runs in well under a minute on two cores.
"""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():  # schemathesis and starlette's TestClient warn on import
    warnings.simplefilter("ignore")
    import schemathesis
    from hypothesis import HealthCheck, settings

from scalewall.web.app import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path} {case.body!r}: " \
                                       f"{response.status_code} {response.text[:300]}"
