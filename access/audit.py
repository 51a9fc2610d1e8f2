"""The audit trail: who changed what, when, with the values before and after.

Every function that writes (targets, notes, actions, file imports, GA4 sync, demo removal) calls :func:`record`
on the connection of its own transaction, so a change that fails leaves no record and a change is never left
unrecorded. Values are stored as JSON text with sorted keys (dates as ISO text).

``object_key`` names the thing changed in a stable English form, e.g. ``sell.revenue · quarter 2026-Q4 · all
channels`` (a target), ``note 12 · sell.revenue · week 2026-W45 · all channels``, ``action 7 · review 2026-W46``,
``orders · orders.csv`` (an import), ``GA4 property 123456`` (a sync), ``demo data`` (its removal).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from access.roles import Actor
from i18n import N_, _, is_rtl
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID
from metrics.date_text import format_date, period_code
from metrics.format import format_value
from metrics.periods import PeriodError, parse_period
from reports.csv_safe import safe_rows
from warehouse import schema

ALL_CHANNELS = "all channels"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The JSON keys / CSV columns of `python cli.py audit` (a contract: extend, never rename).
EXPORT_COLUMNS = ["at", "actor", "role", "via", "action", "object", "before", "after", "detail"]
FRAME_COLUMNS = ["id", "at", "actor", "role", "via", "action", "object_key", "before", "after", "detail"]


def _plain(value: object) -> object:
    """A value JSON can hold: dates as ISO text, numpy/pandas scalars as Python ones, NaN/NaT as null."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date, time)):  # also pd.Timestamp
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def to_json(value: object) -> str | None:
    """``value`` as JSON text with sorted keys (None stays None: no value, e.g. before a creation)."""
    if value is None:
        return None
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False)


def record(conn: Connection, actor: Actor, action: str, object_key: str, before: object = None,
           after: object = None, detail: str | None = None) -> None:
    """Write one audit row on ``conn`` (inside the transaction of the change it records)."""
    conn.execute(insert(schema.audit_log).values(
        at=datetime.now(), actor=actor.name[:200], role=actor.role.label, via=actor.via, action=action,
        object_key=object_key[:400], before_json=to_json(before), after_json=to_json(after), detail=detail))


def target_key(kpi_id: str, grain: str, period_label: str, channel: str) -> str:
    """'sell.revenue · quarter 2026-Q4 · all channels' (or the channel's name)."""
    return f"{kpi_id} · {grain} {period_label} · {channel or ALL_CHANNELS}"


def note_key(note_id: int, kpi_id: str, week_label: str, channel: str) -> str:
    """'note 12 · sell.revenue · week 2026-W45 · all channels'."""
    return f"note {note_id} · {kpi_id} · week {week_label} · {channel or ALL_CHANNELS}"


def action_key(action_id: int, week_label: str) -> str:
    """'action 7 · review 2026-W46'."""
    return f"action {action_id} · review {week_label}"


def import_key(kind: str, file: str) -> str:
    """'orders · orders.csv'."""
    return f"{kind} · {file}"


def record_demo_cleared(conn: Connection, actor: Actor, removed: dict[str, int], before: str) -> None:
    """The demo removed before the owner's first own data (``before``: what made way, e.g. 'orders · orders.csv');
    nothing when no demo was removed."""
    if removed:
        record(conn, actor, "remove_demo", "demo data", after=removed,
               detail=f"removed before your first own data ({before})")


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """(before, after) of the fields whose values differ (dates compared as ISO text, NaN as None)."""
    old, new = {}, {}
    for key, value in after.items():
        a, b = _plain(before.get(key)), _plain(value)
        if a != b:
            old[key], new[key] = a, b
    return old, new


def _parse(text: object) -> object:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    return json.loads(text)


def audit_frame(engine: Engine, since: date | None = None, action: str | None = None,
                actor: str | None = None) -> pd.DataFrame:
    """Audit rows (FRAME_COLUMNS; ``before``/``after`` as Python values), newest first, optionally from ``since``
    (that day included), of one ``action`` (a key of access.roles.NEEDS) or one ``actor`` (their name)."""
    t = schema.audit_log
    query = select(t.c.id, t.c.at, t.c.actor, t.c.role, t.c.via, t.c.action, t.c.object_key, t.c.before_json,
                   t.c.after_json, t.c.detail).order_by(t.c.at.desc(), t.c.id.desc())
    if since is not None:
        query = query.where(t.c.at >= datetime.combine(since, time()))
    if action:
        query = query.where(t.c.action == action)
    if actor:
        query = query.where(t.c.actor == actor)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r[:7]) + (None, None, r[9]) for r in rows], columns=FRAME_COLUMNS)
    # JSON values as they are (a number, text, an object or None): never coerced to a float column with NaN
    frame["before"] = pd.Series([_parse(r[7]) for r in rows], index=frame.index, dtype=object)
    frame["after"] = pd.Series([_parse(r[8]) for r in rows], index=frame.index, dtype=object)
    frame["detail"] = pd.Series([r[9] for r in rows], index=frame.index, dtype=object)
    return frame


