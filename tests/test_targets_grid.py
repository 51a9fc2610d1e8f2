"""The Targets grid shows targets as the cards do (2.64%, $1,505,000) and reads them back typed that way; the
stored value keeps its unit (a fraction, an amount) and the CSV import/export is unchanged."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.catalog import KPIS
from metrics.periods import parse_period
from metrics.target_text import TargetTextError, format_target, parse_target
from metrics.targets import export_csv, grid_edits, load_targets, period_targets, save_period_targets
from tests.actors import ADMIN
from tests.conftest import page_app
from tests.fixtures import load_fixture, set_targets

ROW = {k.id: i for i, k in enumerate(KPIS)}  # the grid has one row per KPI, in catalog order


@pytest.mark.parametrize(("unit", "stored", "shown"), [
    ("percent", 0.0264, "2.64%"),
    ("percent", 0.35, "35%"),
    ("percent", 0.3333, "33.33%"),
    ("currency", 1505000.0, "$1,505,000"),  # whole amounts from 1,000 up, as the cards
    ("currency", 74.52, "$74.52"),
    ("currency", 70.0, "$70.00"),  # cents below 1,000, as the cards
    ("count", 1200.0, "1,200"),
    ("count", 21097.5, "21,097.5"),
    ("score", 30.0, "+30"),
    ("score", -5.0, "-5"),
    ("minutes", 90.0, "90 min"),
    ("seconds", 45.0, "45 s"),
    ("ratio", 4.51, "4.51×"),
])
def test_a_target_is_shown_as_the_cards_show_it_and_reads_back_to_the_same_value(unit, stored, shown):
    assert format_target(stored, unit) == shown
    assert parse_target(shown, unit) == stored


@pytest.mark.parametrize(("unit", "stored", "shown"), [
    ("percent", 0.1234567, "12.35%"), ("currency", 1497277.225, "$1,497,277"), ("currency", 74.5179, "$74.52"),
    ("minutes", 87.885, "87.89 min"), ("score", 30.0218, "+30.02"), ("percent", 0.0, "0%"), ("count", None, ""),
])
def test_more_decimals_than_the_cards_show_are_rounded_for_display(unit, stored, shown):
    assert format_target(stored, unit) == shown  # the grid keeps the stored value while its text is unchanged


@pytest.mark.parametrize(("unit", "typed", "stored"), [
    ("percent", "2.64 %", 0.0264), ("percent", " 2.64% ", 0.0264), ("percent", "2.64\u00a0%", 0.0264),
    ("percent", "0.5%", 0.005), ("percent", "100%", 1.0),
    ("currency", "1505000", 1505000.0), ("currency", "1,505,000", 1505000.0), ("currency", "$ 1,505,000", 1505000.0),
    ("currency", "1505000 USD", 1505000.0), ("currency", "usd 12.5", 12.5),
    ("count", "1,200", 1200.0), ("score", "30", 30.0), ("minutes", "90min", 90.0), ("ratio", "4.5x", 4.5),
    ("count", "", None), ("count", None, None),
    ("percent", 0.025, 0.025),  # a number, not text: already the stored value (a fraction)
])
def test_targets_typed_the_usual_ways_are_read(unit, typed, stored):
    assert parse_target(typed, unit) == stored


@pytest.mark.parametrize(("unit", "typed", "message"), [
    ("percent", "35", "'35' has no % sign: type 35%"),
    ("percent", "0.35", "'0.35' has no % sign: type 35% (the fraction 0.35) or 0.35%"),
    ("percent", "2,64%", "'2,64%' is not a percentage such as 2.64%"),  # a comma only groups thousands
    ("percent", "120%", "'120%' is above 100%"),
    ("currency", "€5", "'€5' is not an amount such as $1,505,000"),  # the warehouse currency is USD
    ("currency", "1.505.000", "'1.505.000' is not an amount such as $1,505,000"),
    ("currency", "-$5", "'-$5' is negative; a target cannot be below 0"),
    ("count", "lots", "'lots' is not a number"),
    ("score", "+130", "'+130' is outside the score's range, -100 to +100"),
    ("minutes", "1h", "'1h' is not a number of minutes such as 90 or 90 min"),
])
def test_anything_else_is_refused_saying_what_was_expected(unit, typed, message):
    with pytest.raises(TargetTextError) as refused:
        parse_target(typed, unit)
    assert str(refused.value) == message


def test_other_currencies_are_shown_and_read_in_their_own_symbol_or_code(monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "EUR")
    assert format_target(1505000.0, "currency") == "€1,505,000" and parse_target("€1,505,000", "currency") == 1505000
    monkeypatch.setenv("KPI_CURRENCY", "SEK")
    assert format_target(1505000.0, "currency") == "1,505,000 SEK"
    assert parse_target("1,505,000 SEK", "currency") == parse_target("1505000", "currency") == 1505000.0
    with pytest.raises(TargetTextError, match="not an amount such as 1,505,000 SEK"):
        parse_target("$5", "currency")


def test_grid_edits_read_text_cells_and_leave_unchanged_text_alone(engine):
    week = parse_period("2026-W46")
    save_period_targets(engine, week, "", [("sell.revenue", None, 1505000.0),
                                           ("sell.conversion_rate", None, 0.1234567)], actor=ADMIN)  # shown as 12.35%
    grid = period_targets(engine, week)
    shown = pd.DataFrame({"kpi_id": grid["kpi_id"],
                          "target": [format_target(v, u) for v, u in zip(grid["target"], grid["unit"])]})
    assert shown.at[ROW["sell.revenue"], "target"] == "$1,505,000"
    assert grid_edits(grid, shown) == ([], [])  # the rounded text as loaded is the value as loaded
    shown.loc[ROW["sell.aov"], "target"] = "$74.50"
    shown.loc[ROW["sell.orders"], "target"] = "1,200"
    shown.loc[ROW["sell.conversion_rate"], "target"] = "2.5 %"
    shown.loc[ROW["sell.revenue"], "target"] = ""  # cleared: the implied target applies
    assert grid_edits(grid, shown, "target for 2026-W46") == ([
        ("sell.revenue", 1505000.0, None), ("sell.orders", None, 1200.0), ("sell.conversion_rate", 0.1234567, 0.025),
        ("sell.aov", None, 74.5)], [])
    shown.loc[ROW["sell.orders"], "target"] = "1200 orders"
    shown.loc[ROW["sell.aov"], "target"] = "74,50"
    edits, problems = grid_edits(grid, shown, "target for 2026-W46")
    assert problems == ["Orders: target for 2026-W46 '1200 orders' is not a number",
                        "Average order value: target for 2026-W46 '74,50' is not an amount such as $1,505,000"]
    assert [e[0] for e in edits] == ["sell.revenue", "sell.conversion_rate"]


@pytest.fixture
def targets_page(engine, monkeypatch):
    load_fixture(engine)
    set_targets(engine, [("sell.revenue", "week", date(2026, 11, 2), "", 1505000.0)])
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _edit(app, rows: dict[int, str]):
    app.session_state["targets-2026-W45-"] = {"edited_rows": {r: {"target": v} for r, v in rows.items()},
                                              "added_rows": [], "deleted_rows": []}
    return app.run()


def _save_button(app):
    return next(b for b in app.button if b.label.startswith("Save"))


def test_a_percentage_typed_as_2_5_percent_is_stored_as_a_fraction(targets_page):
    page = page_app("targets", grain="week", period="2026-W45").run()
    shown = page.data_editor[0].value.set_index("kpi_id")["target"]
    assert shown["sell.revenue"] == "$1,505,000" and shown["sell.conversion_rate"] in ("", None)
    _edit(page, {ROW["sell.conversion_rate"]: "2.5%"})
    assert not page.error and _save_button(page).label == "Save 1 change"
    _save_button(page).click().run()
    assert not page.exception and not page.error
    stored = load_targets(targets_page).set_index("kpi_id")["value"]
    assert stored["sell.conversion_rate"] == 0.025 and stored["sell.revenue"] == 1505000.0
    reloaded = page_app("targets", grain="week", period="2026-W45").run()
    assert reloaded.data_editor[0].value.set_index("kpi_id")["target"]["sell.conversion_rate"] == "2.5%"
    # the CSV contract is unchanged: fractions and plain amounts, never '2.5%' or '$1,505,000'
    assert export_csv(targets_page).splitlines()[1:] == ["sell.conversion_rate,week,2026-W45,,0.025",
                                                         "sell.revenue,week,2026-W45,,1505000"]


def test_a_value_that_is_not_of_its_unit_is_refused_naming_the_row_and_column(targets_page):
    page = page_app("targets", grain="week", period="2026-W45").run()
    _edit(page, {ROW["sell.revenue"]: "1.505.000", ROW["sell.conversion_rate"]: "2.5%"})
    assert [e.value for e in page.error] == [
        r"Revenue: target for 2026-W45 '1.505.000' is not an amount such as \$1,505,000"]  # '$' escaped: no LaTeX
    assert _save_button(page).disabled  # nothing is saved while a cell is wrong
    assert load_targets(targets_page).set_index("kpi_id")["value"].to_dict() == {"sell.revenue": 1505000.0}


def test_the_csv_export_keeps_every_digit_and_re_imports_unchanged(engine, tmp_path):
    from metrics.targets import import_csv

    set_targets(engine, [("sell.revenue", "quarter", date(2026, 10, 1), "", 1505001.0),
                         ("sell.conversion_rate", "quarter", date(2026, 10, 1), "", 0.0264)])
    exported = export_csv(engine)
    # was '1.505e+06' (six significant digits: a re-import would have changed the target by $1)
    assert exported.splitlines() == ["kpi_id,grain,period,channel,target",
                                     "sell.conversion_rate,quarter,2026-Q4,,0.0264",
                                     "sell.revenue,quarter,2026-Q4,,1505001"]
    path = tmp_path / "targets.csv"
    path.write_text(exported, encoding="utf-8")
    assert tuple(import_csv(engine, path, actor=ADMIN)) == (0, 0, 2)  # nothing new, nothing changed
    assert load_targets(engine).set_index("kpi_id")["value"]["sell.revenue"] == 1505001.0


def test_a_target_typed_in_persian_or_arabic_digits_is_read():
    # A Persian keyboard types ۱۲٫۵٪ (12.5 %: ٫ is the decimal separator), an Arabic one ٢٬٥٠٠ (٬ groups thousands);
    # a minus copied from a Persian page is a left-to-right mark and U+2212.
    assert parse_target("۱۲٫۵٪", "percent") == 0.125
    assert parse_target("٢٬٥٠٠", "count") == 2500.0
    assert parse_target("\u200e\u2212۳", "score") == -3.0
