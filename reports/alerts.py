"""Alerts (``python cli.py alerts``): each new alert posted to a chat webhook and/or e-mailed, once.

Rules (switched per KPI and per source in a rules file, ``reports.alert_rules``):

- ``off_track``: the KPI is off track in the period (``metrics.scorecard``; in an unfinished period, judged on the
  days counted so far against what the plan expects by then). One alert per KPI and period: a KPI still off track
  in the next period is a new alert for that period, never a second one for the same period.
- ``unusual``: the KPI's value is beyond its usual variation (``KpiResult.unusual``; an unfinished period is checked
  once half of it is counted).
- ``stale``: a source's newest data are older than its freshness window (``connectors.freshness``), as of today.

Never twice: each alert is claimed separately in the ``deliveries`` table (kind "alert", key
"<rule>|<KPI id or source>|<period>|<destination>"), so a partial failure re-sends only what failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from urllib.parse import urlencode

from sqlalchemy import Engine

from i18n import N_, _, ngettext, using_locale
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID, kpi_label
from metrics.date_text import format_date, period_code
from metrics.format import format_range, format_value
from metrics.scorecard import KpiResult
from metrics.unusual_text import format_score, unusual_side
from reports import delivery
from reports.alert_rules import AlertRules
from reports.notify import versus
from reports.webhooks import ChatMessage, payload, post_json, redact, url_hash

KIND = "alert"

# The sources as a reader names them (connectors.freshness.LABELS, translated).
SOURCE_LABELS = {"web": N_("Web traffic"), "orders": N_("Orders"), "ad_spend": N_("Ad spend"),
                 "email": N_("Email campaigns"), "social": N_("Social media"), "feedback": N_("Customer feedback"),
                 "tickets": N_("Support tickets")}
UNUSUAL_LINES = {"above": N_("{value}, above its expected range of {range} (score {score})"),
                 "below": N_("{value}, below its expected range of {range} (score {score})"),
                 None: N_("{value}, expected range {range} (score {score})")}


@dataclass(frozen=True)
class Alert:
    """One alert: ``rule``, its ``subject`` (a KPI id, or a source kind for 'stale'), the period's label and
    what to post."""

    rule: str
    subject: str
    period: str
    message: ChatMessage

    def key(self, destination: str) -> str:
        return f"{self.rule}|{self.subject}|{self.period}|{destination}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one alert at one destination: 'sent', 'skipped' (sent before) or 'failed'."""

    alert: Alert
    destination: str  # as shown: a redacted URL or an e-mail address
    status: str
    error: str | None = None


def _link(base: str | None, page: str, **query: str) -> str | None:
    return f"{base}/{page}" + (f"?{urlencode(query)}" if query else "") if base else None


def _kpi_link(base: str | None, item: KpiResult, period) -> str | None:
    """The KPI's S page for the period (its grain and label, as ui/state.py reads them)."""
    return _link(base, KPI_BY_ID[item.id].s.lower(), grain=period.grain, period=period.label)


def off_track_alert(item: KpiResult, period, base: str | None = None) -> Alert:
    message = ChatMessage(title=_("{kpi} is off track in {period}").format(kpi=kpi_label(item.id),
                                                                        period=period_code(period)),
                          text=versus(item), link=_kpi_link(base, item, period),
                          link_text=_("Open in the dashboard"))
    return Alert("off_track", item.id, period.label, message)


def unusual_alert(item: KpiResult, period, base: str | None = None) -> Alert:
    low, high = item.expected_range or (None, None)
    text = _(UNUSUAL_LINES[unusual_side(item)]).format(value=format_value(item.value, item.unit),
                                                      range=format_range(low, high, item.unit),
                                                      score=format_score(item.unusual_score))
    message = ChatMessage(title=_("{kpi} is unusual in {period}").format(kpi=kpi_label(item.id),
                                                                      period=period_code(period)),
                          text=text, link=_kpi_link(base, item, period), link_text=_("Open in the dashboard"))
    return Alert("unusual", item.id, period.label, message)


def stale_alert(source: dict, period, base: str | None = None) -> Alert:
    """A source (a ``connectors.freshness.source_status`` entry) whose data are older than its window."""
    kind = source["kind"]
    newest = source["complete_through"] or source["last"]
    lag = source["lag_days"]
    text = ngettext("The newest data are from {date}, {days} day ago; expected within {max} days. KPIs using them "
                    "miss the latest days.",
                    "The newest data are from {date}, {days} days ago; expected within {max} days. KPIs using them "
                    "miss the latest days.", lag).format(
        date=format_date(newest), days=localize_digits(str(lag)), max=localize_digits(str(source["max_age_days"])))
    message = ChatMessage(title=_("{source} data are stale").format(source=_(SOURCE_LABELS[kind])), text=text,
                          link=_link(base, "data_sources"), link_text=_("Open the data sources"))
    return Alert("stale", kind, period.label, message)