def audit_actors(engine: Engine) -> list[str]:
    """Everyone who appears in the audit trail, by name."""
    t = schema.audit_log
    with engine.connect() as conn:
        return list(conn.execute(select(t.c.actor).distinct().order_by(t.c.actor)).scalars())


def export_records(frame: pd.DataFrame) -> list[dict]:
    """Rows of :func:`audit_frame` as the CLI writes them (EXPORT_COLUMNS; ``at`` as ISO text to the second)."""
    return [{"at": pd.Timestamp(r.at).isoformat(timespec="seconds"), "actor": r.actor, "role": r.role, "via": r.via,
             "action": r.action, "object": r.object_key, "before": r.before, "after": r.after, "detail": r.detail}
            for r in frame.itertuples(index=False)]


def audit_json(engine: Engine, since: date | None = None) -> str:
    """The audit trail as a JSON list of objects (before/after as JSON values, not text)."""
    return json.dumps(export_records(audit_frame(engine, since)), ensure_ascii=False, indent=2)


def csv_text(frame: pd.DataFrame) -> str:
    """Rows of :func:`audit_frame` as CSV (EXPORT_COLUMNS; before/after as JSON text), formula cells neutralised."""
    rows = [{**r, "before": to_json(r["before"]), "after": to_json(r["after"])} for r in export_records(frame)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_rows(rows))
    return out.getvalue()


def audit_csv(engine: Engine, since: date | None = None) -> str:
    """The audit trail as CSV text (see :func:`csv_text`)."""
    return csv_text(audit_frame(engine, since))


# --- what the audit page shows (every word in the reader's language) -------------------------------------------

ACTION_LABELS = {"targets": N_("Targets"), "notes": N_("Notes"), "actions": N_("Actions"),
                 "import": N_("File import"), "sync": N_("GA4 sync"), "remove_demo": N_("Demo removal")}
ROLE_LABELS = {"viewer": N_("viewer"), "editor": N_("editor"), "admin": N_("admin")}
VIA_LABELS = {"sign-in": N_("signed in"), "open": N_("open app"), "cli": N_("command line"), "system": N_("system")}
FIELD_LABELS = {
    "text": N_("text"), "owner": N_("owner"), "due_date": N_("due date"), "status": N_("status"), "kpi_id": N_("KPI"),
    "kpi": N_("KPI"), "week": N_("week"), "channel": N_("channel"), "author": N_("author"), "file": N_("file"),
    "kind": N_("kind"), "format": N_("format"), "rows": N_("rows"), "inserted": N_("new"), "updated": N_("updated"),
    "unchanged": N_("unchanged"), "rejected": N_("rejected"), "deleted": N_("deleted"), "property": N_("property"),
    "start": N_("from"), "end": N_("to"), "purchases": N_("purchases"),
}
STATUS_WORDS = {"open": N_("open"), "done": N_("done")}  # an action's status (as metrics.review shows it)
OBJECT_LABELS = {"demo data": N_("the demo data"), "demo plan": N_("the demo's plan")}
DETAIL_LABELS = {"the demo's own targets": N_("the demo's own targets"),
                 "rows removed per table": N_("rows removed per table"),
                 "skip invalid rows": N_("invalid rows skipped")}
DETAIL_PATTERNS = [  # the details the product writes (stored in English, shown in the reader's language)
    (re.compile(r"imported from (?P<file>.+)"), N_("imported from {file}")),
    (re.compile(r"removed before your first own data \((?P<what>.+)\)"),
     N_("removed before your first own data ({what})")),
    (re.compile(r"(?P<start>\d{4}-\d{2}-\d{2}) to (?P<end>\d{4}-\d{2}-\d{2})"), N_("{start} to {end}")),
]
TABLE_COLUMNS = ["when", "who", "role", "via", "action", "object", "change", "detail"]


def _when(at: object) -> str:
    moment = pd.Timestamp(at)
    return _("{day} {time}").format(day=format_date(moment.date()), time=localize_digits(f"{moment:%H:%M}"))


def _value(value: object, unit: str | None = None) -> str:
    """One stored value as text: empty as '—', a number in the KPI's unit (or as a count), text as it is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return format_value(value, unit or ("count" if float(value).is_integer() else "ratio"))
    if _ISO_DATE.fullmatch(str(value)):  # a due date, a sync's first and last day: as the reader writes dates
        return format_date(date.fromisoformat(str(value)))
    return str(value)


def _run(text: str) -> str:
    """A value as its own direction run in right-to-left text (FSI … PDI), so that 'open ← done' between Persian
    words keeps its order; unchanged in English."""
    return f"\u2068{text}\u2069" if is_rtl() else text


def _field(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def _sep(comma: str = ",") -> str:
    """', ' or '; ' between listed fields, as the reader's script writes them ('، ' and '؛ ' right to left)."""
    if is_rtl():
        return {",": "، ", ";": "؛ "}[comma]
    return f"{comma} "


