"""The campaigns table as shown and downloaded (ui/tables.py, pages/campaigns.py) on the hand-made week 2026-W45:
the CSV's columns and figures, the red cells, and the display currency."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from metrics.campaigns import TOTAL, performance
from metrics.periods import parse_period
from tests.conftest import page_app
from tests.fixtures import load_fixture, set_targets
from ui import tables

W45 = parse_period("2026-W45")
TODAY = date(2026, 11, 24)
RED = tables.MISS_STYLE


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    # Paid Search's own targets: ROAS 2.00 (it makes 140 / 90 = 1.56: 22 % short, off track) and CPA 40
    # (it pays 90 / 2 = 45: 12.5 % over, at risk)
    set_targets(engine, [("save.roas", "week", date(2026, 11, 2), "Paid Search", 2.0),
                         ("save.cpa", "week", date(2026, 11, 2), "Paid Search", 40.0)])
    return engine


@pytest.fixture
def frame(shop) -> pd.DataFrame:
    return performance(shop, W45, "channel", today=TODAY)


def test_the_csv_has_the_shown_columns_and_the_hand_worked_figures(frame):
    text = tables.csv_of(frame, "sales", "channel")
    assert text.splitlines()[0] == (
        "member,sessions,orders,orders_change,revenue,revenue_change,conversion_rate,cost,cost_change,cpa,roas,"
        "roas_change,cpc,new_customers,revenue_trend,roas_trend,flags")
    text_columns = {c: str for c in ("revenue_trend", "roas_trend", "flags")}
    rows = pd.read_csv(io.StringIO(text), dtype=text_columns).set_index("member")
    assert list(rows.index) == ["Organic Search", "Paid Search", "Paid Social", TOTAL]
    paid = rows.loc["Paid Search"]
    # sessions 100; orders o3, o4; revenue 120 - 20 + 40 = 140; cost 50 + 40 = 90 over 160 clicks
    assert (paid["sessions"], paid["orders"], paid["revenue"], paid["cost"]) == (100, 2, 140, 90)
    assert paid["cpa"] == pytest.approx(45.0) and paid["roas"] == pytest.approx(140 / 90)
    assert paid["cpc"] == pytest.approx(90 / 160) and paid["conversion_rate"] == pytest.approx(0.02)
    assert paid["flags"] == "ROAS 1.56× below target 2.00×; CPA $45.00 above target $40.00"
    # W44 has no orders and no ad cost: the change cells are empty, never 0 % or +100 %
    assert pd.isna(paid["revenue_change"]) and pd.isna(paid["cost_change"])
    # sparklines: 13 weeks W33..W45 oldest first, ';'-separated, unknown weeks empty
    assert rows.loc["Organic Search", "revenue_trend"] == ";" * 10 + "50;;140"  # o1 (W43) 50; o2 80 + o5 60
    assert rows.loc[TOTAL, "revenue_trend"].split(";")[-1] == "280"
    assert rows.loc["Paid Social", "flags"] == "cost new while revenue none"
    total = rows.loc[TOTAL]
    assert (total["sessions"], total["orders"], total["revenue"], total["cost"]) == (500, 4, 280, 120)
    assert total["roas"] == pytest.approx(280 / 120) and pd.isna(total["flags"])  # an empty cell


def test_red_cells_are_the_missed_targets_and_the_cost_without_revenue(frame):
    styles = tables.highlight(frame).set_index(frame["member"])
    red = {(member, col) for member, row in styles.iterrows() for col, style in row.items() if style == RED}
    assert red == {("Paid Search", "roas"), ("Paid Search", "cpa"), ("Paid Search", "flags"),
                   ("Paid Social", "cost"), ("Paid Social", "flags")}
    assert set(styles.loc[TOTAL]) == {tables.TOTAL_STYLE}  # the total row is bold, never red


def test_cells_read_as_the_cards_do_in_the_display_currency(frame, monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "EUR")
    html = tables.styled(frame, "sales", "channel").to_html()
    assert "€140.00" in html and "€45.00" in html and "1.56×" in html and "0.5%" in html  # Organic 2 / 400
    monkeypatch.setenv("KPI_CURRENCY", "JPY")
    assert "140.00 JPY" in tables.styled(frame, "sales", "channel").to_html()


def _red_cells(element) -> set[tuple[str, str]]:
    """(member, column) of the cells a page's table paints red, read from what the page sent to the browser."""
    styler = element.proto.arrow_data.styler
    shown = element.value
    red = set()
    for rule in re.finditer(r"([^{}]+)\{([^}]*)\}", styler.styles):
        if "rgba(232, 97, 90" not in rule[2]:
            continue
        for row, col in re.findall(r"_row(\d+)_col(\d+)", rule[1]):
            red.add((shown["member"].iloc[int(row)], shown.columns[int(col)]))
    return red


