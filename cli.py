"""Command line for cron jobs and scripts: ``python cli.py --help``."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date

from access.roles import cli_actor
from metrics.periods import PeriodError, parse_period, using_calendar


class CliError(Exception):
    """A user error: printed as a message (no traceback), exit code 2."""


def _engine():
    from warehouse.db import get_engine

    return get_engine()


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _demo_notice(removed: dict[str, int]) -> None:
    """The line that says an own load removed the demo data first (nothing when it did not)."""
    from connectors.demo_data import removed_message

    if removed:
        print(removed_message(removed))


def cmd_remove_demo() -> int:
    """Remove the demo data on its own; a warehouse without demo data is left as it is."""
    from connectors.demo import remove_demo_data
    from connectors.demo_data import MixedWithOwnData, total
    from connectors.loader import LoadBusy

    try:
        removed = remove_demo_data(_engine(), actor=cli_actor())
    except (MixedWithOwnData, LoadBusy) as exc:
        raise CliError(str(exc)) from None
    if not removed:
        print("This warehouse holds no demo data: nothing was removed.")
        return 0
    tables = ", ".join(f"{table} {rows:,}" for table, rows in removed.items() if rows)
    print(f"Removed the demo data: {total(removed):,} rows ({tables}). "
          "The app will not load the demo into this warehouse again.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo shop (idempotent: running it again changes nothing), or remove it (--remove)."""
    from connectors.demo import load_demo

    if args.remove:
        return cmd_remove_demo()

    def progress(kind: str, step: int, total: int) -> None:
        print(f"[{step}/{total}] loading {kind} …", file=sys.stderr)

    from connectors.demo_data import MixedWithOwnData

    try:
        results = load_demo(_engine(), as_of=args.as_of, seed=args.seed, progress=progress)
    except MixedWithOwnData as exc:
        raise CliError(str(exc)) from None
    for kind, r in results.items():
        print(f"{kind:10s} inserted {r.inserted:>7,}  updated {r.updated:>7,}  unchanged {r.unchanged:>7,}")
    return 0


def _filters(engine, args: argparse.Namespace):
    from metrics.dimensions import campaigns, channels
    from metrics.engine import Filters

    if args.channel and args.channel not in (known := channels(engine)):
        raise CliError(f"Unknown channel {args.channel!r}. Channels in the warehouse: {', '.join(known)}.")
    if getattr(args, "campaign", None) and args.campaign not in (known := campaigns(engine, args.channel)):
        raise CliError(f"Unknown campaign {args.campaign!r}" + (f" in channel {args.channel}" if args.channel else "")
                       + f". Campaigns: {', '.join(known[:40])}{' …' if len(known) > 40 else ''}.")
    return Filters(channel=args.channel, campaign=getattr(args, "campaign", None))


def report_data(engine, period_text: str, filters) -> dict:
    """The ``report --format json`` document."""
    from metrics.scorecard import scorecard

    period = parse_period(period_text)
    with using_calendar(period.calendar):  # the period's calendar buckets and compares it
        items = scorecard(engine, period, filters, sparkline=False)
    return {
        "period": {"grain": period.grain, "start": period.start.isoformat(), "end": period.end.isoformat(),
                   "label": period.label},
        "filters": {"channel": filters.channel, "campaign": filters.campaign},
        "kpis": [item.as_report() for item in items],
    }


