"""The error hierarchy. Every message says what is wrong and what to do about it.

The CLI maps any :class:`ScalewallError` to one sentence on stderr and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "ScalewallError",
    "CatalogError",
    "InfeasiblePlanError",
    "InputError",
    "ScenarioError",
]


class ScalewallError(Exception):
    """Base of every error scalewall raises on purpose (bad input, infeasible request)."""


class CatalogError(ScalewallError):
    """An unknown catalogue id, or a catalogue/user file that does not match the schema."""


class InputError(ScalewallError):
    """A value the user gave is negative, absurd or inconsistent with the others."""


class InfeasiblePlanError(ScalewallError):
    """A parallel plan that cannot run: sizes, divisibility or memory. Names the constraint."""


class ScenarioError(ScalewallError):
    """A scenario file that does not validate."""