def find_alerts(engine: Engine, period, rules: AlertRules | None = None, *, lang: str = "en",
                base: str | None = None, today: date | None = None) -> list[Alert]:
    """The alerts of ``period`` the rules allow, in the catalog's order: off track, unusual, then stale sources."""
    from connectors.freshness import source_status
    from metrics.periods import using_calendar
    from metrics.scorecard import scorecard

    rules = rules or AlertRules()
    today = today or date.today()
    with using_locale(lang), using_calendar(period.calendar):
        items = scorecard(engine, period, sparkline=False, today=today)
        alerts = [off_track_alert(i, period, base) for i in items
                  if i.status == "off_track" and rules.enabled("off_track", i.id)]
        alerts += [unusual_alert(i, period, base) for i in items if i.unusual and rules.enabled("unusual", i.id)]
        alerts += [stale_alert(s, period, base) for s in source_status(engine, today).values()
                   if s["status"] == "stale" and rules.enabled("stale", s["kind"])]
    return alerts


def post_alerts(engine: Engine, alerts: list[Alert], url: str, fmt: str = "slack", *, actor: str = "",
                resend: bool = False) -> list[Outcome]:
    """Post each alert not sent to ``url`` before, one message each; a failure is recorded and the rest go on."""
    destination, shown = f"webhook:{url_hash(url)}", redact(url)
    outcomes = []
    for alert in alerts:
        claimed = delivery.claim(engine, KIND, alert.key(destination), actor=actor, resend=resend)
        if claimed is None:
            outcomes.append(Outcome(alert, shown, "skipped"))
            continue
        try:
            post_json(url, payload(alert.message, fmt))
        except Exception as exc:  # recorded as failed: the next run retries it
            delivery.mark_failed(engine, claimed, str(exc))
            outcomes.append(Outcome(alert, shown, "failed", str(exc)))
            continue
        delivery.mark_sent(engine, claimed, detail=alert.message.title)
        outcomes.append(Outcome(alert, shown, "sent"))
    return outcomes


def alert_mail(alerts: list[Alert], period, to: str, sender: str) -> EmailMessage:
    """One e-mail listing ``alerts`` (plain text), to ``to``."""
    mail = EmailMessage()
    mail["Subject"] = ngettext("KPI alert {period}: {count} new", "KPI alerts {period}: {count} new",
                               len(alerts)).format(period=period_code(period), count=localize_digits(str(len(alerts))))
    mail["From"], mail["To"] = sender, to
    mail.set_content("\n\n".join(a.message.plain() for a in alerts) + "\n")
    return mail


def mail_alerts(engine: Engine, alerts: list[Alert], period, to: list[str], *, actor: str = "",
                resend: bool = False, lang: str = "en") -> list[Outcome]:
    """E-mail each address the alerts it has not received (one message per address; each alert claimed)."""
    from reports import smtp

    outcomes: list[Outcome] = []
    for address in to:
        claims = []
        for alert in alerts:
            claimed = delivery.claim(engine, KIND, alert.key(f"mail:{address.lower()}"), actor=actor, resend=resend)
            if claimed is None:
                outcomes.append(Outcome(alert, address, "skipped"))
            else:
                claims.append((alert, claimed))
        if not claims:
            continue
        try:
            settings = smtp.smtp_settings()
            with using_locale(lang):
                mail = alert_mail([a for a, _c in claims], period, address, settings.sender)
            smtp.send(mail, settings)
        except NotImplementedError:
            error = "e-mail is not available: reports/smtp.py is not implemented in this build"
        except smtp.MailError as exc:  # the server's message
            # taken by the server before the failure (e.g. its reply to QUIT): it left, so it is not sent again
            error = None if exc.delivered_to else str(exc)
        except Exception as exc:
            error = str(exc)
        else:
            error = None
        for alert, claimed in claims:
            if error:
                delivery.mark_failed(engine, claimed, error)
            else:
                delivery.mark_sent(engine, claimed, detail=alert.message.title)
            outcomes.append(Outcome(alert, address, "failed" if error else "sent", error))
    return outcomes
