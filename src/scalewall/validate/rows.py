"""What every validation module shares: the row it reports and the published cases it reads.

Cases live in ``validate/cases/*.yaml`` with their sources. Each row says whether the case was
used to FIT a calibration factor, is a CHECK the model has not seen, or tests CONVENTIONS
(arithmetic of duration × power × PUE × grid).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel

from scalewall.catalog.schema import Model
from scalewall.performance.plan import Plan

__all__ = ["Row", "cases", "case_plan", "gpt_model", "row", "source_of"]


class Row(BaseModel):
    """One comparison of a predicted and a published figure."""

    group: str
    case: str
    quantity: str
    published: float
    predicted: float
    error: float  # predicted / published - 1
    bar: str
    ok: bool
    role: str  # fit | check | convention
    source: str


@cache
def cases(name: str) -> dict:
    """The published cases of one file in ``validate/cases`` (without extension)."""
    text = resources.files("scalewall.validate").joinpath("cases", f"{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


#: plan fields a published case may give (its table or text); the rest are stated assumptions
_PLAN_FIELDS = ("tp", "pp", "dp", "cp", "ep", "micro_batch", "global_batch", "interleave", "recompute")


def case_plan(c: dict, **assumed) -> Plan:
    """The parallel plan of a published case: the fields the case gives, plus ``assumed`` values
    for what the publication does not state (each caller says which, and why)."""
    return Plan(**{**{k: c[k] for k in _PLAN_FIELDS if k in c}, **assumed})


def gpt_model(dims: dict, name: str = "case") -> Model:
    """A GPT-style model (GELU, d_ff = 4h, MHA, untied) from a paper's L, h, a, V, s."""
    return Model(
        id=name.lower().replace(" ", "-"),
        name=name,
        n_layers=dims["L"],
        d_model=dims["h"],
        n_heads=dims["a"],
        vocab_size=dims["V"],
        seq_len=dims["s"],
    )


def row(group, case, qty, pub, pred, bar_abs, role, src) -> Row:
    err = pred / pub - 1.0
    return Row(
        group=group,
        case=case,
        quantity=qty,
        published=pub,
        predicted=pred,
        error=err,
        bar=f"±{bar_abs:.0%}",
        ok=bool(abs(err) <= bar_abs),
        role=role,
        source=src,
    )


def source_of(block: dict) -> str:
    s = block["source"]
    return f"{s['publisher']} {s['year']}, {s['where']}"