def cmd_report(args: argparse.Namespace) -> int:
    """Print every KPI for a period as JSON or CSV."""
    try:
        parse_period(args.period)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    from warehouse.snapshot import read_snapshot

    with read_snapshot(_engine()) as db:  # every figure from one state of the warehouse, even during a load
        data = report_data(db, args.period, _filters(db, args))
    if args.format == "json":
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        from reports.csv_safe import safe_rows

        writer = csv.DictWriter(sys.stdout, fieldnames=list(data["kpis"][0]))
        writer.writeheader()
        writer.writerows(safe_rows(data["kpis"]))
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """Print the KPI catalog as Markdown, or rewrite the README's catalog section."""
    from pathlib import Path

    from metrics.docs import catalog_markdown, replace_catalog

    if args.write_readme:
        readme = Path(__file__).with_name("README.md")
        readme.write_text(replace_catalog(readme.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated {readme}")
    else:
        print(catalog_markdown(), end="")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """Import or export plan targets (CSV columns kpi_id,grain,period,channel,target)."""
    from connectors.loader import LoadBusy
    from metrics.targets import TargetError, export_csv, import_csv

    engine = _engine()
    if args.action == "import":
        try:
            saved = import_csv(engine, args.file, actor=cli_actor())
        except (TargetError, LoadBusy) as exc:
            raise CliError(str(exc)) from None
        _demo_notice(saved.demo_removed)
        inserted, updated, unchanged = saved
        print(f"targets: {inserted} new, {updated} updated, {unchanged} unchanged")
        return 0
    period = None
    if args.period:
        try:
            period = parse_period(args.period)
        except PeriodError as exc:
            raise CliError(str(exc)) from None
    sys.stdout.write(export_csv(engine, period))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Write the weekly review of a week as one self-contained HTML file."""
    from pathlib import Path

    from i18n import LocaleError, default_locale
    from reports.review_html import render

    try:
        lang = args.lang or default_locale()
    except LocaleError as exc:
        raise CliError(str(exc)) from None
    try:
        week = parse_period(args.week)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    if week.grain != "week":
        raise CliError(f"--week {args.week!r} is a {week.grain}; give a week such as 2026-W46 (ISO week) "
                       "or 1405-W35 (Jalali).")
    from warehouse.snapshot import read_snapshot

    out = Path(args.out)
    with read_snapshot(_engine()) as db:  # the whole review from one state of the warehouse
        _filters(db, args)
        if not out.parent.exists():
            raise CliError(f"Folder {out.parent} does not exist.")
        with using_calendar(week.calendar):  # its 13-week trends in the week's calendar
            html = render(db, week, args.channel, lang=lang)
    out.write_text(html, encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): the review of {week.label}, opens offline")
    return 0


def cmd_copy_warehouse(args: argparse.Namespace) -> int:
    """Copy the whole warehouse (default: KPI_DATABASE_URL) to another database, e.g. PostgreSQL."""
    from warehouse.copy import CopyError, copy_warehouse
    from warehouse.db import database_url, make_engine, redacted

    source_url = args.source or database_url()
    source, target = make_engine(source_url), make_engine(args.to)
    try:
        copied = copy_warehouse(source, target, replace=args.replace,
                                progress=lambda table, n: print(f"  {table}: {n} rows", file=sys.stderr))
    except CopyError as exc:
        raise CliError(str(exc)) from None
    print(f"copied {sum(copied.values())} rows in {len(copied)} tables from {redacted(source_url)} "
          f"to {redacted(args.to)}")
    return 0


def _progress(fraction: float, message: str) -> None:
    """Progress on stderr: one updating line on a terminal, plain lines otherwise."""
    line = f"[{fraction:4.0%}] {message}"
    if sys.stderr.isatty():
        print(f"\r{line[:100]:100s}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    """Import CSV or Excel files: ``import KIND FILE [FILE …]``, or ``import FILE [FILE …]`` to recognise each."""
    from pathlib import Path

    from connectors.datasets import KINDS
    from connectors.files import FileImportError, import_file
    from connectors.loader import LoadBusy

    kind, files = None, list(args.files)
    if len(files) > 1 and files[0] in KINDS and not Path(files[0]).is_file():
        kind, files = files[0], files[1:]
    failed = 0
    for file in files:
        print(f"importing {file}" + (f" as {kind}" if kind else "") + " …", file=sys.stderr)
        try:
            report = import_file(_engine(), kind, file, skip_invalid=args.skip_invalid, progress=_progress,
                                 actor=cli_actor())
        except (FileImportError, LoadBusy) as exc:
            if len(files) == 1:
                raise CliError(str(exc)) from None
            print(f"error: {file}: {exc}", file=sys.stderr)
            failed += 1
            continue
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        _demo_notice(report.demo_removed)
        print(report.summary())
    if failed:
        print(f"error: {failed} of {len(files)} files were not imported (the others were).", file=sys.stderr)
        return 2
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync web traffic from Google Analytics 4 (incremental; --start/--end for a given window)."""
    from connectors.ga4 import Ga4Error, settings, sync
    from connectors.loader import LoadBusy

    try:
        config = settings(property_id=args.property, credentials_file=args.credentials)
        if args.initial_days:
            from dataclasses import replace

            config = replace(config, initial_days=args.initial_days)
        print(f"syncing {config.describe()} …", file=sys.stderr)
        result = sync(_engine(), config, start=args.start, end=args.end, progress=_progress, actor=cli_actor())
    except (Ga4Error, LoadBusy) as exc:
        raise CliError(str(exc)) from None
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _demo_notice(result.demo_removed)
    print(result.summary())
    return 0


def _campaign_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"{text!r} has an empty campaign name; use CAMPAIGN[,CAMPAIGN…]")
    return names


def _abtest_text(test, cautions: list[str], verdict: str) -> str:
    """The readable form of an A/B test: a table of the variants, the comparison, the verdict and cautions."""
    from metrics.catalog import KPI_BY_ID
    from metrics.format import format_delta, format_value

    unit = KPI_BY_ID[test.kpi].unit
    p = lambda v: "—" if v is None else ("< 0.001" if v < 0.001 else f"{v:.3f}")  # noqa: E731
    share = lambda v: "—" if v is None else f"{v:.1%}"  # noqa: E731
    lines = [f"A/B test of {test.kpi}, {test.period.label} ({test.period.start} to {test.period.end})"
             + (f", channel {test.channel}" if test.channel else ""), ""]
    arms = [("A", test.a, None)] + [(c.variant.upper(), c.arm, c) for c in test.comparisons]
    width = max(12, *(len(arm.name) for _, arm, _ in arms))
    lines.append(f"{'variant':8} {'campaigns':{width}} {'numerator':>12} {'denominator':>12} {'value':>10} "
                 f"{'95% CI':>21} {'diff vs A':>11} {'lift':>8} {'p':>7} {'P(better)':>9}")
    for variant, arm, c in arms:
        ci = f"{format_value(arm.ci_low, unit)} to {format_value(arm.ci_high, unit)}" if arm.ci_low is not None \
            else "—"
        numerator = format_value(arm.numerator, "currency") if unit == "currency" else f"{arm.numerator:,.0f}"
        row = (f"{variant:8} {arm.name:{width}} {numerator:>12} {arm.denominator:>12,.0f} "
               f"{format_value(arm.value, unit):>10} {ci:>21}")
        if c is not None:
            shown_p = c.p_value_adjusted if len(test.comparisons) > 1 else c.p_value
            row += (f" {format_delta(c.difference, unit):>11} {share(c.relative_lift):>8} {p(shown_p):>7} "
                    f"{share(c.probability_better):>9}")
        lines.append(row.rstrip())
    lines.append("")
    for c in test.comparisons:
        lines.append(f"{c.variant.upper()} - A: {format_delta(c.difference, unit)}, 95% CI "
                     f"{format_delta(c.ci_low, unit)} to {format_delta(c.ci_high, unit)}, p {p(c.p_value)}"
                     + (f" (adjusted {p(c.p_value_adjusted)})" if len(test.comparisons) > 1 else "")
                     + (f", needed per variant to detect this lift: {c.needed_per_arm:,}" if c.needed_per_arm
                        else ""))
    lines += [f"Method: {test.method}", "", f"Verdict: {verdict}", ""]
    lines += [f"Caution: {text}" for text in cautions]
    return "\n".join(lines)


def cmd_abtest(args: argparse.Namespace) -> int:
    """Compare campaign variants on a KPI (``abtest``) or plan a test's sample size (``abtest plan``)."""
    if getattr(args, "abtest_action", None) == "plan":
        return cmd_abtest_plan(args)
    from metrics.abtest import ABTestError, cautions, run_abtest, verdict

    missing = [flag for flag, value in (("--kpi", args.kpi), ("--a", args.a), ("--b", args.b),
                                        ("--period", args.period)) if value is None]
    if missing:
        raise CliError(f"abtest needs {', '.join(missing)} (or use: abtest plan --baseline RATE --mde LIFT)")
    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    from metrics.abtest import VARIANTS

    given = [name for name in VARIANTS if getattr(args, name)]
    if given != list(VARIANTS[:len(given)]):
        raise CliError(f"--{given[-1]} needs --{VARIANTS[len(given) - 1]}: variants are given in order "
                       f"({', '.join(VARIANTS)})")
    variants = {name: getattr(args, name) for name in given}
    from warehouse.snapshot import read_snapshot

    with read_snapshot(_engine()) as db, using_calendar(period.calendar):
        if args.channel:
            _filters(db, argparse.Namespace(channel=args.channel))
        try:
            test = run_abtest(db, args.kpi, variants, period, args.channel)
        except ABTestError as exc:
            raise CliError(str(exc)) from None
        if args.format == "json":
            json.dump(test.as_json(), sys.stdout, indent=2, ensure_ascii=False)
            print()
        else:
            print(_abtest_text(test, cautions(test), verdict(test)))
    return 0


def cmd_abtest_plan(args: argparse.Namespace) -> int:
    """The sample size per variant to detect a lift (normal approximation for two proportions)."""
    from metrics.abtest import sample_size_per_arm

    try:
        per_arm = sample_size_per_arm(args.baseline, args.mde, args.relative, args.alpha, args.power)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    doc = {"baseline": args.baseline, "mde": args.mde, "relative": args.relative, "alpha": args.alpha,
           "power": args.power, "per_arm": per_arm}
    if (args.plan_format or args.format) == "json":  # --format before or after 'plan'
        json.dump(doc, sys.stdout, indent=2)
        print()
    else:
        target = args.baseline * (1 + args.mde) if args.relative else args.baseline + args.mde
        print(f"To tell {target:.2%} from a baseline of {args.baseline:.2%} (two-sided, alpha {args.alpha:g}, "
              f"power {args.power:.0%}): {per_arm:,} per variant, {2 * per_arm:,} in all.")
    return 0


# --- funnel (issue 16): the AIDA funnel of a period, channel or campaign ---------------------------------------

def _funnel_text(doc: dict) -> str:
    """The readable form of a funnel: one row per step with its value, its rate from the previous step and what
    was counted (or why it is missing)."""
    period, filters = doc["period"], doc["filters"]
    scope = ", ".join(f"{k} {v}" for k, v in filters.items() if v) or "all channels"
    lines = [f"AIDA funnel, {period['label']} ({period['start']} to {period['end']}), {scope}", ""]
    lines.append(f"{'step':10} {'value':>14} {'rate':>9}  counted / why missing")
    for step in doc["steps"]:
        value = "—" if step["value"] is None else f"{step['value']:,.0f}"
        rate = "—" if step["rate_from_previous"] is None else f"{step['rate_from_previous']:.2%}"
        note = step["source"] or ""
        if step["reason"]:
            note = f"{note}; {step['reason']}" if note else step["reason"]
        lines.append(f"{step['id']:10} {value:>14} {rate:>9}  {note}".rstrip())
    lines += ["", "rate = the step's value ÷ the previous step's value"]
    return "\n".join(lines)


def cmd_funnel(args: argparse.Namespace) -> int:
    """Print the AIDA funnel (attention, interest, desire, action, loyalty) for a period, as text or JSON."""
    from metrics.funnel import compute_funnel, funnel_json
    from warehouse.snapshot import read_snapshot

    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    with read_snapshot(_engine()) as db, using_calendar(period.calendar):
        filters = _filters(db, args)
        doc = funnel_json(compute_funnel(db, period, filters.channel, filters.campaign))
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(_funnel_text(doc))
    return 0


def _add_funnel_parser(sub) -> None:
    funnel = sub.add_parser("funnel", help="the AIDA funnel (attention → interest → desire → action → loyalty)",
                            description="Attention: ad impressions + social impressions + delivered e-mails (a "
                                        "channel counts its own); interest: sessions; desire: add-to-carts where "
                                        "the web data has them, otherwise engaged sessions; action: orders; "
                                        "loyalty: repeat orders. Each rate is a step's value ÷ the previous one's.")
    funnel.add_argument("--period", required=True, help="as for report: 2026-W46, 2026-11, 2026-Q4, "
                        "2026-11-01..2026-11-20 or Jalali 1405-W35")
    funnel.add_argument("--channel", default=None, help="only this channel (e.g. 'Paid Search')")
    funnel.add_argument("--campaign", default=None, help="only this campaign")
    funnel.add_argument("--format", choices=("text", "json"), default="text")
    funnel.set_defaults(func=cmd_funnel)


# --- cohorts (issue 16) ---------------------------------------------------------------------------------------------

def _cohorts_text(doc: dict, currency_text) -> str:
    """The readable form of ``cohorts --format json``: per cohort its customers, CAC and payback, then retention and
    cumulative revenue per customer by periods since the first order."""
    grain = doc["grain"]
    rows = doc["cohorts"]
    if not rows:
        return f"No {grain}ly cohorts: no new customer's first order falls in that range."
    letter = "M" if grain == "month" else "W"
    periods = max(len(row["retention"]) for row in rows)
    label = lambda row: row["cohort"] + (f" {row['acquisition_channel']}" if row["acquisition_channel"] else "")  # noqa: E731
    width = max(8, *(len(label(row)) for row in rows))
    head = f"{'cohort':{width}} {'customers':>9} {'CAC':>10} {'payback':>8}"
    lines = [f"Cohorts by {grain} of first order; {letter}k = k {grain}s after it.", "", head]
    for row in rows:
        payback = "—" if row["payback_period"] is None else f"{letter}{row['payback_period']}"
        cac = "—" if row["cac"] is None else currency_text(row["cac"])
        lines.append(f"{label(row):{width}} {row['customers']:>9,} {cac:>10} {payback:>8}")
    for title, key, cell in (("Retention (share of the cohort ordering in the period)", "retention",
                              lambda v: f"{v:.0%}"),
                             ("Cumulative revenue per customer", "revenue_per_customer", currency_text)):
        lines += ["", title, f"{'cohort':{width}} " + " ".join(f"{letter + str(k):>8}" for k in range(periods))]
        for row in rows:
            lines.append(f"{label(row):{width}} " + " ".join(f"{cell(v):>8}" for v in row[key]))
    if doc.get("last_period_partial"):
        lines += ["", "The last period is still in progress: its values cover the days with data so far."]
    if any(row["acquisition_channel"] and row["cac"] is None for row in rows):
        lines.append("CAC —: the channel has no ad cost in that period (no CAC, LTV:CAC or payback).")
    return "\n".join(lines)


def cmd_cohorts(args: argparse.Namespace) -> int:
    """Cohorts of new customers by the week or month of their first order: retention, revenue per customer,
    CAC, LTV:CAC and payback, for all channels, one acquisition channel (--channel) or each (--by-channel)."""
    from metrics.cohorts import CohortError, cohorts_json, compute_cohorts
    from metrics.format import format_value

    try:
        first, last = parse_period(args.first), parse_period(args.last)
    except PeriodError as exc:
        raise CliError(str(exc)) from None
    from warehouse.snapshot import read_snapshot

    with read_snapshot(_engine()) as db, using_calendar(first.calendar):
        if args.channel:
            _filters(db, argparse.Namespace(channel=args.channel))
        try:
            cohorts = compute_cohorts(db, args.grain, first, last, args.channel, args.by_channel)
        except CohortError as exc:
            raise CliError(str(exc)) from None
    doc = cohorts_json(args.grain, cohorts)
    if args.format == "json":
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(_cohorts_text(doc, lambda v: format_value(v, "currency")))
    return 0


def _add_cohorts_parser(sub) -> None:
    """``python cli.py cohorts --grain month|week --from P --to P [--channel NAME] [--by-channel] [--format json]``."""
    cohorts = sub.add_parser(
        "cohorts", help="cohorts of new customers: retention, revenue per customer, CAC, LTV:CAC and payback",
        description="Cohorts: the new customers whose first order falls in a week or month, followed period by "
                    "period (read from the cohort rollup, never the orders). The acquisition channel is the first "
                    "order's channel; CAC is its ad cost in the cohort period per customer it acquired then.")
    cohorts.add_argument("--grain", choices=("month", "week"), required=True, help="the cohorts' period type")
    cohorts.add_argument("--from", dest="first", required=True, metavar="P",
                         help="the first cohort: 2026-06 or 2026-W23 (Jalali: 1405-03, 1405-W12)")
    cohorts.add_argument("--to", dest="last", required=True, metavar="P", help="the last cohort, as --from")
    cohorts.add_argument("--channel", default=None, help="only customers acquired through this channel")
    cohorts.add_argument("--by-channel", action="store_true", help="split every cohort by acquisition channel")
    cohorts.add_argument("--format", choices=("json", "text"), default="text")
    cohorts.set_defaults(func=cmd_cohorts)


# --- send-review: the weekly review by e-mail (reports/review_mail.py, reports/smtp.py) ---------------------------


def _already_sent(engine, key: str) -> str:
    """'already sent on 2026-11-30 07:00 to a@x.org, b@y.org; --resend to send again' (or being sent now)."""
    from reports.delivery import history
    from reports.review_mail import KIND

    rows = history(engine, KIND)
    row = rows[rows["delivery_key"] == key].iloc[0]
    to = key.partition("|")[2].replace(",", ", ")
    if row["status"] == "sending":
        return (f"being sent to {to} by another run since {_stamp(row['claimed_at'])}; nothing done "
                "(a run that died mid-send is retried an hour after its start)")
    return f"already sent on {_stamp(row['sent_at'])} to {to}; --resend to send again"


def _stamp(value) -> str:
    """A stored timestamp as 'YYYY-MM-DD HH:MM' (the server's local time)."""
    import pandas as pd

    return "?" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def cmd_send_review(args: argparse.Namespace) -> int:
    """E-mail the weekly review of --week to --to, once: a second run sends nothing unless --resend; a failure
    exits 1 with the server's message and is retried by the next run."""
    import os
    from pathlib import Path

    from i18n import LocaleError, default_locale
    from metrics.periods import calendar_for
    from reports.delivery import claim, mark_failed, mark_sent, was_sent
    from reports.review_mail import KIND, RecipientError, build_message, delivery_key, parse_recipients, review_week
    from reports.smtp import MailError, check_sender, send, smtp_settings
    from warehouse.snapshot import read_snapshot

    try:
        lang = args.lang or default_locale()
        to = parse_recipients(args.to)
        week = review_week(args.week, calendar_for(lang))
        if args.dry_run:
            settings, sender = None, check_sender(os.environ.get("KPI_MAIL_FROM") or "kpi@localhost.localdomain")
        else:
            settings = smtp_settings()
            sender = settings.sender
    except (LocaleError, RecipientError, MailError) as exc:
        raise CliError(str(exc)) from None
    if args.dry_run and not Path(args.dry_run).parent.exists():
        raise CliError(f"Folder {Path(args.dry_run).parent} does not exist.")
    engine, key = _engine(), delivery_key(week, to)
    if not args.dry_run and not args.resend and was_sent(engine, KIND, key):
        print(_already_sent(engine, key))
        return 0
    print(f"writing the review of {week.label} ({lang}) …", file=sys.stderr)
    with read_snapshot(engine) as db:  # body and attachment from one state of the warehouse
        message = build_message(db, week, to, sender, lang=lang)
    if args.dry_run:
        Path(args.dry_run).write_bytes(bytes(message))
        print(f"wrote {args.dry_run}: {message['Subject']} (not sent, not recorded)")
        return 0
    claimed = claim(engine, KIND, key, actor=cli_actor().name, resend=args.resend)
    if claimed is None:  # another run sent it or is sending it since we looked
        print(_already_sent(engine, key))
        return 0
    try:
        send(message, settings)
    except MailError as exc:
        if exc.delivered_to:  # the message left: recorded as sent, so no one gets it twice
            return _partly_sent(engine, claimed, message, settings, week, to, exc)
        mark_failed(engine, claimed, str(exc))
        print(f"error: the review of {week.label} was not sent: {exc}. The next run retries it.", file=sys.stderr)
        return 1
    mark_sent(engine, claimed, detail=f"{message['Message-ID']} via {settings.describe()}")
    print(f"sent the review of {week.label} to {', '.join(to)}: {message['Subject']}"
          + (f" (attempt {claimed.attempt})" if claimed.attempt > 1 else ""))
    return 0


def _partly_sent(engine, claimed, message, settings, week, to: list[str], exc) -> int:
    """The server took the message for some (or all) recipients before failing: record it sent (a retry would send
    them a second copy) and say who did not get it. Exit 1 when someone was refused, 0 when all got it."""
    from reports.delivery import mark_sent

    got = {a.lower() for a in exc.delivered_to}
    missed = [a for a in to if a.lower() not in got]
    mark_sent(engine, claimed, detail=f"{message['Message-ID']} via {settings.describe()}; not delivered: {exc}")
    if not missed:
        print(f"sent the review of {week.label} to {', '.join(to)}: {message['Subject']} "
              f"(the server reported afterwards: {exc})")
        return 0
    print(f"error: the review of {week.label} reached {', '.join(exc.delivered_to)} but not "
          f"{', '.join(missed)}: {exc}. Recorded as sent, so the next run does not send it twice; once the address "
          f"is fixed, send it to them alone: send-review --week {week.label} --to {','.join(missed)}",
          file=sys.stderr)
    return 1


def _add_send_review_parser(sub) -> None:
    send = sub.add_parser(
        "send-review", help="e-mail the weekly review (once per week and recipients; --resend to repeat)",
        description="E-mail the weekly review through KPI_SMTP_URL (smtp://user:password@host:587?starttls=true or "
                    "smtps://user:password@host:465) from KPI_MAIL_FROM. The same week to the same recipients is "
                    "sent once: running it again sends nothing unless --resend. A failure exits 1 with the "
                    "server's message and the next run retries it.")
    send.add_argument("--week", required=True,
                      help="ISO week 2026-W46, Jalali week 1405-W35, or 'last' (the last complete week)")
    send.add_argument("--to", required=True, metavar="ADDR[,ADDR…]", help="recipients, comma-separated")
    send.add_argument("--resend", action="store_true", help="send again even if it was sent")
    send.add_argument("--lang", choices=("en", "fa", "ar"), default=None,
                      help="the e-mail's language and its calendar (default: KPI_LOCALE, else en); this command's "
                           "messages stay English")
    send.add_argument("--dry-run", metavar="FILE.eml", default=None,
                      help="write the message to FILE.eml instead of sending it (nothing recorded)")
    send.set_defaults(func=cmd_send_review)
def _week(text: str, lang: str):
    """``text`` as a week Period, 'last' the last complete week in ``lang``'s calendar (CliError otherwise)."""
    from metrics.periods import calendar_for
    from reports.review_mail import review_week

    try:
        return review_week(text, calendar_for(lang))
    except PeriodError as exc:
        raise CliError(str(exc)) from None


def _chat_lang(args: argparse.Namespace) -> str:
    from i18n import LocaleError, default_locale

    try:
        return args.lang or default_locale()
    except LocaleError as exc:
        raise CliError(str(exc)) from None


def _webhook(args: argparse.Namespace, required: bool = True) -> str | None:
    """--webhook, else KPI_WEBHOOK_URL (checked: an http(s) URL); CliError when required and missing."""
    import os

    from reports.webhooks import WebhookError, check_url

    url = args.webhook or os.environ.get("KPI_WEBHOOK_URL", "").strip() or None
    if url is None and not required:
        return None
    try:
        return check_url(url)
    except WebhookError as exc:
        raise CliError(str(exc)) from None


def cmd_notify(args: argparse.Namespace) -> int:
    """Post the week's summary to a Slack or Teams webhook, once per week and destination."""
    from reports.delivery import was_sent
    from reports.notify import notify, public_url
    from reports.webhooks import WebhookError, redact

    lang = _chat_lang(args)
    week, url = _week(args.week, lang), _webhook(args)
    engine = _engine()
    try:
        posted = notify(engine, week, url, args.format, actor=cli_actor().name, resend=args.resend, lang=lang,
                        base=public_url())
    except WebhookError as exc:
        print(f"error: {exc} (not recorded as sent: the next run retries)", file=sys.stderr)
        return 1
    if posted.status == "skipped" and not was_sent(engine, "notify", posted.key):
        print(f"skipped: another run is posting the {week.label} summary to {redact(url)} right now")
    elif posted.status == "skipped":
        print(f"skipped: the {week.label} summary was already posted to {redact(url)} ({args.format}); "
              "--resend posts it again")
    else:
        print(f"posted the {week.label} summary to {redact(url)} ({args.format})")
    return 0


def _addresses(values: list[list[str]] | None) -> list[str]:
    """--to values (repeated, space or comma separated) as a list of addresses."""
    from reports.review_mail import RecipientError, parse_recipients

    found = [a.strip() for group in values or [] for item in group for a in item.split(",") if a.strip()]
    try:
        return parse_recipients(",".join(found)) if found else []
    except RecipientError as exc:
        raise CliError(str(exc)) from None


def cmd_alerts(args: argparse.Namespace) -> int:
    """Post each new alert (off track, unusual, stale source) of a period once to a webhook and/or by e-mail."""
    from reports.alert_rules import RulesError, load_rules
    from reports.alerts import find_alerts, mail_alerts, post_alerts
    from reports.notify import public_url
    from warehouse.snapshot import read_snapshot

    try:
        period = parse_period(args.period)
        rules = load_rules(args.rules)
    except (PeriodError, RulesError) as exc:
        raise CliError(str(exc)) from None
    to = _addresses(args.to)
    url = _webhook(args, required=not to)
    lang = _chat_lang(args)
    engine = _engine()
    with read_snapshot(engine) as db:
        alerts = find_alerts(db, period, rules, lang=lang, base=public_url())
    actor = cli_actor().name
    outcomes = post_alerts(engine, alerts, url, args.format, actor=actor, resend=args.resend) if url else []
    if to:
        outcomes += mail_alerts(engine, alerts, period, to, actor=actor, resend=args.resend, lang=lang)
    if not alerts:
        print(f"no alerts for {period.label}")
    for o in outcomes:
        line = f"{o.status:8s} {o.alert.rule:9s} {o.alert.subject:32s} {o.destination}"
        if o.status == "skipped":
            line += " (already sent)"
        print(line)
        if o.error:
            print(f"error: {o.alert.rule} {o.alert.subject} to {o.destination}: {o.error}", file=sys.stderr)
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("sent", "skipped", "failed")}
    print(f"{counts['sent']} sent, {counts['skipped']} skipped as already sent, {counts['failed']} failed "
          f"({len(alerts)} alerts for {period.label})")
    return 1 if counts["failed"] else 0


