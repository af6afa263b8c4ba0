"""Run every published validation case through the library and compare.

Each area has its own module (``training``, ``serving``) that turns its published cases into
:class:`~scalewall.validate.rows.Row` objects; this module only gathers and summarises them.
"""

from __future__ import annotations

import numpy as np

from scalewall.validate.attention import attention_kernel_rows
from scalewall.validate.outlook import outlook_rows
from scalewall.validate.rows import Row
from scalewall.validate.serving import serving_rows
from scalewall.validate.training import training_rows

__all__ = ["run_all", "summarise"]


def run_all() -> list[Row]:
    """Every validation row, in a stable order."""
    return [*training_rows(), *attention_kernel_rows(), *serving_rows(), *outlook_rows()]


def summarise(rows: list[Row]) -> list[str]:
    """Per-group mean and max |error| lines [-]."""
    out = []
    for g in dict.fromkeys(r.group for r in rows):
        errs = np.abs([r.error for r in rows if r.group == g])
        n_ok = sum(r.ok for r in rows if r.group == g)
        held_out = all(r.bar == "none" for r in rows if r.group == g)
        tail = "held out, no bar" if held_out else f"{n_ok}/{len(errs)} within bar"
        out.append(f"{g}: mean |error| {errs.mean():.1%}, max {errs.max():.1%}, {tail}")
    return out
