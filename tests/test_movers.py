"""The "channels that moved it" table: own rate and mix shown for ratios, "mix only" named, a caption that says
what a contribution is (drawn by the real Streamlit AppTest)."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from metrics.catalog import KPI_BY_ID
from metrics.contribution import COLUMNS
from ui.movers import movers_caption, movers_frame

# the CPA example of tests/test_contribution.py (W45 -> W46): contributions -11.20, +2.20, +1.00
CPA = pd.DataFrame([
    ("Email", float("nan"), float("nan"), float("nan"), -11.2, 1.4, 0.0, -11.2, False),
    ("Paid Search", 25.0, 30.0, 5.0, 2.2, -0.275, 2.5, -0.3, True),
    ("Paid Social", float("nan"), float("nan"), float("nan"), 1.0, -0.125, 0.0, 1.0, False),
], columns=COLUMNS)


def test_ratio_rows_show_own_rate_and_mix_and_name_mix_only():
    table = movers_frame(CPA, KPI_BY_ID["save.cpa"])
    assert list(table.columns) == ["channel", "last week", "this week", "contribution", "own rate", "mix",
                                   "share of change"]
    email, search, social = table.to_dict("records")
    assert (email["last week"], email["contribution"], email["own rate"], email["mix"]) == (
        "—", "-$11.20", "—", "-$11.20 (mix only)")
    assert (search["contribution"], search["own rate"], search["mix"]) == ("+$2.20", "+$2.50", "-$0.30")
    assert social["mix"] == "+$1.00 (mix only)" and social["share of change"] == "-12%"


def test_a_sum_has_no_mix_columns():
    revenue = CPA.assign(rate_effect=CPA["contribution"], mix_effect=0.0, own_value=True)
    table = movers_frame(revenue, KPI_BY_ID["sell.revenue"])
    assert "own rate" not in table and "mix" not in table
    assert "own change in Revenue" in movers_caption(KPI_BY_ID["sell.revenue"])


def test_caption_is_one_sentence_naming_the_mix():
    caption = movers_caption(KPI_BY_ID["save.cac"])
    assert caption.count(". ") == 0 and caption.endswith(".")
    assert "share of new customers moving (mix)" in caption and '"mix only"' in caption


def _draw(movers, kpi_id):  # no annotations: AppTest runs this function's source on its own
    from metrics.catalog import KPI_BY_ID
    from ui.movers import movers_table

    movers_table(movers, KPI_BY_ID[kpi_id], "movers.csv", "csv")


def test_movers_table_draws_caption_table_and_download():
    app = AppTest.from_function(_draw, args=(CPA, "save.cpa")).run()
    assert not app.exception
    assert app.caption[0].value == movers_caption(KPI_BY_ID["save.cpa"])
    shown = app.dataframe[0].value
    assert shown["mix"].tolist() == ["-$11.20 (mix only)", "-$0.30", "+$1.00 (mix only)"]
    app = AppTest.from_function(_draw, args=(CPA.assign(mix_effect=0.0), "sell.revenue")).run()
    assert not app.exception and "mix" not in app.dataframe[0].value
