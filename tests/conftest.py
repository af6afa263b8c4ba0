"""Shared fixtures: catalogue objects used across tests."""

from __future__ import annotations

import pytest

from scalewall import catalog


@pytest.fixture(scope="session")
def h100():
    return catalog.accelerator("h100-sxm")


@pytest.fixture(scope="session")
def a100():
    return catalog.accelerator("a100-80gb")


@pytest.fixture(scope="session")
def gpt3():
    return catalog.model("gpt-3-175b")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """A line nobody can miss when the browser tests could not run (they skip without chromium)."""
    skipped = terminalreporter.stats.get("skipped", [])
    browser = [r for r in skipped if "test_browser" in str(getattr(r, "fspath", "")) or
               "test_browser" in str(getattr(r, "nodeid", ""))]
    if browser:
        reason = str(browser[0].longrepr[-1]) if isinstance(browser[0].longrepr, tuple) else ""
        terminalreporter.write_sep("!", "BROWSER TESTS DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(f"the web app and the HTML report were NOT tested in a browser: {reason}",
                                    red=True, bold=True)
