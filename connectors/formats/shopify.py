"""Shopify: the orders export (Orders → Export → CSV for Excel, Numbers, or other spreadsheet programs).

Shopify writes one row per line item. An order's first row carries its totals (``Financial Status``, ``Subtotal``,
``Total``, ``Cancelled at``, ``Payment Method``, ``Refunded Amount`` …); the rows below it with the same ``Name`` are
its other line items and leave those cells empty. They merge into the order (a cell the first row leaves empty is
taken from the order's first row that has it) and are never an error. A row without totals whose ``Name`` matches
no order above it belongs to nothing: the file is refused.

One order per ``Name`` (e.g. ``#1001``): ``Created at`` (the local time; the offset is dropped), ``Email`` (an order
without an e-mail is its own customer, ``order:#1001``), revenue = ``Subtotal`` (line items after discounts, before
shipping and taxes), refunded = ``Refunded Amount``. Skipped and counted: test orders (paid with
``(for testing) Bogus Gateway``), cancelled orders (``Cancelled at`` set), voided orders (``Financial Status`` voided).
The export has no marketing channel: orders stay ``(unattributed)`` until GA4 attribution fills it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from connectors.formats.base import ExportFormat, Prepared, Section, problem, refuse

TOTALS = ("Financial Status", "Subtotal", "Total")  # cells only an order's first row fills
TEST_GATEWAY = "bogus gateway"  # "(for testing) Bogus Gateway", alone or with another method ("… + …")


def _text(section: Section, name: str) -> pd.Series:
    column = section.column(name)
    return column if column is not None else pd.Series("", index=section.rows.index, dtype=object)


def _orders_of_rows(section: Section, fmt: ExportFormat, names: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(position of each row's order's first row, the first rows' positions); refuses rows that continue nothing."""
    first = np.zeros(len(names), dtype=bool)
    for column in TOTALS:
        first |= (_text(section, column) != "").to_numpy()
    position = pd.Series(np.where(first, np.arange(len(names)), np.nan), index=names.index)
    owner = position.groupby(names.to_numpy()).ffill()  # the latest first row above with the same Name
    orphans = np.flatnonzero(~first & (owner.isna() | (names == "")).to_numpy())
    if len(orphans):
        at = section.position(("Name",))
        raise refuse(section, fmt, [problem(
            section, i, at, "the Name of an order on a line above: this row has no order totals (Financial Status, "
            "Subtotal), so it is a further line item of an order, and no order above it has this Name")
            for i in orphans])
    return owner.to_numpy(), np.flatnonzero(first)


def _prepare(section: Section, fmt: ExportFormat) -> Prepared:
    names = _text(section, "Name")
    owner, firsts = _orders_of_rows(section, fmt, names)

    def merged(column: str) -> pd.Series:
        """Per order (in file order), the first non-empty cell of ``column`` among its rows."""
        text = _text(section, column)
        values = text.where(text != "").groupby(owner).first()
        return values.reindex(firsts).fillna("").reset_index(drop=True)

    order = names.iloc[firsts].reset_index(drop=True)
    email = merged("Email")
    test = merged("Payment Method").str.lower().str.contains(TEST_GATEWAY, regex=False)
    cancelled = (merged("Cancelled at") != "") & ~test
    voided = (merged("Financial Status").str.lower() == "voided") & ~test & ~cancelled
    keep = ~(test | cancelled | voided).to_numpy()
    frame = pd.DataFrame({
        "order_id": order,
        "ordered_at": merged("Created at"),
        "customer_id": email.where(email != "", "order:" + order),
        "revenue": merged("Subtotal"),
        "refunded": merged("Refunded Amount"),
    }, dtype=object)[keep].reset_index(drop=True)
    header = {"order_id": "Name", "ordered_at": "Created at", "customer_id": "Email", "revenue": "Subtotal",
              "refunded": "Refunded Amount"}
    return Prepared(frame, np.asarray(section.lines[firsts][keep], dtype=np.int64), header,
                    skipped={"test orders": int(test.sum()), "cancelled": int(cancelled.sum()),
                             "voided": int(voided.sum())})


ORDERS = ExportFormat(
    name="Shopify orders export",
    tool="Shopify",
    kind="orders",
    recognise=("Name", "Email", "Financial Status", "Lineitem name"),
    columns={
        "order_id": ("Name",),
        "ordered_at": ("Created at",),
        "customer_id": ("Email",),
        "revenue": ("Subtotal",),
        "refunded": ("Refunded Amount",),
    },
    prepare=_prepare,
    noun="orders",
    download="Orders → Export → “All orders” (or a date range) as “CSV for Excel, Numbers, or other spreadsheet "
             "programs”; one row per line item, read: Name, Email, Created at, Subtotal, Refunded Amount, "
             "Financial Status, Cancelled at, Payment Method.",
    example="examples/exports/shopify_orders.csv",
    skips="Test orders (paid with “(for testing) Bogus Gateway”), cancelled orders (Cancelled at set) and voided "
          "orders (Financial Status voided): none is a sale. A line item's further rows merge into their order.",
)

FORMATS = [ORDERS]
