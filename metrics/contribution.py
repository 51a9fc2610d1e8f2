"""Which channels moved a KPI: each channel's contribution to the change between two periods.

Contributions add up exactly to the KPI's total change. For additive KPIs a
channel's contribution is its own change. For a ratio R = N / D (times a scale)
channel c contributes ``((N_c1 - R0 D_c1) - (N_c0 - R0 D_c0)) / D_1`` (R0 the
previous ratio): its extra numerator beyond what the old rate predicts for its
volume, so a channel that did not change contributes nothing.
"""

from __future__ import annotations

import ast

import pandas as pd
from sqlalchemy import Engine

from metrics import formula as formulas
from metrics.catalog import get_kpi
from metrics.engine import Filters, compute, compute_expressions
from metrics.periods import Period

COLUMNS = ["member", "before", "after", "change", "contribution", "share_of_change"]


def ratio_parts(formula: str) -> tuple[str, str | None, float]:
    """(numerator, denominator or None, scale) of ``formula``: 'a / b * 100' -> ('a', 'b', 100)."""
    node, scale = formulas.parse(formula), 1.0
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and isinstance(node.right, ast.Constant):
        node, scale = node.left, float(node.right.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return ast.unparse(node.left), ast.unparse(node.right), scale
    return ast.unparse(node), None, scale


def _by_member(engine: Engine, expressions: dict, period: Period, filters: Filters, dimension: str) -> pd.DataFrame:
    frame = compute_expressions(engine, expressions, period.start, period.end, "custom", filters, dimension)
    return frame.pivot_table(index=dimension, columns="kpi_id", values="value", aggfunc="first")


def contribution(engine: Engine, kpi_id: str, current: Period, before: Period, filters: Filters = Filters(),
                 dimension: str = "channel") -> pd.DataFrame:
    """One row per channel (or campaign): KPI before and after, its change, and its contribution to the
    total change (sorted by absolute contribution). Empty when the KPI cannot be broken down."""
    kpi = get_kpi(kpi_id)
    if dimension not in kpi.breakdowns:
        return pd.DataFrame(columns=COLUMNS)
    numerator, denominator, scale = ratio_parts(kpi.formula)
    values = {p: compute(engine, [kpi_id], p.start, p.end, "custom", filters, dimension)
              .set_index(dimension)["value"] for p in (current, before)}
    members = sorted(set(values[current].index) | set(values[before].index))
    after, prior = values[current].reindex(members), values[before].reindex(members)
    if denominator is None:
        contrib = after.fillna(0) - prior.fillna(0)
    else:
        parts = {"n": numerator, "d": denominator}
        now, then = (_by_member(engine, parts, p, filters, dimension).reindex(members).fillna(0)
                     for p in (current, before))
        d1, n0, d0 = now["d"].sum(), then["n"].sum(), then["d"].sum()
        if d1 == 0 or d0 == 0:
            return pd.DataFrame(columns=COLUMNS)
        r0 = n0 / d0
        contrib = scale * ((now["n"] - r0 * now["d"]) - (then["n"] - r0 * then["d"])) / d1
    total = contrib.sum()
    out = pd.DataFrame({
        "member": members, "before": prior.to_numpy(), "after": after.to_numpy(),
        "change": (after - prior).to_numpy(), "contribution": contrib.to_numpy(),
        "share_of_change": (contrib / total).to_numpy() if total else float("nan"),
    })
    return out.reindex(out["contribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)
