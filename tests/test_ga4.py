"""GA4 sync: the real google-analytics-data client (REST) against the fake GA4 server on 127.0.0.1.

Covers the issue's done-when (a server that pages and fails once with 503 loads exactly its rows; a second run
changes nothing), 429 (stops cleanly, says when), 403/400 (name the property), multi-page results with fewer
rows than asked, the incremental window, restated days, metadata warnings and credentials kept out of the log.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from cli import main
from connectors import ga4
from connectors.ga4 import Ga4Error, Ga4QuotaExceeded, Ga4Settings, settings, sync
from connectors.ga4_api import PAGE_ROWS
from tests.actors import ADMIN
from tests.conftest import content_hash
from tests.fake_ga4 import FakeGA4, sample_rows
from warehouse import schema

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1200s"}


@pytest.fixture
def fake():
    with FakeGA4(sample_rows(*JANUARY)) as server:
        yield server


def _config(fake: FakeGA4, **changes) -> Ga4Settings:
    return replace(Ga4Settings(property_id="123", endpoint=fake.url, retry_initial=0.01, retry_deadline=5), **changes)


def _warehouse(engine) -> set[tuple]:
    w = schema.web_traffic
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(select(w.c.date, w.c.channel, w.c.source_medium, w.c.campaign,
                                                      w.c.sessions, w.c.purchase_revenue))}


def _expected(rows: list[dict]) -> set[tuple]:
    return {(datetime.strptime(r["date"], "%Y%m%d").date(), r["sessionDefaultChannelGroup"],
             r["sessionSourceMedium"], r["sessionCampaignName"], r["sessions"], r["purchaseRevenue"]) for r in rows}


def _runs(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(schema.sync_runs).order_by(schema.sync_runs.c.id)).mappings()]


def _reports(fake: FakeGA4) -> list[dict]:
    """The traffic report's requests (each slice also asks for purchases by transaction id, after them)."""
    return [r for r in fake.requests if r["path"].endswith(":runReport")
            and {"name": "transactionId"} not in r.get("dimensions", [])]


def test_done_when_the_cli_loads_exactly_the_servers_rows_through_503_and_pages_and_again_changes_nothing(
        engine, fake, monkeypatch, capsys):
    from warehouse.db import get_engine

    fake.page_size, fake.fail = 40, [503]
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("GA4_API_ENDPOINT", fake.url)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    get_engine.cache_clear()
    argv = ["sync", "ga4", "--property", "123", "--start", "2026-01-01", "--end", "2026-01-31"]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert _warehouse(engine) == _expected(fake.rows) and len(fake.rows) == 124
    # 4 traffic pages + 1 (empty) page of purchases by transaction id, 7 tokens each
    assert "124 rows: 124 new, 0 updated, 0 unchanged; 5 API requests, 35 quota tokens used" in out.out
    assert "GA4 answered HTTP 503" in out.err and "[100%]" in out.err
    reports = _reports(fake)
    assert [int(r.get("offset", 0)) for r in reports] == [0, 0, 40, 80, 120]  # the 503, then four pages
    assert {r["path"] for r in reports} == {"/v1beta/properties/123:runReport"}
    assert all(int(r["limit"]) == PAGE_ROWS for r in reports)
    assert reports[0]["dateRanges"] == [{"startDate": "2026-01-01", "endDate": "2026-01-31"}]
    before = content_hash(engine)
    assert main(argv) == 0
    assert "0 new, 0 updated, 124 unchanged" in capsys.readouterr().out
    assert content_hash(engine) == before
    assert [(r["status"], r["rows_inserted"], r["rows_updated"], r["cursor"]) for r in _runs(engine)] == [
        ("success", 124, 0, "2026-01-31"), ("success", 0, 0, "2026-01-31")]
    get_engine.cache_clear()


def test_a_quota_error_stops_cleanly_and_says_when_to_try_again(engine, fake):
    fake.fail = [(429, RETRY_INFO)]
    with pytest.raises(Ga4QuotaExceeded) as err:
        sync(engine, _config(fake), *JANUARY, actor=ADMIN)
    assert len(_reports(fake)) == 1  # a 429 is not retried
    assert err.value.retry_at is not None
    assert abs((err.value.retry_at - datetime.now()).total_seconds() - 1200) < 60
    message = str(err.value)
    assert "GA4 quota used up for property 123: HTTP 429: Exhausted property tokens per hour" in message
    assert f"try again after {err.value.retry_at:%H:%M} (in 20 minutes)" in message
    assert "Nothing was loaded." in message and _warehouse(engine) == set()
    run = _runs(engine)[-1]
    assert run["status"] == "failed" and run["source"] == "ga4:123" and "429" in run["error"]


