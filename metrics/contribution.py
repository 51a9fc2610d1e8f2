"""Which channels moved a KPI: each channel's contribution to the change between two periods, split into
the channel's own rate change and its mix change.

Contributions add up exactly to the KPI's total change. For additive KPIs a channel's contribution is its own
change (all of it ``rate_effect``; ``mix_effect`` is 0). For a ratio R = N / D = sum(N_i) / sum(D_i) (times a
scale), with R0 the previous overall ratio, channel i contributes

    contribution_i = ((N_i1 - R0 D_i1) - (N_i0 - R0 D_i0)) / D_1

(its extra numerator beyond what the old overall rate predicts for its volume, so a channel that did not change
contributes nothing), and this splits exactly into

    rate_effect_i = (D_i1 / D_1) (r_i1 - r_i0)          its own rate r_i = N_i / D_i moving, at this period's weight
    mix_effect_i  = (r_i0 - R0) (D_i1 - D_i0) / D_1     its volume moving, valued at its old rate's gap to R0

This is the residual-free two-factor rate-and-mix (shift-share) decomposition with the rate effect weighted by
the current period (Paasche) and the mix effect valued at the base period's rates (Laspeyres), as in
standard-cost variance analysis (a price variance at actual quantity plus a mix variance at standard price);
see E. M. Kitagawa, "Components of a difference between two rates", JASA 50 (1955) 1168-1194, for the family
of rate/composition decompositions. A channel without a value of its own in both periods (its denominator is
zero, or its source has no rows for it: "—" on the page) has no rate to change: all of its contribution is mix
(``own_value`` False, ``rate_effect`` 0).
"""

from __future__ import annotations

import ast

import pandas as pd
from sqlalchemy import Engine

from i18n import N_
from metrics import formula as formulas
from metrics.catalog import KPI, MEASURES, get_kpi, measure_label
from metrics.engine import Filters, compute, compute_expressions, is_unknown
from metrics.periods import Period

# the CSV download's columns: extend at the end, never rename
COLUMNS = ["member", "before", "after", "change", "contribution", "share_of_change", "rate_effect", "mix_effect",
           "own_value"]
DECOMPOSITION = N_("rate-and-mix (shift-share) split: rate effect at this period's volume weights, mix effect at "
                 "last period's rates (Kitagawa 1955)")  # shown with _()


def ratio_parts(formula: str) -> tuple[str, str | None, float]:
    """(numerator, denominator or None, scale) of ``formula``: 'a / b * 100' -> ('a', 'b', 100)."""
    node, scale = formulas.parse(formula), 1.0
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and isinstance(node.right, ast.Constant):
        node, scale = node.left, float(node.right.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return ast.unparse(node.left), ast.unparse(node.right), scale
    return ast.unparse(node), None, scale


def is_ratio(kpi: KPI) -> bool:
    """True when ``kpi`` is a ratio of sums, whose change has a mix part."""
    return ratio_parts(kpi.formula)[1] is not None


def volume_label(kpi: KPI) -> str:
    """What a ratio KPI's mix is a mix of, e.g. 'new customers' for CAC (ad cost / new customers), in the reader's
    language."""
    denominator = ratio_parts(kpi.formula)[1] or ""
    measure = MEASURES.get(denominator)
    return measure_label(measure) if measure else denominator


def rate_and_mix(n0: pd.Series, d0: pd.Series, n1: pd.Series, d1: pd.Series, before: pd.Series,
                 after: pd.Series, scale: float = 1.0) -> pd.DataFrame:
    """contribution, rate_effect, mix_effect and own_value per member of a ratio sum(n) / sum(d) * scale.

    ``n0, d0`` (``n1, d1``) are each member's numerator and denominator in the previous (current) period, 0 when
    it has none; ``before``/``after`` its own KPI value (NaN when it has none). See the module docstring."""
    total_d1, total_n0, total_d0 = d1.sum(), n0.sum(), d0.sum()
    r0 = total_n0 / total_d0
    contribution = scale * ((n1 - r0 * d1) - (n0 - r0 * d0)) / total_d1
    own = before.notna() & after.notna()
    rate = (d1 / total_d1 * (after - before)).where(own, 0.0)
    return pd.DataFrame({"contribution": contribution, "rate_effect": rate, "mix_effect": contribution - rate,
                         "own_value": own})


def _by_member(engine: Engine, expressions: dict, period: Period, filters: Filters, dimension: str) -> pd.DataFrame:
    frame = compute_expressions(engine, expressions, period.start, period.end, "custom", filters, dimension)
    wide = frame.pivot_table(index=dimension, columns="kpi_id", values="value", aggfunc="first")
    return wide.reindex(columns=list(expressions))  # a part with no value anywhere (no rows) is still a column


def contribution(engine: Engine, kpi_id: str, current: Period, before: Period, filters: Filters = Filters(),
                 dimension: str = "channel") -> pd.DataFrame:
    """One row per channel (or campaign): KPI before and after, its change, its contribution to the total
    change and that contribution's rate and mix parts (sorted by absolute contribution). Empty when the KPI
    cannot be broken down, or when a member's figure is unknown in either period (rows lacking a measure)."""
    kpi = get_kpi(kpi_id)
    if dimension not in kpi.breakdowns:
        return pd.DataFrame(columns=COLUMNS)
    numerator, denominator, scale = ratio_parts(kpi.formula)
    frames = {p: compute(engine, [kpi_id], p.start, p.end, "custom", filters, dimension).set_index(dimension)
              for p in (current, before)}
    if any(f["reason"].map(is_unknown).any() for f in frames.values()):
        return pd.DataFrame(columns=COLUMNS)  # a member's figure is unknown (not zero): no split adds up
    values = {p: f["value"] for p, f in frames.items()}
    members = sorted(set(values[current].index) | set(values[before].index))
    after, prior = values[current].reindex(members), values[before].reindex(members)
    if denominator is None:
        contrib = after.fillna(0) - prior.fillna(0)
        parts = pd.DataFrame({"contribution": contrib, "rate_effect": contrib, "mix_effect": 0.0,
                              "own_value": prior.notna() & after.notna()})
    else:
        expressions = {"n": numerator, "d": denominator}
        now, then = (_by_member(engine, expressions, p, filters, dimension).reindex(members).fillna(0)
                     for p in (current, before))
        if now["d"].sum() == 0 or then["d"].sum() == 0:
            return pd.DataFrame(columns=COLUMNS)
        parts = rate_and_mix(then["n"], then["d"], now["n"], now["d"], prior, after, scale)
    contrib = parts["contribution"]
    total = contrib.sum()
    out = pd.DataFrame({
        "member": members, "before": prior.to_numpy(), "after": after.to_numpy(),
        "change": (after - prior).to_numpy(), "contribution": contrib.to_numpy(),
        "share_of_change": (contrib / total).to_numpy() if total else float("nan"),
        "rate_effect": parts["rate_effect"].to_numpy(dtype=float),
        "mix_effect": parts["mix_effect"].to_numpy(dtype=float), "own_value": parts["own_value"].to_numpy(dtype=bool),
    })
    return out.reindex(out["contribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)