def _add_chat_parsers(sub) -> None:
    """notify and alerts: the review's summary and new alerts posted to chat (reports/notify.py, alerts.py)."""
    langs = {"choices": ("en", "fa", "ar"), "default": None,
             "help": "the message's language (default: KPI_LOCALE, else en); this command's own output stays English"}
    notify = sub.add_parser("notify", help="post the week's summary to a Slack or Teams webhook (once per week)")
    notify.add_argument("--week", required=True, help="ISO week, e.g. 2026-W46 (Jalali: 1405-W35), or 'last' (the "
                        "last complete week)")
    notify.add_argument("--webhook", default=None, metavar="URL", help="the webhook URL (default: KPI_WEBHOOK_URL)")
    notify.add_argument("--format", choices=("slack", "teams"), default="slack",
                        help="slack: incoming webhook; teams: a Workflows 'when a webhook request is received' URL")
    notify.add_argument("--resend", action="store_true", help="post again even if this week was posted there")
    notify.add_argument("--lang", **langs)
    notify.set_defaults(func=cmd_notify)

    alerts = sub.add_parser("alerts", help="post each new alert (off track, unusual, stale source) once")
    alerts.add_argument("--period", required=True, help="as for report: 2026-W47, 2026-11, … (the current week "
                        "for a daily job)")
    alerts.add_argument("--webhook", default=None, metavar="URL", help="the webhook URL (default: KPI_WEBHOOK_URL)")
    alerts.add_argument("--to", action="append", nargs="+", default=None, metavar="ADDR",
                        help="also e-mail the alerts to these addresses (KPI_SMTP_URL, KPI_MAIL_FROM)")
    alerts.add_argument("--format", choices=("slack", "teams"), default="slack")
    alerts.add_argument("--rules", default=None, metavar="FILE",
                        help="TOML file switching rules per KPI and source (default: KPI_ALERT_RULES; all on)")
    alerts.add_argument("--resend", action="store_true", help="post again alerts already sent")
    alerts.add_argument("--lang", **langs)
    alerts.set_defaults(func=cmd_alerts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python cli.py", description="e-marketing 5S KPI dashboard: command line")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="load the demo shop's data (idempotent), or remove it (--remove)")
    demo.add_argument("--as-of", type=_date, default=None, help="data ends the day before (default: today)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--remove", action="store_true",
                      help="remove all demo data (facts, targets, notes, actions, its sync log) and load nothing")
    demo.set_defaults(func=cmd_demo)

    report = sub.add_parser("report", help="every KPI for a period, as JSON or CSV")
    report.add_argument("--period", required=True, help="2026-W46, 2026-11, 2026-Q4 or 2026-11-01..2026-11-20; "
                        "Jalali: 1405-W35, 1405-08, 1405-Q3, 1405 or 1405-08-18..1405-08-24")
    report.add_argument("--channel", default=None, help="only this channel's rows (e.g. 'Paid Search')")
    report.add_argument("--campaign", default=None, help="only this campaign's rows")
    report.add_argument("--format", choices=("json", "csv"), default="json")
    report.set_defaults(func=cmd_report)

    from connectors.datasets import KINDS

    imp = sub.add_parser(
        "import", help="import CSV or Excel files, each all valid rows or none",
        usage="%(prog)s [-h] [--skip-invalid] [KIND] FILE [FILE ...]",
        description="Import files. With KIND (one of " + ", ".join(KINDS) + ") every file is read as that kind; "
                    "without it, each file's tool (GA4, Google Ads, Meta, Shopify, WooCommerce, Mailchimp exports, "
                    "as downloaded) and kind are recognised from its header.")
    imp.add_argument("files", nargs="+", metavar="[KIND] FILE",
                     help="a .csv (UTF-8 or UTF-16, with or without BOM) or .xlsx file; several may be given")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="load the valid rows; write the rejected ones with reasons to FILE.rejected.csv")
    imp.set_defaults(func=cmd_import)

    sync = sub.add_parser("sync", help="sync web traffic from Google Analytics 4 (incremental, idempotent)")
    sync.add_argument("source", choices=("ga4",), help="the source to sync")
    sync.add_argument("--property", default=None, help="GA4 property ID (default: GA4_PROPERTY_ID)")
    sync.add_argument("--start", type=_date, default=None, help="first date (default: 3 days before the last sync, "
                      "or --initial-days back on the first sync)")
    sync.add_argument("--end", type=_date, default=None, help="last date (default: yesterday)")
    sync.add_argument("--credentials", default=None, metavar="FILE",
                      help="service-account JSON key (default: GOOGLE_APPLICATION_CREDENTIALS)")
    sync.add_argument("--initial-days", type=int, default=None, help="days the first sync covers (default 400)")
    sync.set_defaults(func=cmd_sync)

    targets = sub.add_parser("targets", help="import or export plan targets as CSV")
    target_actions = targets.add_subparsers(dest="action", required=True)
    target_import = target_actions.add_parser("import", help="import FILE.csv (all rows or none)")
    target_import.add_argument("file", help="CSV with columns kpi_id,grain,period,channel,target")
    target_export = target_actions.add_parser("export", help="print targets as CSV")
    target_export.add_argument("--period", default=None, help="only targets overlapping this period")
    targets.set_defaults(func=cmd_targets)

    review = sub.add_parser("review", help="the weekly review as a self-contained HTML file")
    review.add_argument("--week", required=True, help="ISO week, e.g. 2026-W46")
    review.add_argument("--out", required=True, help="the HTML file to write, e.g. review.html")
    review.add_argument("--channel", default=None, help="review one channel only")
    review.add_argument("--lang", choices=("en", "fa", "ar"), default=None,
                        help="the review's language (default: KPI_LOCALE, else en); this command's messages stay "
                             "English")
    review.set_defaults(func=cmd_review)

    catalog = sub.add_parser("catalog", help="the KPI catalog as Markdown (from the declarations)")
    catalog.add_argument("--write-readme", action="store_true", help="regenerate the README's catalog section")
    catalog.set_defaults(func=cmd_catalog)

    abtest = sub.add_parser(
        "abtest", help="A/B test campaign variants on a KPI, or plan a test's sample size (abtest plan)",
        usage="%(prog)s --kpi ID --a CAMPAIGN[,CAMPAIGN...] --b CAMPAIGN[,...] [--c ...] [--d ... --f] --period P "
              "[--channel NAME] [--format json|text]\n       %(prog)s plan --baseline RATE --mde LIFT [--relative] "
              "[--alpha 0.05] [--power 0.8] [--format json|text]",
        description="Compare variants (each one campaign or several) on an A/B-testable KPI: share KPIs by the "
                    "pooled two-proportion z-test with Newcombe's interval and P(B better) from Beta(1,1) "
                    "posteriors; average order value by Welch's t-test; more than two variants with "
                    "Benjamini-Hochberg adjusted p-values.")
    abtest.add_argument("--kpi", default=None, help="an A/B-testable KPI id, e.g. speak.email_click_rate")
    from metrics.abtest import VARIANTS

    for name in VARIANTS:
        abtest.add_argument(f"--{name}", type=_campaign_list, default=None, metavar="CAMPAIGN[,CAMPAIGN...]",
                            help=f"variant {name.upper()}'s campaign(s)" + (" (the control)" if name == "a" else ""))
    abtest.add_argument("--period", default=None, help="as for report: 2026-10, 2026-W46, 2026-11-01..2026-11-20")
    abtest.add_argument("--channel", default=None, help="only this channel's rows")
    abtest.add_argument("--format", choices=("json", "text"), default="text")
    abtest_actions = abtest.add_subparsers(dest="abtest_action", required=False, metavar="plan",
                                           title="before the test")
    plan = abtest_actions.add_parser("plan", prog="python cli.py abtest plan",
                                     help="the sample size per variant to detect a lift (abtest plan --help)")
    plan.add_argument("--baseline", type=float, required=True, help="the current rate, e.g. 0.03 for 3%%")
    plan.add_argument("--mde", type=float, required=True,
                      help="the smallest lift worth detecting: absolute (0.003 = +0.3 points) or with --relative a "
                           "fraction of the baseline (0.1 = +10%%)")
    plan.add_argument("--relative", action="store_true", help="--mde is relative to the baseline")
    plan.add_argument("--alpha", type=float, default=0.05, help="significance level, two-sided (default 0.05)")
    plan.add_argument("--power", type=float, default=0.8, help="power (default 0.8)")
    plan.add_argument("--format", dest="plan_format", choices=("json", "text"), default=None)
    abtest.set_defaults(func=cmd_abtest)

    copy = sub.add_parser("copy-warehouse", help="copy the whole warehouse to another database (e.g. PostgreSQL)")
    copy.add_argument("--to", required=True, help="target URL, e.g. postgresql+psycopg://user:password@host/kpi")
    copy.add_argument("--from", dest="source", default=None, help="source URL (default: KPI_DATABASE_URL)")
    copy.add_argument("--replace", action="store_true", help="overwrite a target that already holds data")
    copy.set_defaults(func=cmd_copy_warehouse)

    _add_cohorts_parser(sub)
    _add_funnel_parser(sub)
    _add_audit_parser(sub)
    _add_send_review_parser(sub)
    _add_chat_parsers(sub)
    return parser