def test_a_quota_stop_between_slices_keeps_what_was_loaded_and_the_next_sync_continues(engine, monkeypatch):
    monkeypatch.setattr(ga4, "SLICE_DAYS", 10)
    with FakeGA4(sample_rows(date(2026, 1, 1), date(2026, 1, 30))) as fake:
        fake.fail = [None, None, 429]  # the first slice's two reports succeed, the second slice's is refused
        config = _config(fake, initial_days=30)
        with pytest.raises(Ga4QuotaExceeded, match="Dates up to 2026-01-10 were loaded; the next sync continues"):
            sync(engine, config, today=date(2026, 1, 31), actor=ADMIN)
        assert {d for d, *_ in _warehouse(engine)} == {date(2026, 1, d) for d in range(1, 11)}
        assert "after" in _runs(engine)[-1]["error"]
        result = sync(engine, config, today=date(2026, 1, 31), actor=ADMIN)
        assert (result.start, result.end) == (date(2026, 1, 7), date(2026, 1, 30))  # 3 days before the cursor
        assert _warehouse(engine) == _expected(fake.rows)


def test_a_permission_error_names_the_property_and_what_to_check(engine, fake):
    with pytest.raises(Ga4Error) as err:
        sync(engine, _config(fake, property_id="999"), *JANUARY, actor=ADMIN)
    message = str(err.value)
    assert "GA4 refused access to property 999 (HTTP 403: User does not have sufficient permissions" in message
    assert "Viewer role on that property" in message and "Property details" in message
    assert _runs(engine)[-1]["source"] == "ga4:999" and _runs(engine)[-1]["status"] == "failed"


def test_a_bad_request_names_the_property(engine, fake):
    fake.fail = [400]
    with pytest.raises(Ga4Error, match=r"GA4 rejected the request for property 123 \(HTTP 400: Invalid property ID"):
        sync(engine, _config(fake), *JANUARY, actor=ADMIN)


def test_pages_shorter_than_the_limit_are_read_until_row_count(engine, fake):
    fake.page_size = 7
    progress: list[float] = []
    result = sync(engine, _config(fake), *JANUARY, progress=lambda fraction, message: progress.append(fraction),
            actor=ADMIN)
    assert [int(r.get("offset", 0)) for r in _reports(fake)] == list(range(0, 124, 7))
    assert result.rows == result.inserted == 124 and result.requests == 18 + 1  # + the purchases report
    assert _warehouse(engine) == _expected(fake.rows)
    assert progress == sorted(progress) and progress[-1] == 1.0


def test_5xx_answers_are_retried_with_backoff_and_give_up_with_a_clear_message(engine, fake):
    fake.fail = [503, 500, 503]
    assert sync(engine, _config(fake), *JANUARY, actor=ADMIN).inserted == 124
    fake.fail = [503] * 100
    with pytest.raises(Ga4Error, match=r"kept failing \(HTTP 503: The service is currently unavailable.\), also when "
                                       "retried for 0.3 seconds"):
        sync(engine, _config(fake, retry_deadline=0.3), *JANUARY, actor=ADMIN)


def test_the_first_sync_covers_the_initial_window_and_later_ones_restart_three_days_before_the_cursor(engine, fake):
    first = sync(engine, _config(fake, initial_days=10), today=date(2026, 1, 20), actor=ADMIN)
    assert (first.start, first.end, first.days) == (date(2026, 1, 10), date(2026, 1, 19), 10)
    later = sync(engine, _config(fake, initial_days=10), today=date(2026, 1, 25), actor=ADMIN)
    assert _reports(fake)[-1]["dateRanges"] == [{"startDate": "2026-01-16", "endDate": "2026-01-24"}]
    assert (later.inserted, later.unchanged) == (5 * 4, 4 * 4)
    assert _runs(engine)[-1]["cursor"] == "2026-01-24"


def test_restated_days_are_updated_and_rows_ga4_no_longer_reports_are_zeroed(engine, fake):
    sync(engine, _config(fake), *JANUARY, actor=ADMIN)
    fake.rows = [r for r in fake.rows if not (r["date"] == "20260131" and r["sessionCampaignName"] == "(direct)")]
    for r in fake.rows:
        if r["date"] == "20260130":
            r["sessions"] += 1
    result = sync(engine, _config(fake), date(2026, 1, 28), date(2026, 1, 31), actor=ADMIN)
    assert (result.inserted, result.updated) == (0, 4 + 1)
    w = schema.web_traffic
    with engine.connect() as conn:
        gone = conn.execute(select(w.c.sessions, w.c.page_views).where(w.c.date == date(2026, 1, 31),
                                                                       w.c.campaign == "(direct)")).one()
    assert tuple(gone) == (0, 0)


def test_thresholding_sampling_and_other_row_are_reported(engine, fake):
    fake.metadata = {"subjectToThresholding": True, "dataLossFromOtherRow": True,
                     "samplingMetadatas": [{"samplesReadCount": "250", "samplingSpaceSize": "1000"}]}
    result = sync(engine, _config(fake), *JANUARY, actor=ADMIN)
    assert len(result.warnings) == 3
    assert "thresholding" in result.warnings[0] and "25% of the events" in result.warnings[1]
    assert "(other)" in result.warnings[2]
    assert "Warning: GA4 applied thresholding" in _runs(engine)[-1]["detail"]