def _dot() -> str:
    """' · ' between the parts of a name; '، ' right to left, where a middle dot beside digits reads as a Persian
    zero (۰)."""
    return "، " if is_rtl() else " · "


def _field_value(name: str, value: object) -> str:
    """A field's value as the reader names it: a KPI by its label, an action's status in words."""
    if name in ("kpi", "kpi_id") and value in KPI_BY_ID:
        return _(KPI_BY_ID[value].label)
    if name == "status" and value in STATUS_WORDS:
        return _(STATUS_WORDS[value])
    return _value(value)


def _code(text: str) -> str:
    """A period or week code ('2026-Q4', '2026-W45') in the reader's digits, its own direction run."""
    try:
        return _run(period_code(parse_period(text)))
    except PeriodError:
        return _run(localize_digits(text))


def object_text(action: str, key: str) -> str:
    """The object of a change as a reader names it (the KPI's label, the reader's digits); a key of another
    form is shown as stored."""
    parts = key.split(" · ")
    try:
        if action == "targets" and len(parts) == 3 and parts[0] in KPI_BY_ID:
            period = parts[1].split(" ", 1)[1]
            channel = _("All channels") if parts[2] == ALL_CHANNELS else _run(parts[2])
            return _dot().join((_(KPI_BY_ID[parts[0]].label), _code(period), channel))
        if action == "notes" and len(parts) == 4 and parts[0].startswith("note "):
            kpi = KPI_BY_ID.get(parts[1])
            channel = _("All channels") if parts[3] == ALL_CHANNELS else _run(parts[3])
            return _dot().join((_("Note {number}").format(number=_code(parts[0][5:])),
                               _(kpi.label) if kpi else parts[1],
                               _("week {week}").format(week=_code(parts[2][5:])), channel))
        if action == "actions" and len(parts) == 2 and parts[0].startswith("action "):
            return _dot().join((_("Action {number}").format(number=_code(parts[0][7:])),
                               _("review of {week}").format(week=_code(parts[1][7:]))))
        if action == "sync" and key.startswith("GA4 property "):
            return _("GA4 property {id}").format(id=_run(key[13:]))
        if key in OBJECT_LABELS:
            return _(OBJECT_LABELS[key])
    except IndexError:
        pass
    return _run(key)


def detail_text(detail: object) -> str:
    """A stored detail in the reader's language when it is one the product writes; other text as it is."""
    if detail is None or detail != detail:
        return ""
    text = str(detail)
    if text in DETAIL_LABELS:
        return _(DETAIL_LABELS[text])
    for pattern, message in DETAIL_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return _(message).format(**{k: _value(v) if _ISO_DATE.fullmatch(v) else _run(v)
                                        for k, v in found.groupdict().items()})
    return text


def change_text(action: str, object_key: str, before: object, after: object) -> str:
    """'before → after' readably: a target's values in its KPI's unit ('$1,500 → $1,800', '— → 3.5%' for a new
    one); changed fields one by one ('text: old → new'); a creation's or removal's fields ('rows: 120, new: 118')."""
    if isinstance(before, dict) or isinstance(after, dict):
        old, new = before or {}, after or {}
        if old and new:
            return _sep(";").join(_("{field}: {before} → {after}").format(
                field=_field(k), before=_run(_field_value(k, old.get(k))), after=_run(_field_value(k, new.get(k))))
                for k in sorted(new))
        fields = new or old
        return _sep().join(_("{field}: {value}").format(field=_field(k), value=_run(_field_value(k, v)))
                         for k, v in sorted(fields.items()) if v not in (None, ""))
    kpi = KPI_BY_ID.get(object_key.split(" · ")[0]) if action == "targets" else None
    unit = kpi.unit if kpi else None
    return _("{before} → {after}").format(before=_run(_value(before, unit)), after=_run(_value(after, unit)))


def audit_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`audit_frame` as the audit page lists them (TABLE_COLUMNS, every cell text)."""
    return pd.DataFrame({
        "when": [_when(a) for a in frame["at"]],
        "who": frame["actor"].tolist(),
        "role": [_(ROLE_LABELS[r]) if r in ROLE_LABELS else r for r in frame["role"]],
        "via": [_(VIA_LABELS[v]) if v in VIA_LABELS else v for v in frame["via"]],
        "action": [_(ACTION_LABELS[a]) if a in ACTION_LABELS else a for a in frame["action"]],
        "object": [object_text(a, k) for a, k in zip(frame["action"], frame["object_key"])],
        "change": [change_text(a, k, b, f) for a, k, b, f in
                   zip(frame["action"], frame["object_key"], frame["before"], frame["after"])],
        "detail": [detail_text(d) for d in frame["detail"]],
    }, columns=TABLE_COLUMNS)
