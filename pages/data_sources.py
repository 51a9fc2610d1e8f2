"""Data sources: what each source has loaded and how fresh it is; sync GA4 now; upload CSV or Excel files."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from connectors import freshness, ga4
from connectors.datasets import DATASETS, KINDS
from connectors.demo_data import removed_message
from connectors.files import FileImportError, import_upload
from connectors.formats import describe_formats
from connectors.loader import LoadBusy
from connectors.tabular import describe
from i18n import N_, _, ngettext
from i18n.numerals import localize_digits
from metrics import attribution
from metrics.date_text import format_date
from metrics.format import format_value
from ui import data
from ui.auth import current_actor, open_notice, read_only_note
from ui.bidi import column_order, isolate
from ui.entry import require_entrypoint
from ui.safe_text import md

require_entrypoint()
STATUS_WORDS = {"ok": N_("up to date"), "stale": N_("stale"), "empty": N_("no data")}
STATUS_MARKS = {"ok": "✅", "stale": "⚠️", "empty": "⛔"}
SOURCE_COLUMNS = {"Source": N_("Source"), "Status": N_("Status"), "From": N_("From"), "To": N_("To"),
                  "Complete through": N_("Complete through"), "Rows": N_("Rows"),
                  "Last successful load": N_("Last successful load"), "Loaded by": N_("Loaded by"),
                  "Last error": N_("Last error")}  # the frame's columns (English keys) -> their headers
FORMAT_COLUMNS = {"tool": N_("tool"), "export": N_("export"), "loads as": N_("loads as"),
                  "where to download it": N_("where to download it"), "skipped": N_("skipped")}
FIELD_COLUMNS = {"column": N_("column"), "holds": N_("holds"), "required": N_("required"),
                 "also accepted": N_("also accepted")}
SECRETS_EXAMPLE = """# .streamlit/secrets.toml
[ga4]
property_id = "123456789"

