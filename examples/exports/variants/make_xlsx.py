"""Write meta_ads_manager.xlsx: the same rows as meta_ads_manager.csv, as Ads Manager's "Export table data → .xlsx".

Numbers are number cells; dates and the empty markers (blank, ``-``) stay as Ads Manager writes them.
Run from the repository root: ``python examples/exports/variants/make_xlsx.py``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cell(text: str) -> str | int | float | None:
    """A CSV cell as the workbook holds it: a number cell for a number, nothing for an empty cell, else text."""
    if text == "":
        return None
    if NUMBER.fullmatch(text) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return float(text) if "." in text else int(text)
    return text


def main() -> None:
    with (HERE.parent / "meta_ads_manager.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    book = Workbook()
    sheet = book.active
    sheet.title = "Raw Data Report"
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([cell(c) for c in row])
    book.save(HERE / "meta_ads_manager.xlsx")


if __name__ == "__main__":
    main()