def cmd_audit(args: argparse.Namespace) -> int:
    """The audit trail (who changed what, when), newest first, as CSV (default) or JSON on stdout."""
    from access.audit import audit_csv, audit_json

    engine = _engine()
    if args.format == "json":
        print(audit_json(engine, args.since))
    else:
        sys.stdout.write(audit_csv(engine, args.since))
    return 0


def _add_audit_parser(sub) -> None:
    audit = sub.add_parser("audit", help="the audit trail: who changed targets, notes, actions, imports, syncs "
                                         "and the demo data, when, with the values before and after")
    audit.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD",
                       help="only changes made on or after this day")
    audit.add_argument("--format", choices=("csv", "json"), default="csv",
                       help="csv (default; before/after as JSON text) or json (a list of objects)")
    audit.set_defaults(func=cmd_audit)


def main(argv: list[str] | None = None) -> int:
    """Run a command; its locale and calendar are set in a context of its own (a caller's stay as they were)."""
    import contextvars

    return contextvars.copy_context().run(_main, argv)


def _main(argv: list[str] | None) -> int:
    from i18n import LocaleError, default_locale, set_locale
    from metrics.periods import calendar_for, set_calendar
    from warehouse.db import DatabaseError

    set_locale("en")  # the CLI's messages stay English: scripts read them
    try:
        set_calendar(calendar_for(default_locale()))  # its periods follow KPI_CALENDAR / KPI_LOCALE
    except (LocaleError, PeriodError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, DatabaseError, PeriodError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