[ga4.credentials]   # the fields of the service account's JSON key
type = "service_account"
project_id = "my-project"
private_key_id = "…"
private_key = "-----BEGIN PRIVATE KEY-----\\n…\\n-----END PRIVATE KEY-----\\n"
client_email = "kpi-dashboard@my-project.iam.gserviceaccount.com"
token_uri = "https://oauth2.googleapis.com/token"
"""

engine = data.engine()
actor = current_actor()


@st.cache_data(show_spinner=False, max_entries=16)
def status(version: tuple, today: date) -> dict:
    return freshness.source_status(engine, today)


@st.cache_data(show_spinner=False, max_entries=16)
def attributed(version: tuple) -> attribution.Attribution:
    return attribution.attribution(engine)


def show_outcome(key: str) -> None:
    """The message a sync or import left before the page reloaded."""
    outcome = st.session_state.pop(key, None)
    if not outcome:
        return
    if outcome.get("demo_removed"):
        st.info(removed_message(outcome["demo_removed"]), icon=":material/cleaning_services:")
    getattr(st, outcome["level"])(md(outcome["text"]))
    for warning in outcome.get("warnings", []):
        st.warning(md(warning))
    if outcome.get("problems"):
        st.dataframe(pd.DataFrame(outcome["problems"]), hide_index=True, width="stretch",
                     column_order=column_order(["line", "column", "value", "expected"]),
                     column_config={"line": _("line"), "column": _("column"), "value": _("value"),
                                    "expected": _("expected")})
    if outcome.get("rejected_csv"):
        st.download_button(_("Download the rejected rows (CSV)"), outcome["rejected_csv"],
                           file_name=outcome["rejected_name"], mime="text/csv")


def progress_bar(text: str):
    bar = st.progress(0.0, text=text)
    return lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message)


st.title(_("Data sources"))
open_notice()  # without [auth]: anyone who can reach the app can change it
st.caption(_("What each source has put in the warehouse, how fresh it is and how its last loads went. Every sync and "
             "import is one transaction: a refused or failed one leaves the data as it was. *Complete through* is "
             "the last day a source's data covers: a KPI over later days is marked partial and judged on the days "
             "covered, never counted as zero."))

sources = status(data.version(), date.today())
counts = {s: sum(1 for v in sources.values() if v["status"] == s) for s in STATUS_WORDS}
st.markdown(" · ".join(f"**{localize_digits(str(n))}** {_(STATUS_WORDS[s])}" for s, n in counts.items()))
st.dataframe(pd.DataFrame([{
    "Source": _(v["label"]), "Status": f"{STATUS_MARKS[v['status']]} {_(STATUS_WORDS[v['status']])}",
    "From": v["first"], "To": v["last"],
    "Complete through": v["complete_through"],
    "Rows": v["rows"], "Last successful load": freshness.age_text(v["last_success"]),
    "Loaded by": v["last_source"] or "", "Last error": (v["last_error"] or "").replace("\n", " ")[:300],
} for v in sources.values()], columns=list(SOURCE_COLUMNS)), hide_index=True, width="stretch",
    column_order=column_order(list(SOURCE_COLUMNS)),
    column_config={column: _(header) for column, header in SOURCE_COLUMNS.items()})
for v in sources.values():
    if v["failing"]:
        st.error(_("**{source}**: the last load failed {when}: {error}").format(
            source=_(v["label"]), when=freshness.age_text(v["last_error_at"]), error=md(v["last_error"])))
    elif v["status"] != "ok":
        st.warning(md(v["message"]))

st.header(_("Google Analytics 4"))
show_outcome("ga4_outcome")
try:
    config = ga4.settings(secrets=ga4.streamlit_secrets())
except ga4.Ga4Error as exc:
    config = None
    st.error(str(exc))
if config is not None and config.configured:
    cursor = ga4.last_cursor(engine, config.source)
    st.write(_("Connected: {source}.").format(source=isolate(config.describe())) + " "
             + (_("Synced through {date}; the next sync re-reads the last {days} days.").format(
                 date=format_date(cursor), days=localize_digits(str(ga4.RESTATE_DAYS)))
                if cursor else _("Not synced yet: the first sync reads the last {days} days.").format(
                 days=localize_digits(str(config.initial_days)))))
    if not actor.can("sync"):
        read_only_note(actor)
    elif st.button(_("Sync GA4 now"), type="primary"):
        try:
            result = ga4.sync(engine, config, progress=progress_bar(_("Connecting to Google Analytics …")),
                             actor=current_actor())
        except (ga4.Ga4Error, LoadBusy) as exc:
            st.session_state["ga4_outcome"] = {"level": "error", "text": str(exc)}
        else:
            st.session_state["ga4_outcome"] = {"level": "success", "text": result.summary(),
                                               "warnings": result.warnings, "demo_removed": result.demo_removed}
        st.rerun()
elif config is not None:
    st.info(_("GA4 is not connected, so web traffic comes from file imports (kind “web”) or the demo data.") + " "
            + _(ga4.HOW_TO_CONFIGURE))
    st.code(SECRETS_EXAMPLE, language="toml")
    st.caption(_("Or set the environment variables GA4_PROPERTY_ID and GOOGLE_APPLICATION_CREDENTIALS (the key file) "
                 "before starting the app; then `python cli.py sync ga4` works from cron too."))

st.header(_("Import files"))
for key in st.session_state.pop("import_outcomes", []):
    show_outcome(key)
AUTO = "recognise"
kind = st.selectbox(_("Kind of data"), (AUTO, *KINDS), key="import_kind",
                    format_func=lambda k: _("Recognise each file (tools' exports and the kinds below)") if k == AUTO
                    else _("{label} ({kind})").format(label=_(freshness.LABELS[k]), kind=k))
with st.expander(_("Tools' exports recognised as downloaded")):
    st.dataframe(pd.DataFrame([{"tool": f["tool"], "export": f["export"], "loads as": f["kind"],
                                "where to download it": f["download"], "skipped": f["skips"]}
                               for f in describe_formats()]), hide_index=True, width="stretch",
                 column_order=column_order(list(FORMAT_COLUMNS)),
                 column_config={column: _(header) for column, header in FORMAT_COLUMNS.items()})
if kind != AUTO:
    dataset = DATASETS[kind]
    st.caption(_(dataset.description) + " " + _(
        "Rows are matched on {key}: importing the same file again changes nothing, and a corrected file updates the "
        "rows it names.").format(key=isolate(", ".join(dataset.key))))
    with st.expander(_("Columns of a {kind} file").format(kind=isolate(kind))):
        st.dataframe(pd.DataFrame([{"column": f.name, "holds": describe(f.type, f.choices),
                                    "required": _("yes") if f.required else _("no"),
                                    "also accepted": ", ".join(f.aliases)}
                                   for f in dataset.fields]), hide_index=True, width="stretch",
                     column_order=column_order(list(FIELD_COLUMNS)),
                     column_config={column: _(header) for column, header in FIELD_COLUMNS.items()})
else:
    st.caption(_("Each file's tool and kind are recognised from its header; every file is checked and loaded on its "
                 "own (all its valid rows or none). Importing the same file again changes nothing."))
if actor.can("import"):  # file upload for editors and admins
    uploaded = st.file_uploader(_("CSV or Excel files"), type=["csv", "txt", "tsv", "xlsx", "xlsm"],
                                accept_multiple_files=True, key=f"upload_{kind}")
    skip = st.checkbox(_("Skip invalid rows: load the valid ones and download the rejected ones"),
                       key="skip_invalid")
else:
    read_only_note(actor)
    uploaded, skip = [], False


def import_one(file, kind: str | None, index: int, total: int) -> dict:
    """Import one uploaded file; the outcome to show after the page reloads."""
    try:
        result = import_upload(engine, kind, file.name, file.getvalue(), skip_invalid=skip,
                               progress=progress_bar(_("File {index} of {total}: reading {file} …").format(
                                   index=localize_digits(str(index)), total=localize_digits(str(total)),
                                   file=isolate(file.name))), actor=current_actor())
    except FileImportError as exc:
        text = str(exc)
        if exc.problems:  # the problems go to a table below the message
            text = "\n\n".join(line for line in text.split("\n") if not line.startswith("- "))
        return {"level": "error", "text": text,
                "problems": [{"line": p.line, "column": p.column, "value": p.value, "expected": p.expected}
                             for p in exc.problems]}
    except LoadBusy as exc:
        return {"level": "warning", "text": f"{file.name}: {exc}"}
    return {"level": "success", "text": result.summary(), "warnings": result.warnings,
            "demo_removed": result.demo_removed, "rejected_csv": result.rejected_csv,
            "rejected_name": str(result.rejected_file or "rejected.csv")}


label = (ngettext("Import {count} file", "Import {count} files", len(uploaded)).format(
    count=localize_digits(str(len(uploaded)))) if len(uploaded) > 1 else _("Import"))
if actor.can("import") and st.button(label, disabled=not uploaded):
    keys = []
    for i, file in enumerate(uploaded, start=1):
        keys.append(f"import_outcome_{i}")
        st.session_state[keys[-1]] = import_one(file, None if kind == AUTO else kind, i, len(uploaded))
    st.session_state["import_outcomes"] = keys
    st.rerun()

st.header(_("Orders attributed through GA4"))
st.caption(_("An order without a channel of its own takes the channel and campaign of the GA4 purchase with its id "
             "(a leading # ignored), when it is imported and when GA4 is synced. An order's own channel (from its "
             "file) is never changed, and all-channel totals stay the same."))
found = attributed(data.version())
if found.start is None:
    st.info(_("No GA4 purchases by transaction id synced yet: orders without a channel of their own stay "
              "“(unattributed)”."))
else:
    st.write(_("Orders dated {first} to {last} (the first and last day of the GA4 purchases in the warehouse):")
             .format(first=format_date(found.start), last=format_date(found.end)))
    left, right = st.columns(2)
    left.metric(_("Orders attributed by GA4"), format_value(found.order_share, "percent"),
                help=_("{attributed} of {orders} orders").format(
                    attributed=format_value(found.attributed_orders, "count"),
                    orders=format_value(found.orders, "count")))
    right.metric(_("Revenue attributed by GA4"), format_value(found.revenue_share, "percent"),
                 help=_("{attributed} of {revenue} (net of refunds)").format(
                     attributed=format_value(found.attributed_revenue, "currency"),
                     revenue=format_value(found.revenue, "currency")))
    st.caption(attribution.summary_text(found))
    st.dataframe(attribution.channel_table(found), hide_index=True, width="stretch")
