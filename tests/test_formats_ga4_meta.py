"""The GA4 report download and the Meta Ads Manager export, recognised as downloaded (connectors/formats).

The example week is 2026-W46 (Mon 9 – Sun 15 Nov 2026), built so that every figure is worked out by hand:

GA4 (examples/exports/ga4_traffic_acquisition.csv): per channel, day d = 0 (Mon) … 6 (Sun) has
sessions S + 10d, engaged sessions E + 5d, new users N + 2d and an average engagement time per session A:

    channel          S    E    N    A
    Organic Search  400  260  180  45
    Paid Search     150  100   70  40
    Paid Social     120   60   80  20
    Email            60   45   10  60
    Direct          200  120   50  50
    Referral         40   25   15  32.5

so a channel's week is 7S + 10·(0+…+6) = 7S + 210 sessions, 7E + 105 engaged, 7N + 42 new users.
Meta (examples/exports/meta_ads_manager.csv/.xlsx): five ads, each day d spending A + d, with I + 100d impressions
and K + d link clicks, except "Static - 20% off" on Sunday, whose Link clicks cell is "-" (empty):

    campaign                    ad set                      ad                    A      I     K
    Autumn Sale - Prospecting   Broad 25-54                 Video - Boots         20.50  3000  30
    Autumn Sale - Prospecting   Broad 25-54                 Carousel - Knitwear   15.25  2500  20
    Autumn Sale - Prospecting   Lookalike 1% - Purchasers   Carousel - Knitwear   12.00  1800  18
    Autumn Sale - Retargeting   Site visitors 30 days       Catalogue - Dynamic    8.40   900  25
    Autumn Sale - Retargeting   Site visitors 30 days       Static - 20% off       4.10   600   6
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import cli
from connectors.files import import_file
from connectors.formats import open_source
from connectors.tabular import FileImportError
from metrics.engine import Filters, compute, compute_expressions
from tests.actors import ADMIN
from tests.conftest import ROOT
from warehouse import schema

EXPORTS = ROOT / "examples" / "exports"
GA4 = EXPORTS / "ga4_traffic_acquisition.csv"
GA4_WITHOUT_DATE = EXPORTS / "variants" / "ga4_traffic_acquisition_without_date.csv"
META_CSV = EXPORTS / "meta_ads_manager.csv"
META_XLSX = EXPORTS / "variants" / "meta_ads_manager.xlsx"
W46 = (date(2026, 11, 9), date(2026, 11, 15))

# Sessions: 7·(400+150+120+60+200+40) + 6·210 = 7·970 + 1260 = 8050
SESSIONS = 8050
# Engaged sessions: 7·(260+100+60+45+120+25) + 6·105 = 7·610 + 630 = 4900
ENGAGED = 4900
# New users: 7·(180+70+80+10+50+15) + 6·42 = 7·405 + 252 = 3087
NEW_USERS = 3087
# Engagement seconds = Σ A × the channel's week of sessions (7S + 210):
# 45·3010 + 40·1260 + 20·1050 + 60·630 + 50·1610 + 32.5·490
# = 135450 + 50400 + 21000 + 37800 + 80500 + 15925 = 341075
ENGAGEMENT_SECONDS = 341_075
# Ad cost: Prospecting 7·(20.50+15.25+12.00) + 3·(0+…+6) = 334.25 + 63 = 397.25;
#          Retargeting 7·(8.40+4.10) + 2·21 = 87.50 + 42 = 129.50; together 526.75
AD_COST = 526.75
# Link clicks: Prospecting 7·(30+20+18) + 3·21 = 476 + 63 = 539; Retargeting 7·(25+6) + 2·21 = 259, less the
# "-" cell (Static on Sunday: 6 + 6 = 12 not counted) = 247; together 786
CLICKS = 786
# Impressions: Prospecting 7·(3000+2500+1800) + 3·2100 = 51100 + 6300 = 57400; Retargeting 7·1500 + 2·2100 = 14700
IMPRESSIONS = 72_100

GA4_PREAMBLE = """# ----------------------------------------
# Traffic acquisition: Session default channel group
# Account: Example Outdoor Shop
# Property: Example Outdoor Shop - GA4
# ----------------------------------------
#
# All Users
# Start date: 20261109
# End date: 20261115