def test_ga4_values_map_to_the_web_columns_persian_campaigns_intact(engine, fake):
    fake.rows[0]["sessionCampaignName"] = ""
    sync(engine, _config(fake), *JANUARY, actor=ADMIN)
    w = schema.web_traffic
    with engine.connect() as conn:
        campaigns = {c for (c,) in conn.execute(select(w.c.campaign).distinct())}
        row = conn.execute(select(w).where(w.c.date == date(2026, 1, 2), w.c.channel == "Paid Search")).one()
    assert campaigns == {"(organic)", "(direct)", "brand_search", "نوروز_۱۴۰۵", "(not set)"}
    source = next(r for r in fake.rows if r["date"] == "20260102" and r["sessionDefaultChannelGroup"] == "Paid Search")
    assert (row.engaged_sessions, row.new_users, row.page_views, row.engagement_seconds, row.key_events,
            row.purchases, row.purchase_revenue) == (
        source["engagedSessions"], source["newUsers"], source["screenPageViews"], source["userEngagementDuration"],
        source["keyEvents"], source["ecommercePurchases"], source["purchaseRevenue"])


def test_settings_come_from_arguments_then_environment_then_secrets():
    secrets = {"ga4": {"property_id": "555", "api_endpoint": "http://127.0.0.1:1", "initial_days": 30,
                       "credentials": {"type": "service_account", "private_key": "s3cr3t-key-material"}}}
    from_secrets = settings(secrets=secrets, env={})
    assert (from_secrets.property_id, from_secrets.initial_days, from_secrets.configured) == ("555", 30, True)
    assert "s3cr3t" not in repr(from_secrets) and "s3cr3t" not in from_secrets.describe()
    env = {"GA4_PROPERTY_ID": "properties/777", "GOOGLE_APPLICATION_CREDENTIALS": "/keys/sa.json"}
    from_env = settings(secrets=secrets, env=env)
    assert (from_env.property_id, from_env.credentials_file, from_env.credentials_info) == ("777", "/keys/sa.json",
                                                                                            None)
    assert settings(property_id="888", secrets=secrets, env=env).property_id == "888"
    assert not settings(env={}).configured
    with pytest.raises(Ga4Error, match="G-ABC123 is a measurement ID|not a GA4 property ID"):
        settings(property_id="G-ABC123", env={})


def test_a_service_account_key_signs_the_requests_and_never_reaches_the_sync_log(engine, fake, tmp_path):
    import google.auth.jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    info = {"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": pem,
            "client_email": "kpi@p.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": "https://oauth2.googleapis.com/token"}
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(info))
    for config in (_config(fake, credentials_info=info), _config(fake, credentials_file=str(key_file))):
        sync(engine, config, *JANUARY, actor=ADMIN)
    tokens = [r["authorization"].removeprefix("Bearer ") for r in _reports(fake)]
    assert len(tokens) == 2 and all(google.auth.jwt.decode(t, certs=public, verify=True,
                                                           audience=None)["iss"] == info["client_email"]
                                    for t in tokens)  # signed with the key (a self-signed JWT: no token server)
    fake.fail = [403]
    with pytest.raises(Ga4Error):
        sync(engine, _config(fake, credentials_info=info), *JANUARY, actor=ADMIN)
    logged = json.dumps(_runs(engine), default=str)
    assert "PRIVATE KEY" not in logged and pem.splitlines()[1] not in logged and tokens[0] not in logged


def test_no_property_configured_says_how_to_configure(engine):
    with pytest.raises(Ga4Error, match="No GA4 property configured. To connect Google Analytics 4"):
        sync(engine, Ga4Settings(), *JANUARY, actor=ADMIN)


def test_a_start_after_the_end_is_refused(engine, fake):
    with pytest.raises(Ga4Error, match="after the end date"):
        sync(engine, _config(fake), date(2026, 2, 1), date(2026, 1, 1), actor=ADMIN)
    assert _reports(fake) == []


def test_an_unreachable_endpoint_is_retried_then_reported(engine):
    config = Ga4Settings(property_id="123", endpoint="http://127.0.0.1:9", retry_initial=0.01, retry_deadline=0.2)
    with pytest.raises(Ga4Error, match=r"GA4 could not be reached or kept failing \(ConnectionError: .* 0.2 seconds"):
        sync(engine, config, *JANUARY, actor=ADMIN)
    assert _runs(engine)[-1]["status"] == "failed"


def test_the_summary_reports_days_rows_and_tokens(engine, fake):
    result = sync(engine, _config(fake), date(2026, 1, 1), date(2026, 1, 2), actor=ADMIN)
    assert result.summary() == ("GA4 property 123: 2026-01-01 to 2026-01-02 (2 days), 8 rows: 8 new, 0 updated, "
                                "0 unchanged; 2 API requests, 14 quota tokens used (199,986 left today).")
    assert result.tokens_used == 14 and result.days == 2  # traffic + purchases by transaction id, 7 tokens each
    assert timedelta(days=result.days) == result.end - result.start + timedelta(days=1)