def _display(element) -> pd.DataFrame:
    """The cell texts the page sent to the browser."""
    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_all().to_pandas()


def test_the_campaigns_page_paints_the_same_cells_red(shop, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", str(shop.url))
    monkeypatch.setenv("KPI_CURRENCY", "EUR")
    app = page_app("campaigns", grain="week", period="2026-W45").run()
    assert not app.exception
    attention, channels = app.dataframe  # the Total row is part of the channels table
    assert list(channels.value["member"]) == ["Organic Search", "Paid Search", "Paid Social", TOTAL]  # by revenue
    assert _red_cells(channels) == {("Paid Search", "roas"), ("Paid Search", "cpa"), ("Paid Search", "flags"),
                                    ("Paid Social", "cost"), ("Paid Social", "flags")}
    assert _red_cells(attention) == {("brand", "roas"), ("brand", "cpa"), ("brand", "flags"),
                                     ("prospecting", "cost"), ("prospecting", "flags")}
    shown = _display(channels)
    paid = shown[shown["member"] == "Paid Search"].iloc[0]
    assert (paid["revenue"], paid["cost"], paid["cpa"], paid["roas"]) == ("€140.00", "€90.00", "€45.00", "1.56×")
    assert list(channels.value["flags"]) == ["", "ROAS · CPA", "cost↑", ""]  # short; the sentences above
    assert attention.value["flags"].iloc[0] == "ROAS 1.56× below target 2.00×; CPA €45.00 above target €40.00"
    total = shown.iloc[-1]
    assert (total["member"], total["revenue"], total["cost"], total["roas"]) == (TOTAL, "€280.00", "€120.00", "2.33×")
    assert app.get("download_button")[0].proto.label == "Download this table (CSV)"


def test_sorting_by_a_column_the_screen_leaves_out_shows_it(shop, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", str(shop.url))
    app = page_app("campaigns", grain="week", period="2026-W45", kpi="save.cpc").run()
    _, channels = app.dataframe
    assert list(channels.value["member"]) == ["Paid Social", "Paid Search", "Organic Search", TOTAL]
    assert list(channels.value.columns) == tables.display_columns("sales", "channel", "cpc")
    assert "cpc" in channels.value and "new_customers" not in channels.value


def test_the_screen_shows_a_compact_subset_the_csv_keeps_every_column():
    shown = tables.display_columns("sales", "channel")
    assert shown == ["member", "orders", "revenue", "revenue_change", "conversion_rate", "cost", "cpa", "roas",
                     "roas_change", "revenue_trend", "flags"]
    assert set(shown) < set(tables.shown_columns("sales", "channel"))
    # the sorted-by column comes in before the sparkline when the compact set leaves it out
    assert tables.display_columns("sales", "campaign", "new_customers")[-3:] == [
        "new_customers", "revenue_trend", "flags"]
    assert tables.display_columns("sales", "channel", "roas") == shown


# The grid of a wide page at 1440 x 900 with the sidebar open is 978 px wide inside (measured in chromium), of
# which the row selection boxes take 32 px; the browser test checks the real thing.
GRID_AT_1440 = 978 - 32


@pytest.mark.parametrize("column_set", ["sales", "traffic"])
def test_every_shown_column_has_a_fixed_width_that_adds_up_to_less_than_1440_px(column_set):
    config = tables.column_config(column_set, "campaign", "week")
    widest = 0
    for sort_column in [None, *tables.COLUMN_SETS[column_set]]:
        widths = [config[c]["width"] for c in tables.display_columns(column_set, "campaign", sort_column)]
        assert all(isinstance(w, int) for w in widths), widths
        widest = max(widest, sum(widths))
    assert widest <= GRID_AT_1440
    attention = tables.column_config("sales", "attention", "week")
    assert sum(attention[c]["width"] for c in ("member", "channel", "roas", "cpa", "cost", "revenue", "flags")) <= (
        GRID_AT_1440 - 34)  # inside the expander's padding


def test_short_flags_and_table_heights(frame):
    flags = dict(zip(frame["member"], tables.short_flags(frame)))
    assert flags == {"Organic Search": "", "Paid Search": "ROAS · CPA", "Paid Social": "cost↑", TOTAL: ""}
    assert tables.table_height(3, 8) == 4 * 35 + 3  # header and 3 rows
    assert tables.table_height(13, 8) == 9 * 35 + 3  # 8 rows shown, the rest scroll