"""
META_HEADER = ("Reporting starts,Reporting ends,Campaign name,Ad set name,Ad name,Impressions,Amount spent (USD),"
               "Link clicks,CPC (cost per link click) (USD)\n")


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _kpis(engine, ids: list[str], filters: Filters = Filters()) -> dict:
    frame = compute(engine, ids, *W46, filters=filters)
    return {row.kpi_id: (row.value, row.reason) for row in frame.itertuples()}


def _sessions(engine, filters: Filters = Filters()) -> float:
    return compute_expressions(engine, {"sessions": "sessions"}, *W46, filters=filters)["value"].iat[0]


def _cursor(engine, source: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(schema.sync_runs.c.cursor).where(schema.sync_runs.c.source == source,
                                                                     schema.sync_runs.c.status == "success")
                            .order_by(schema.sync_runs.c.id.desc()).limit(1)).scalar_one()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _ad_totals(engine) -> tuple:
    t = schema.ad_spend
    with engine.connect() as conn:
        return conn.execute(select(func.sum(t.c.cost), func.sum(t.c.clicks), func.sum(t.c.impressions))).one()


# --- GA4 ------------------------------------------------------------------------------------------------------


def test_a_ga4_download_imports_as_downloaded(engine):
    result = import_file(engine, None, GA4, actor=ADMIN)
    # 6 channels x 7 days; the chart's table above it (Nth day, channel, Sessions) is not read
    assert result.summary() == ("ga4_traffic_acquisition.csv: GA4 report download → web: 42 channel days; "
                                "42 new, 0 updated, 0 unchanged")
    assert _count(engine, schema.web_traffic) == 42
    assert _sessions(engine) == SESSIONS
    values = _kpis(engine, ["speak.engagement_rate", "sizzle.new_users", "sizzle.engagement_time_per_session"])
    assert values["speak.engagement_rate"][0] == pytest.approx(ENGAGED / SESSIONS)  # 4900 / 8050 = 0.6087
    assert values["sizzle.new_users"][0] == NEW_USERS
    # Average engagement time per session x Sessions, summed: 341075 / 8050 = 42.37 s
    assert values["sizzle.engagement_time_per_session"][0] == pytest.approx(ENGAGEMENT_SECONDS / SESSIONS)
    assert _cursor(engine, "import:web") == "2026-11-15"  # "# End date: 20261115"


def test_ga4_rows_are_read_whatever_their_order_and_averages_are_stored_as_sums(engine):
    import_file(engine, None, GA4, actor=ADMIN)
    t = schema.web_traffic
    with engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.channel == "Referral", t.c.date == date(2026, 11, 11))).one()
        dates = [d for (d,) in conn.execute(select(t.c.date).where(t.c.channel == "Organic Search"))]
        dimensions = set(conn.execute(select(t.c.source_medium, t.c.campaign)).all())
    # Referral on Wednesday (d = 2): 40 + 20 sessions, 25 + 10 engaged, 15 + 4 new users; 60 x 32.5 s = 1950 s;
    # Views 2 x 60 + 10 = 130; Key events 2 + 2 = 4; 1 purchase, Total revenue 62.5
    assert (row.sessions, row.engaged_sessions, row.new_users, row.page_views) == (60, 35, 19, 130)
    assert float(row.engagement_seconds) == 1950.0
    assert (float(row.key_events), row.purchases, float(row.purchase_revenue)) == (4.0, 1, 62.5)
    # the file lists Organic Search from Sunday back to Monday (sorted by Sessions); YYYYMMDD read as dates
    assert sorted(dates) == [date(2026, 11, 9 + d) for d in range(7)]
    # the report has no source / medium nor campaign dimension: both are (not set)
    assert dimensions == {("(not set)", "(not set)")}


def test_reimporting_the_ga4_download_changes_nothing(engine):
    import_file(engine, None, GA4, actor=ADMIN)
    again = import_file(engine, None, GA4, actor=ADMIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 42)
    assert _sessions(engine) == SESSIONS


def test_a_ga4_download_without_new_users_leaves_them_unknown_not_zero(engine, tmp_path):
    path = _write(tmp_path, "channels.csv", GA4_PREAMBLE
                  + "Session default channel group,Date,Sessions,Engaged sessions,Engagement rate\n"
                  + "Direct,20261110,200,120,0.6\nOrganic Search,20261109,300,150,0.5\n")
    result = import_file(engine, None, path, actor=ADMIN)
    assert result.format == "GA4 report download" and result.inserted == 2
    t = schema.web_traffic
    with engine.connect() as conn:
        stored = conn.execute(select(t.c.new_users, t.c.engagement_seconds, t.c.page_views, t.c.purchases)).all()
    assert stored == [(None, None, None, None)] * 2  # unknown (NULL), never 0: the KPI engine says why
    values = _kpis(engine, ["speak.engagement_rate", "sizzle.new_users"])
    assert values["speak.engagement_rate"][0] == pytest.approx(270 / 500)  # (120 + 150) / (200 + 300)
    new_users, reason = values["sizzle.new_users"]
    assert new_users is None or new_users != new_users  # null (None or NaN), never 0
    assert reason.startswith("New users unknown: the web traffic data for 9–10 Nov 2026 has no new users")


def test_ga4_dimensions_user_engagement_and_an_explorations_grand_total(engine, tmp_path):
    # an exploration: its date range on one '#' line, a Grand total row with no date nor channel, source / medium
    # and campaign as dimensions, and User engagement (seconds) next to the average, which is then not used
    path = _write(tmp_path, "exploration.csv",
                  "# ----------------------------------------\n# Example Outdoor Shop - GA4\n# Free form 1\n"
                  "# 20261109-20261115\n# ----------------------------------------\n\n"
                  "Date,Session default channel group,Session source / medium,Session campaign,Sessions,"
                  "User engagement,Average engagement time per session\n"
                  ",,,,500,21000,42,Grand total\n"
                  "20261109,Paid Search,google / cpc,Brand,300,12000,40\n"
                  "20261109,Paid Search,bing / cpc,Brand,200,9000,45\n")
    result = import_file(engine, None, path, actor=ADMIN)
    assert result.summary() == ("exploration.csv: GA4 report download → web: 2 channel days "
                                "(1 grand total row skipped); 2 new, 0 updated, 0 unchanged")
    t = schema.web_traffic
    with engine.connect() as conn:
        rows = sorted(conn.execute(select(t.c.source_medium, t.c.campaign, t.c.sessions, t.c.engagement_seconds)))
    assert [(r[0], r[1], r[2], float(r[3])) for r in rows] == [("bing / cpc", "Brand", 200, 9000.0),
                                                             ("google / cpc", "Brand", 300, 12000.0)]
    assert _cursor(engine, "import:web") == "2026-11-15"


def test_a_ga4_row_with_a_bad_number_is_refused_whole_and_nothing_changes(engine, tmp_path):
    import_file(engine, None, GA4, actor=ADMIN)
    lines = GA4.read_text(encoding="utf-8").splitlines()
    # 9 '#' lines, a blank line, the chart's table (header + 35 rows), a blank line, the traffic table's header on
    # line 48: line 50 is its second row, Organic Search on 20261114
    assert lines[49].startswith("Organic Search,20261114,450,")
    lines[49] = lines[49].replace(",450,", ",45O,", 1)
    bad = _write(tmp_path, "traffic.csv", "\n".join(lines) + "\n")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, bad, actor=ADMIN)
    message = str(err.value)
    assert message.startswith("traffic.csv (read as a GA4 report download) was not imported (nothing was loaded)")
    assert "line 50, column “Sessions”: “45O”, expected a whole number" in message
    assert _count(engine, schema.web_traffic) == 42 and _sessions(engine) == SESSIONS


def test_a_ga4_average_that_is_not_a_number_is_refused_naming_its_column(engine, tmp_path):
    path = _write(tmp_path, "traffic.csv", GA4_PREAMBLE
                  + "Session default channel group,Date,Sessions,Average engagement time per session\n"
                  + "Direct,20261110,200,50\nEmail,20261110,40,1m 05s\n")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, path, actor=ADMIN)
    message = str(err.value)
    assert "traffic.csv (read as a GA4 report download) was not imported" in message
    # preamble 10 lines, header on 11: Email is line 13
    assert "line 13, column “Average engagement time per session”: “1m 05s”, expected a number" in message
    assert _count(engine, schema.web_traffic) == 0


def test_a_ga4_table_with_a_dimension_not_read_is_refused_saying_to_remove_it(engine, tmp_path):
    path = _write(tmp_path, "devices.csv", GA4_PREAMBLE
                  + "Date,Session default channel group,Device category,Sessions\n"
                  + "20261109,Direct,desktop,120\n20261109,Direct,mobile,80\n")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, path, actor=ADMIN)
    # preamble 10 lines, header on 11: the mobile row (line 13) repeats Monday's Direct (line 12)
    assert ("line 13, column “Session default channel group”: “Direct”, expected one row per Date + Session default "
            "channel group (line 12 has the same): the table has another dimension, which is not read; remove it "
            "from the table and download the report again") in str(err.value)
    assert _count(engine, schema.web_traffic) == 0


def test_a_ga4_download_without_date_is_refused_saying_to_add_it(engine):
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, GA4_WITHOUT_DATE, actor=ADMIN)
    message = str(err.value)
    assert message.startswith("ga4_traffic_acquisition_without_date.csv is a GA4 report download without the Date "
                              "dimension")
    assert "add Date to the table" in message and "download the report again" in message
    assert _count(engine, schema.web_traffic) == 0


def test_the_traffic_table_is_chosen_even_below_a_table_with_the_same_channel_column():
    source = open_source(GA4)
    assert source.format.name == "GA4 report download" and source.kind == "web"
    assert source.header[:3] == ["Date", "Session primary channel group (Default Channel Group)", "Sessions"]
    assert source.prepared.lines[0] == 49  # the first row under the traffic table's header (line 48)
    assert source.complete_through == date(2026, 11, 15)


# --- Meta -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [META_CSV, META_XLSX], ids=["csv", "xlsx"])
def test_a_meta_export_imports_as_downloaded(engine, path):
    result = import_file(engine, None, path, actor=ADMIN)
    # 35 ad rows (5 ads x 7 days) summed to 2 campaigns x 7 days
    assert result.summary() == (f"{path.name}: Meta Ads Manager export → ad_spend: 14 campaign days; "
                                "14 new, 0 updated, 0 unchanged")
    assert _count(engine, schema.ad_spend) == 14
    cost, clicks, impressions = _ad_totals(engine)
    assert (float(cost), clicks, impressions) == (pytest.approx(AD_COST), CLICKS, IMPRESSIONS)
    t = schema.ad_spend
    with engine.connect() as conn:
        assert set(conn.execute(select(t.c.platform, t.c.channel)).all()) == {("meta", "Paid Social")}
        sunday = conn.execute(select(t).where(t.c.date == date(2026, 11, 15),
                                              t.c.campaign == "Autumn Sale - Retargeting")).one()
    # Sunday (d = 6), Retargeting: cost (8.40 + 6) + (4.10 + 6) = 24.50; impressions 1500 + 1200 = 2700;
    # link clicks 25 + 6 = 31 from Catalogue - Dynamic, Static's "-" is empty (not 0, not an error)
    assert (float(sunday.cost), sunday.impressions, sunday.clicks) == (pytest.approx(24.50), 2700, 31)
    values = _kpis(engine, ["save.marketing_cost", "save.cpc"])
    assert values["save.marketing_cost"][0] == pytest.approx(AD_COST)
    assert values["save.cpc"][0] == pytest.approx(AD_COST / CLICKS)  # 526.75 / 786 = 0.670
    assert _cursor(engine, "import:ad_spend") == "2026-11-15"  # the last Reporting ends


def test_the_xlsx_is_the_same_rows_as_the_csv_and_reimporting_changes_nothing(engine):
    import_file(engine, None, META_CSV, actor=ADMIN)
    again = import_file(engine, None, META_XLSX, actor=ADMIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 14)
    assert import_file(engine, "ad_spend", META_CSV, actor=ADMIN).unchanged == 14
    assert float(_ad_totals(engine)[0]) == pytest.approx(AD_COST)


def test_a_meta_export_with_a_day_column_campaign_rows_a_summary_row_and_clicks_all(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "USD")
    # a campaign-level export broken down by Day: Reporting starts/ends span the export, Day is the row's day;
    # no Link clicks column (Clicks (all) is read); amounts in EUR; the summary row has no campaign name
    path = _write(tmp_path, "meta.csv",
                  "Campaign name,Day,Impressions,Clicks (all),Amount spent (EUR),Reporting starts,Reporting ends\n"
                  ",,9000,90,100.00,2026-11-09,2026-11-15\n"
                  "Autumn Sale - Prospecting,2026-11-14,5000,50,\"1,060.50\",2026-11-09,2026-11-15\n"
                  "Autumn Sale - Retargeting,2026-11-14,4000,-,12.00,2026-11-09,2026-11-15\n")
    result = import_file(engine, None, path, actor=ADMIN)
    assert result.summary() == ("meta.csv: Meta Ads Manager export → ad_spend: 2 campaign days (1 summary row "
                                "skipped); 2 new, 0 updated, 0 unchanged")
    assert result.warnings == ["meta.csv: “Amount spent (EUR)” is in EUR, but the warehouse currency is USD "
                               "(KPI_CURRENCY): the amounts are loaded as they are, not converted."]
    t = schema.ad_spend
    with engine.connect() as conn:
        rows = sorted(conn.execute(select(t.c.date, t.c.campaign, t.c.impressions, t.c.clicks, t.c.cost)).all())
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (date(2026, 11, 14), "Autumn Sale - Prospecting", 5000, 50),
        (date(2026, 11, 14), "Autumn Sale - Retargeting", 4000, None)]  # a "-" count is unknown, not 0
    assert [float(r[4]) for r in rows] == [1060.50, 12.00]  # "1,060.50": a thousands separator
    # the export runs to Sunday even if its last row is Saturday's
    assert _cursor(engine, "import:ad_spend") == "2026-11-15"


def test_a_meta_export_without_amount_spent_is_refused_naming_the_format(engine, tmp_path):
    lines = META_CSV.read_text(encoding="utf-8").splitlines()
    at = lines[0].split(",").index("Amount spent (USD)")
    text = "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != at) for line in lines) + "\n"
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, _write(tmp_path, "meta.csv", text), actor=ADMIN)
    message = str(err.value)
    assert message.startswith("meta.csv looks like a Meta Ads Manager export but has no column “Amount spent (USD)")
    assert _count(engine, schema.ad_spend) == 0


def test_a_meta_row_over_several_days_is_refused_saying_to_break_down_by_day(engine, tmp_path):
    path = _write(tmp_path, "meta.csv", META_HEADER
                  + "2026-11-09,2026-11-09,Autumn Sale - Prospecting,Broad 25-54,Video - Boots,3000,20.50,30,0.68\n"
                  + "2026-11-09,2026-11-15,Autumn Sale - Prospecting,Broad 25-54,Carousel,17500,128.75,161,0.80\n")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, path, actor=ADMIN)
    message = str(err.value)
    assert message.startswith("meta.csv (read as a Meta Ads Manager export) was not imported (nothing was loaded)")
    assert ("line 3, column “Reporting ends”: “2026-11-15”, expected the same day as Reporting starts (2026-11-09): "
            "this row is not one day. In Ads Manager, export again with Breakdown → By time → Day") in message
    assert _count(engine, schema.ad_spend) == 0


def test_a_meta_amount_that_is_not_a_number_is_refused_and_nothing_changes(engine, tmp_path):
    import_file(engine, None, META_CSV, actor=ADMIN)
    path = _write(tmp_path, "meta.csv", META_HEADER
                  + "2026-11-09,2026-11-09,Autumn Sale - Prospecting,Broad 25-54,Video - Boots,3000,\"20,5\",30,0.68\n"
                  + "2026-11-10,2026-11-10,,Broad 25-54,Video - Boots,3100,21.50,31,0.69\n")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, path, actor=ADMIN)
    message = str(err.value)
    assert message.startswith("meta.csv (read as a Meta Ads Manager export) was not imported")
    assert "line 2, column “Amount spent (USD)”: “20,5”, expected an amount such as 12.34" in message
    assert "line 3, column “Campaign name”: (empty), expected a campaign name" in message
    assert _count(engine, schema.ad_spend) == 14 and float(_ad_totals(engine)[0]) == pytest.approx(AD_COST)


# --- the week, both tools -------------------------------------------------------------------------------------


def test_the_weeks_kpis_for_paid_social_from_both_exports(engine):
    import_file(engine, None, GA4, actor=ADMIN)
    import_file(engine, None, META_XLSX, actor=ADMIN)
    social = Filters(channel="Paid Social")
    values = _kpis(engine, ["save.marketing_cost", "save.cpc", "speak.engagement_rate"], social)
    assert values["save.marketing_cost"][0] == pytest.approx(AD_COST)  # every Meta campaign is Paid Social
    assert values["save.cpc"][0] == pytest.approx(AD_COST / CLICKS)
    # Paid Social web traffic: 7·120 + 210 = 1050 sessions, 7·60 + 105 = 525 engaged -> 0.5
    assert _sessions(engine, social) == 1050
    assert values["speak.engagement_rate"][0] == pytest.approx(0.5)
    # CTR (link clicks per impression; the catalog has no impressions measure, so read from the table):
    # 786 / 72100 = 1.09 %
    t = schema.ad_spend
    with engine.connect() as conn:
        clicks, impressions = conn.execute(select(func.sum(t.c.clicks), func.sum(t.c.impressions))
                                           .where(t.c.channel == "Paid Social", t.c.date.between(*W46))).one()
    assert clicks / impressions == pytest.approx(786 / 72_100)


def test_cli_imports_the_exports_and_reports_the_week(tmp_path):
    env = {**os.environ, "KPI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    env.pop("KPI_CURRENCY", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)

    out = run("import", str(GA4), str(META_CSV), str(META_XLSX))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "ga4_traffic_acquisition.csv: GA4 report download → web: 42 channel days; 42 new, 0 updated, 0 unchanged",
        "meta_ads_manager.csv: Meta Ads Manager export → ad_spend: 14 campaign days; 14 new, 0 updated, 0 unchanged",
        "meta_ads_manager.xlsx: Meta Ads Manager export → ad_spend: 14 campaign days; 0 new, 0 updated, "
        "14 unchanged"]
    report = run("report", "--period", "2026-W46", "--format", "json")
    assert report.returncode == 0, report.stderr
    kpis = {k["id"]: k for k in json.loads(report.stdout)["kpis"]}
    assert kpis["speak.engagement_rate"]["value"] == pytest.approx(ENGAGED / SESSIONS)
    assert kpis["sizzle.new_users"]["value"] == NEW_USERS
    assert kpis["sizzle.engagement_time_per_session"]["value"] == pytest.approx(ENGAGEMENT_SECONDS / SESSIONS)
    assert kpis["save.marketing_cost"]["value"] == pytest.approx(AD_COST)
    assert kpis["save.cpc"]["value"] == pytest.approx(AD_COST / CLICKS)
    refused = run("import", str(GA4_WITHOUT_DATE))
    assert refused.returncode == 2 and "without the Date dimension" in refused.stderr


def test_cli_main_reimport_says_nothing_changed(engine, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_engine", lambda: engine)
    assert cli.main(["import", str(GA4), str(META_CSV)]) == 0
    capsys.readouterr()
    assert cli.main(["import", str(GA4), str(META_XLSX)]) == 0
    out = capsys.readouterr().out
    assert "GA4 report download → web: 42 channel days; 0 new, 0 updated, 42 unchanged" in out
    assert "Meta Ads Manager export → ad_spend: 14 campaign days; 0 new, 0 updated, 14 unchanged" in out
