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
