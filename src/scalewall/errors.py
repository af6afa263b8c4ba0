"""The error hierarchy. Every message says what is wrong and what to do about it.

The CLI maps any :class:`ScalewallError` to one sentence on stderr and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "closest_hint",
    "ScalewallError",
    "CatalogError",
    "InfeasiblePlanError",
    "InputError",
    "ScenarioError",
    "SolverError",
]


def closest_hint(word: str, options, n: int = 3, cutoff: float = 0.4, sep: str = "; ") -> str:
    """``"; closest: a, b"`` for the options most like ``word``, or ``""`` when none is close.

    The one way every "unknown name" message in scalewall suggests what the user meant.
    """
    import difflib

    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=n, cutoff=cutoff)
    return f"{sep}closest: {', '.join(close)}" if close else ""


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


class SolverError(ScalewallError):
    """An optimisation solver that stopped without a verified optimum (numerical trouble)."""
