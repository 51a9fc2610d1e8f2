"""Safe outputs: CSV cells a spreadsheet cannot run, and user text shown literally (app, charts, review HTML)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from connectors.files import import_file
from connectors.loader import load
from metrics.catalog import KPI_BY_ID
from metrics.periods import parse_period
from metrics.review import add_note
from metrics.targets import export_csv
from reports.csv_safe import TRIGGERS, safe_cell, safe_frame, safe_rows, to_csv
from reports.review_html import render
from tests.actors import ADMIN
from tests.conftest import ROOT, page_app
from tests.fixtures import load_fixture, set_targets
from ui import charts
from ui.safe_text import chart_text, md

NOTE = "Outage [x](javascript:alert(1)) and <img src=x onerror=alert(1)> **bold**"
FORMULA = '=HYPERLINK("http://x")'
BOLD = "<b>x</b>"


# --- the CSV neutraliser -------------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_each_trigger_character_gets_a_leading_quote(trigger):
    assert safe_cell(f"{trigger}cmd|' /C calc'!A0") == f"'{trigger}cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", ["=1+2", "-1+2", "+SUM(A1:A3)", "@SUM(A1)", "-", "=", "\t=1", "\r=1", "-2-3",
                                  "- 3", "-3 apples", "+49 30 1234", "-inf", "-nan", "-0x1A"])
def test_text_that_is_not_a_plain_number_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3.5, -3, 0, 12.0, float("nan"), None, "-3.5", "+12", "-1e3", "-.5", "3.",
                                   "brand_search", "", " =1", "a=b", "'=already", date(2026, 11, 2)])
def test_numbers_empty_cells_and_harmless_text_are_untouched(value):
    result = safe_cell(value)
    assert result is value or (result != result and value != value)  # the very object (NaN compares unequal)


def test_a_frame_keeps_numeric_columns_numeric_and_neutralises_text_columns():
    frame = pd.DataFrame({"campaign": [FORMULA, "@brand", "-3", None, "ok"], "cost": [-3.5, 2.0, None, 1.0, -0.25],
                          "orders": [-1, 2, 3, 4, 5]})
    safe = safe_frame(frame)
    assert safe["campaign"].tolist()[:3] + safe["campaign"].tolist()[4:] == ["'" + FORMULA, "'@brand", "-3", "ok"]
    assert pd.isna(safe["campaign"].iloc[3]) and safe["campaign"].dtype == frame["campaign"].dtype
    assert safe["cost"].dtype == frame["cost"].dtype and safe["orders"].dtype == frame["orders"].dtype
    assert safe["orders"].tolist() == [-1, 2, 3, 4, 5]
    assert frame["campaign"].iloc[0] == FORMULA  # the caller's frame is not changed
    lines = to_csv(frame).splitlines()
    assert lines[0] == "campaign,cost,orders"
    assert lines[1] == "\"'=HYPERLINK(\"\"http://x\"\")\",-3.5,-1"  # the number stays a number: no quote
    assert lines[3] == "-3,,3" and lines[4] == ",1.0,4"
    assert safe_rows([{"channel": "+x", "value": -2.0}]) == [{"channel": "'+x", "value": -2.0}]


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_targets_export_neutralises_channel_names(engine):
    set_targets(engine, [("sell.revenue", "week", date(2026, 11, 2), FORMULA, 900.0),
                         ("serve.nps", "week", date(2026, 11, 2), "@Email", -20.0)])
    rows = _csv(export_csv(engine))
    assert [(r["kpi_id"], r["channel"], r["target"]) for r in rows] == [
        ("sell.revenue", "'" + FORMULA, "900"), ("serve.nps", "'@Email", "-20")]  # -20 stays a number


def test_targets_export_then_import_keeps_the_channel(engine, tmp_path):
    from metrics.targets import import_csv, load_targets

    set_targets(engine, [("sell.revenue", "week", date(2026, 11, 2), "-Promo", 900.0)])
    path = tmp_path / "targets.csv"
    path.write_text(export_csv(engine), encoding="utf-8")
    assert "'-Promo" in path.read_text(encoding="utf-8")
    assert import_csv(engine, path, actor=ADMIN) == (0, 0, 1)  # the leading ' the export added is taken off again
    assert load_targets(engine)["channel"].tolist() == ["-Promo"]


def test_rejected_rows_are_neutralised_and_negative_numbers_kept(engine, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,ordered_at,customer_id,revenue,refunded,channel,campaign\n"
                    "A-1,2026-11-02 10:00,c1,100,0,Email,spring\n"
                    f"A-2,31/02/2026,@c2,-12.50,0,+Email,\"{FORMULA.replace(chr(34), chr(34) * 2)}\"\n",
                    encoding="utf-8")
    result = import_file(engine, "orders", path, skip_invalid=True, actor=ADMIN)
    assert (result.inserted, result.rejected) == (1, 1)
    rows = _csv((tmp_path / "orders.rejected.csv").read_text(encoding="utf-8-sig"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["line"], row["order_id"], row["customer_id"], row["revenue"]) == ("3", "A-2", "'@c2", "-12.50")
    assert (row["channel"], row["campaign"]) == ("'+Email", "'" + FORMULA)
    assert "ordered_at" in row["problems"]


def test_report_csv_keeps_negative_numbers_and_has_no_live_formula(engine):
    load_fixture(engine)
    env = {**os.environ, "KPI_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    run = [sys.executable, "cli.py", "report", "--period", "2026-10-26..2026-11-08", "--format"]  # NPS 100 -> 40
    out = subprocess.run([*run, "csv"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    doc = subprocess.run([*run, "json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and doc.returncode == 0, out.stderr + doc.stderr
    rows = {r["id"]: r for r in _csv(out.stdout)}
    expected = {k["id"]: k for k in json.loads(doc.stdout)["kpis"]}
    negative = [i for i, k in expected.items() if (k["change_pct"] or 0) < 0]
    assert negative == ["serve.nps"] and rows["serve.nps"]["change_pct"] == "-0.6"
    for kpi_id in negative:
        assert float(rows[kpi_id]["change_pct"]) == pytest.approx(expected[kpi_id]["change_pct"])
        assert not rows[kpi_id]["change_pct"].startswith("'")
    cells = [c for r in rows.values() for c in r.values()]
    assert all(safe_cell(c) == c for c in cells)  # nothing a spreadsheet would run


def test_the_campaigns_table_csv_neutralises_campaign_names():
    from ui.tables import csv_of

    frame = pd.DataFrame({"member": [FORMULA, "Total"], "revenue": [-5.0, 10.0], "revenue_change": [-0.5, 0.1]})
    rows = _csv(csv_of(frame, "sales", "campaign"))
    assert (rows[0]["member"], rows[0]["revenue"], rows[0]["revenue_change"]) == ("'" + FORMULA, "-5.0", "-0.5")


# --- user text shown literally ------------------------------------------------------------------------------

RENDERER = MarkdownIt("gfm-like")  # CommonMark + GitHub tables, strikethrough and autolinks, as Streamlit renders


def _plain(html_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).strip()


@pytest.mark.parametrize("text", [NOTE, FORMULA, BOLD, "![x](http://x/a.png)", "www.example.com", "a@b.co",
                                  "# heading", "1. first", "- item", "> quote", ":red[alarm] $x^2$", "a | b\n--|--",
                                  "&lt;b&gt;", "`code`", "~~gone~~", "_it_ \\*", "line\n===", "<https://x>",
                                  "__init__ and a_b_", "tiktok_broad_prospecting"])
def test_markdown_escaping_shows_the_text_as_typed(text):
    rendered = RENDERER.render(md(text))
    for tag in ("<a", "<img", "<b>", "<strong", "<em", "<h1", "<ol", "<ul", "<blockquote", "<table", "<code",
                "<s>", "<del"):
        assert tag not in rendered, (text, rendered)
    assert _plain(rendered).replace("\n", " ") == text.replace("\n", " ")


def test_names_in_snake_case_are_left_as_they_are():  # an '_' inside a word starts no emphasis
    assert md("tiktok_broad_prospecting") == "tiktok_broad_prospecting" and md("_x_") == "\\_x\\_"


def test_unescaped_these_would_be_links_and_images():  # the escaping above is what keeps them out
    assert '<a href="' in RENDERER.render("[x](http://x)") and "<img" in RENDERER.render("![x](http://x/a.png)")
    assert "<a" in RENDERER.render(FORMULA)  # a GitHub autolink


def test_chart_text_escapes_html_in_note_hovers_titles_and_trace_names():
    kpi = KPI_BY_ID["sell.revenue"]
    frame = pd.DataFrame({"period_start": [date(2026, 11, 2)], "value": [10.0]})
    figure = charts.trend_chart(kpi, frame, f"Revenue · {BOLD}")
    charts.add_notes(figure, pd.DataFrame({"week_start": [date(2026, 11, 2)] * 2, "text": [NOTE, BOLD]}), kpi)
    assert figure.layout.title.text == "Revenue · &lt;b&gt;x&lt;/b&gt;"
    hover = figure.data[-1].customdata[0]
    assert hover == chart_text(NOTE) + "<br>" + "&lt;b&gt;x&lt;/b&gt;"  # our line break stays a line break
    assert "<img" not in hover and "&lt;img src=x onerror=alert(1)&gt;" in hover
    parts = pd.DataFrame({"period_start": [date(2026, 11, 2)], "campaign": [BOLD], "value": [1.0]})
    bars = charts.breakdown_chart(kpi, parts, "campaign")
    assert bars.data[0].name == "&lt;b&gt;x&lt;/b&gt;" and BOLD not in bars.data[0].hovertemplate


def test_the_exported_review_escapes_notes_actions_and_channel_names(engine):
    from metrics.review import add_action

    load_fixture(engine)
    load(engine, "orders", pd.DataFrame([("o9", datetime(2026, 10, 27, 9), "c9", 500.0, 0.0, BOLD, "spring")],
                                        columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded",
                                                 "channel", "campaign"]), source="test")
    set_targets(engine, [("sell.revenue", "week", date(2026, 11, 2), "", 900.0)])  # off track: a chart is drawn
    week = parse_period("2026-W45")
    add_note(engine, "sell.revenue", week.start, NOTE, author=FORMULA, actor=ADMIN)
    add_action(engine, "<img src=x onerror=alert(2)>", BOLD, week.start, date(2026, 11, 20), "sell.revenue",
            actor=ADMIN)
    page = render(engine, week, today=date(2026, 11, 30))
    assert "<img src=x" not in page and "<b>x</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the note, in the notes table
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and "<td>&lt;b&gt;x&lt;/b&gt;</td>" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page  # the channel that moved revenue, in the movers table
    assert "javascript:alert(1)" in page and 'href="javascript' not in page


def test_the_app_shows_user_text_literally(engine, monkeypatch):
    load_fixture(engine)
    rows = [("o9", datetime(2026, 11, 3, 9), "c9", 70.0, 0.0, "Paid Search", FORMULA),
            ("o10", datetime(2026, 11, 4, 9), "c9", 30.0, 0.0, "Paid Search", BOLD)]
    load(engine, "orders", pd.DataFrame(rows, columns=["order_id", "ordered_at", "customer_id", "revenue",
                                                       "refunded", "channel", "campaign"]), source="test")
    add_note(engine, "sell.revenue", date(2026, 11, 2), NOTE, actor=ADMIN)
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    review = page_app("weekly_review", period="2026-W45").run()
    assert not review.exception
    assert [n for df in review.dataframe for n in df.value.get("text", [])] == [NOTE]  # a grid cell: as typed

    app = page_app("campaigns", period="2026-W45", grain="week", channel="Paid Search", campaign=BOLD).run()
    assert not app.exception
    markdown = [e.value for e in (*app.markdown, *app.caption, *app.subheader, *app.info, *app.title)]
    markdown += [b.label for b in app.button]
    for body in markdown:
        rendered = RENDERER.render(body)
        assert "<b>" not in rendered and "<a" not in rendered and "<img" not in rendered, body
    assert md(BOLD) in [b.label for b in app.button]  # the breadcrumb: the campaign's name, escaped
    assert any(f"Paid Search › {md(BOLD)}" in s.value for s in app.subheader)
