"""scalewall: where the scaling of large language models hits a wall, and what moves it."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
