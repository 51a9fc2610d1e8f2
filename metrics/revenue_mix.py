"""New against returning revenue per period: the series the Sell and Serve pages chart.

A period's revenue splits into revenue from new customers' first orders (``sell.new_customer_revenue``) and the
rest, revenue from customers who had ordered before; ``returning_share`` is ``serve.returning_revenue_share``.
All three come from the same formulas over the orders rollup as the KPIs, so the chart and the cards agree.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from metrics.catalog import get_kpi
from metrics.engine import Filters, compute_expressions
from metrics.periods import Period, shift
from metrics.trends import data_start, mark_late_start
from warehouse.snapshot import in_snapshot

NEW, RETURNING, SHARE = "sell.new_customer_revenue", "returning_revenue", "serve.returning_revenue_share"
COLUMNS = ["period_start", "new_revenue", "returning_revenue", "revenue", "returning_share", "reason",
           "complete_through", "starts_late"]


def _expressions() -> dict[str, str]:
    """The formulas of the series: the two KPIs' and the returning part (revenue less the new customers')."""
    return {"revenue": get_kpi("sell.revenue").formula, NEW: get_kpi(NEW).formula,
            RETURNING: "revenue - new_customer_revenue", SHARE: get_kpi(SHARE).formula}


@in_snapshot
def new_and_returning(engine: Engine, last: Period, periods: int = 26, filters: Filters = Filters()) -> pd.DataFrame:
    """period_start, new_revenue, returning_revenue, revenue, returning_share, reason, complete_through, starts_late
    for the ``periods`` periods of ``last``'s grain ending with ``last`` (oldest first).

    ``reason`` and ``complete_through`` are revenue's (no data, or data ending inside the period); the share is
    null when the period's revenue is zero. The period that begins before the orders do has ``starts_late`` set
    (see :func:`metrics.trends.mark_late_start`).
    """
    first = shift(last, -(periods - 1))
    frame = compute_expressions(engine, _expressions(), first.start, last.end, last.grain, filters)
    wide = frame.pivot(index="period_start", columns="kpi_id", values="value")
    revenue = frame[frame["kpi_id"] == "revenue"].set_index("period_start")
    out = pd.DataFrame({
        "period_start": wide.index,
        "new_revenue": wide[NEW].to_numpy(),
        "returning_revenue": wide[RETURNING].to_numpy(),
        "revenue": wide["revenue"].to_numpy(),
        "returning_share": wide[SHARE].to_numpy(),
        "reason": revenue["reason"].reindex(wide.index).to_numpy(),
        "complete_through": revenue["complete_through"].reindex(wide.index).to_numpy(),
    })
    out = mark_late_start(out, last.grain, data_start(engine, "sell.revenue"))
    return out[COLUMNS].sort_values("period_start").reset_index(drop=True)
