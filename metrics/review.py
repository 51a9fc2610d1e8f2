"""Notes and action items of the weekly review, stored in the warehouse.

Edits are optimistic: every row has a version; saving with a stale version is
refused with :class:`ConflictError` (nothing is overwritten), so two people
saving at once never lose each other's changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from access import audit
from access.roles import Actor, require
from i18n import N_, _, current_locale
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID, KPIS, kpi_option
from metrics.date_text import format_date
from metrics.format import format_range, format_value
from metrics.pacing import STATUS_LABELS
from metrics.unusual_text import SIDES, format_score, half_counted, unusual_side
from warehouse import schema
from warehouse.schema import NAME
from warehouse.snapshot import in_snapshot

if TYPE_CHECKING:
    from metrics.scorecard import KpiResult

ACTION_STATUSES = ("open", "done")
ACTION_STATUS_LABELS = {"open": N_("open"), "done": N_("done")}  # stored ids -> words shown (through _())
NOTE_COLUMNS = ["id", "kpi_id", "week_start", "channel", "text", "author", "created_at", "updated_at", "version"]
ACTION_COLUMNS = ["id", "text", "owner", "due_date", "status", "kpi_id", "week_start", "created_at", "updated_at",
                  "version"]


class ReviewError(ValueError):
    """Invalid input for a note or an action; the message says which field and what is expected."""


class ConflictError(RuntimeError):
    """Someone else saved the same note or action first; nothing was overwritten."""


def _check_kpi(kpi_id: str | None) -> None:
    if kpi_id and kpi_id not in KPI_BY_ID:
        raise ReviewError(_("Unknown KPI {kpi_id}.").format(kpi_id=repr(kpi_id)))


def _check_name(field: str, value: str) -> None:
    """``field``: the field's name as marked with N_ (translated here)."""
    if len(value) > NAME:
        raise ReviewError(_("{field} is {length} characters long; at most {limit} fit.").format(
            field=_(field), length=_count(len(value)), limit=_count(NAME)))


def _count(n: int) -> str:
    return localize_digits(format_value(n, "count"))


def _missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA (what an editor's empty cell holds)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_due_date(value: object) -> date | None:
    """A due date as an editor or a caller gives it: a date, datetime, Timestamp or 'YYYY-MM-DD' text (a date
    picker's value or typed); empty -> None. Anything else raises ReviewError naming the field."""
    if _missing(value):
        return None
    if isinstance(value, datetime):  # also pd.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:  # an ISO date-time such as '2026-11-20T00:00:00' or '2026-11-20 00:00:00'
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ReviewError(_("due date {text} is not a date (YYYY-MM-DD)").format(text=repr(text))) from None


def add_note(engine: Engine, kpi_id: str, week_start: date, text: str, author: str = "", channel: str = "", *,
             actor: Actor) -> int:
    """Store a note on a KPI for a week; returns its id."""
    require(actor, "notes")
    if not kpi_id:  # notes.kpi_id is NOT NULL and every reader looks the KPI up
        raise ReviewError(_("A note is on a KPI: pick one."))
    _check_kpi(kpi_id)
    if not text.strip():
        raise ReviewError(_("A note needs some text."))
    _check_name(N_("Your name"), author.strip())
    now = datetime.now()
    with engine.begin() as conn:
        result = conn.execute(insert(schema.notes).values(
            kpi_id=kpi_id, week_start=week_start, channel=channel or "", text=text.strip(), author=author.strip(),
            created_at=now, updated_at=now, version=1))
        note_id = int(result.inserted_primary_key[0])
        audit.record(conn, actor, "notes", _note_key(note_id, kpi_id, week_start, channel or ""),
                     after={"text": text.strip(), "kpi": kpi_id, "week": _week_label(week_start),
                            "channel": channel or "", "author": author.strip()})
    return note_id


def _week_label(week_start: date) -> str:
    """'2026-W45': the ISO week a review week starts (stable, whatever the reader's calendar)."""
    year, week, _day = pd.Timestamp(week_start).isocalendar()
    return f"{year}-W{week:02d}"


def _note_key(note_id: int, kpi_id: str, week_start: date, channel: str) -> str:
    return audit.note_key(note_id, kpi_id, _week_label(week_start), channel)


DELETED = {"note": N_("This note was deleted by someone else."),
           "action": N_("This action was deleted by someone else.")}
CHANGED = {"note": N_("Someone else changed this note since you opened it (their version {theirs}, yours {yours}); "
                      "nothing was overwritten. Reload to see their change."),
           "action": N_("Someone else changed this action since you opened it (their version {theirs}, yours "
                        "{yours}); nothing was overwritten. Reload to see their change.")}


def _versioned_update(engine: Engine, table, row_id: int, version: int, values: dict, what: str,
                      actor: Actor | None = None) -> int:
    """Update one row only if it still has ``version``; returns the new version. With ``actor``, the changed
    fields' values before and after are audited in the same transaction (nothing when none changed)."""
    old = None
    if actor is not None:  # read first, outside the write: a row still at ``version`` holds the values it replaces
        with engine.connect() as conn:
            old = conn.execute(select(table).where(table.c.id == row_id, table.c.version == version)).mappings().first()
    with engine.begin() as conn:
        result = conn.execute(
            update(table).where(table.c.id == row_id, table.c.version == version)
            .values(**values, updated_at=datetime.now(), version=version + 1)
        )
        if result.rowcount == 1:
            if actor is not None and old is not None:
                _audit_edit(conn, actor, what, dict(old), values)
            return version + 1
        current = conn.execute(select(table.c.version).where(table.c.id == row_id)).scalar()
    if current is None:
        raise ConflictError(_(DELETED[what]))
    raise ConflictError(_(CHANGED[what]).format(theirs=_count(current), yours=_count(version)))


def _audit_edit(conn, actor: Actor, what: str, old: dict, values: dict) -> None:
    """One audit row for an edited note or action: the changed fields before and after (none changed: none)."""
    before, after = audit.changed_fields(old, values)
    if not after:
        return
    if what == "note":
        key = _note_key(old["id"], old["kpi_id"], old["week_start"], old["channel"])
        audit.record(conn, actor, "notes", key, before=before, after=after)
    else:
        audit.record(conn, actor, "actions", audit.action_key(old["id"], _week_label(old["week_start"])),
                     before=before, after=after)


def same_author(a: object, b: object) -> bool:
    """Whether two typed names are the same person: both non-empty, equal ignoring case and outer spaces."""
    a = "" if _missing(a) else str(a).strip().casefold()
    b = "" if _missing(b) else str(b).strip().casefold()
    return bool(a) and a == b


def update_note(engine: Engine, note_id: int, version: int, text: str, author: str | None = None, *,
                actor: Actor) -> int:
    """Change a note's text if nobody else did first; returns the new version. With ``author`` (the name the
    editor typed), only the note's own author may change it."""
    require(actor, "notes")
    if not text.strip():
        raise ReviewError(_("A note needs some text."))
    if author is not None:
        with engine.connect() as conn:
            row = conn.execute(select(schema.notes.c.author).where(schema.notes.c.id == note_id)).first()
        if row is None:
            raise ConflictError(_(DELETED["note"]))
        if not same_author(row.author, author):
            raise ReviewError(_("Only the note's author ({author}) can edit it.").format(
                author=row.author or _("no name given")))
    return _versioned_update(engine, schema.notes, note_id, version, {"text": text.strip()}, "note", actor)


def notes_by(frame: pd.DataFrame, author: str) -> pd.DataFrame:
    """The notes of ``frame`` written by ``author`` (what that person may edit)."""
    return frame[[same_author(a, author) for a in frame["author"]]]


def written(created_at: object, updated_at: object) -> str:
    """When a note was written, e.g. 'Tue 10 Nov 14:05', plus ' · edited Wed 11 Nov 09:30' once changed."""
    if _missing(created_at):
        return ""
    created, updated = pd.Timestamp(created_at), pd.Timestamp(updated_at) if not _missing(updated_at) else None
    text = _when(created)
    if updated is not None and updated > created:
        return _("{written} · edited {edited}").format(written=text, edited=_when(updated))
    return text


def _when(moment: pd.Timestamp) -> str:
    """'Tue 10 Nov 14:05' in English; elsewhere the day as its reader writes dates, and the time in their digits."""
    if current_locale() == "en":
        return f"{moment:%a %d %b %H:%M}"
    return _("{day} {time}").format(day=format_date(moment.date()), time=localize_digits(f"{moment:%H:%M}"))


def notes_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Notes as the review lists them: KPI label, text (as typed), author and when written."""
    return pd.DataFrame({
        "kpi": [kpi_option(k) for k in frame["kpi_id"]],
        "text": frame["text"].tolist(),
        "author": frame["author"].tolist(),
        "written": [written(c, u) for c, u in zip(frame["created_at"], frame["updated_at"])],
    }, columns=["kpi", "text", "author", "written"])


def notes(engine: Engine, kpi_id: str | None = None, since: date | None = None, until: date | None = None,
          channel: str | None = None) -> pd.DataFrame:
    """Notes, newest week first, optionally for one KPI, a range of weeks and a channel ('' = all channels)."""
    t = schema.notes
    query = select(*[t.c[c] for c in NOTE_COLUMNS]).order_by(t.c.week_start.desc(), t.c.id)
    if kpi_id:
        query = query.where(t.c.kpi_id == kpi_id)
    if since:
        query = query.where(t.c.week_start >= since)
    if until:
        query = query.where(t.c.week_start <= until)
    if channel is not None:
        query = query.where(t.c.channel == channel)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=NOTE_COLUMNS)


def _validate_action(text: str, owner: str, due_date: date | None, status: str, kpi_id: str | None) -> None:
    if _missing(text) or not str(text).strip():
        raise ReviewError(_("action is empty: say what is to be done."))
    if _missing(owner) or not str(owner).strip():
        raise ReviewError(_("owner is empty: who does it?"))
    _check_name(N_("owner"), str(owner).strip())
    if status not in ACTION_STATUSES:
        raise ReviewError(_("Status {status} should be one of {statuses}.").format(
            status=repr(status), statuses=", ".join(ACTION_STATUSES)))
    parse_due_date(due_date)
    _check_kpi(kpi_id)


def add_action(engine: Engine, text: str, owner: str, week_start: date, due_date: date | None = None,
               kpi_id: str | None = None, status: str = "open", *, actor: Actor) -> int:
    """Record an action item agreed in the review of ``week_start``; returns its id."""
    require(actor, "actions")
    _validate_action(text, owner, due_date, status, kpi_id)
    due_date = parse_due_date(due_date)
    now = datetime.now()
    fields = {"text": str(text).strip(), "owner": str(owner).strip(), "due_date": due_date, "status": status,
              "kpi_id": kpi_id or None}
    with engine.begin() as conn:
        result = conn.execute(insert(schema.actions).values(
            **fields, week_start=week_start, created_at=now, updated_at=now, version=1))
        action_id = int(result.inserted_primary_key[0])
        _audit_new_action(conn, actor, action_id, week_start, fields)
    return action_id


def _audit_new_action(conn, actor: Actor, action_id: int, week_start: date, fields: dict) -> None:
    audit.record(conn, actor, "actions", audit.action_key(action_id, _week_label(week_start)),
                 after={**fields, "week": _week_label(week_start)})


def update_action(engine: Engine, action_id: int, version: int, *, actor: Actor, **fields) -> int:
    """Change an action (text, owner, due_date, status, kpi_id) if nobody else did first; returns the new version."""
    require(actor, "actions")
    allowed = {"text", "owner", "due_date", "status", "kpi_id"}
    unknown = set(fields) - allowed
    if unknown:
        raise ReviewError(_("Cannot change {fields} of an action.").format(fields=", ".join(sorted(unknown))))
    with engine.connect() as conn:
        row = conn.execute(select(schema.actions).where(schema.actions.c.id == action_id)).mappings().first()
    if row is None:
        raise ConflictError(_(DELETED["action"]))
    if "due_date" in fields:
        fields = {**fields, "due_date": parse_due_date(fields["due_date"])}
    if "kpi_id" in fields:  # no KPI is NULL, as add_action and the editor store it (never '' or NaN)
        kpi_id = fields["kpi_id"]
        fields = {**fields, "kpi_id": None if _missing(kpi_id) or not str(kpi_id).strip() else str(kpi_id).strip()}
    merged = {**{k: row[k] for k in allowed}, **fields}
    _validate_action(merged["text"], merged["owner"], merged["due_date"], merged["status"], merged["kpi_id"])
    return _versioned_update(engine, schema.actions, action_id, version, fields, "action", actor)


def action_fields(row: dict) -> dict:
    """An action editor's row -> the fields to store (trimmed, due date parsed); ReviewError names the field."""
    text = "" if _missing(row.get("text")) else str(row["text"]).strip()
    owner = "" if _missing(row.get("owner")) else str(row["owner"]).strip()
    status = "open" if _missing(row.get("status")) or not row["status"] else str(row["status"])
    kpi_id = row.get("kpi_id")
    kpi_id = str(kpi_id) if not _missing(kpi_id) and kpi_id else None
    due_date = parse_due_date(row.get("due_date"))
    _validate_action(text, owner, due_date, status, kpi_id)
    return {"text": text, "owner": owner, "due_date": due_date, "status": status, "kpi_id": kpi_id}


def save_action_edits(engine: Engine, week_start: date,
                      tables: list[tuple[str, pd.DataFrame, pd.DataFrame]], *, actor: Actor) -> tuple[int, list[str]]:
    """Save what the review's action editors hold, all or nothing; returns (actions saved, problems).

    ``tables``: (what a row is called, e.g. "Action", the frame shown with ACTION_COLUMNS, the editor's frame).
    A row without an id is a new action of ``week_start``; a row with one updates that action if any field
    changed and nobody else changed it first. Problems say which row and field, e.g. "Action 2: due date
    '31/02/2026' is not a date (YYYY-MM-DD)"; with any problem nothing is saved.
    """
    require(actor, "actions")
    problems, new, changed = [], [], []
    for name, before, after in tables:
        known = before.set_index("id")
        for number, row in enumerate(after.to_dict("records"), start=1):
            try:
                fields = action_fields(row)
            except ReviewError as exc:
                problems.append(_("{row} {number}: {problem}").format(row=name, number=_count(number), problem=exc))
                continue
            if _missing(row.get("id")):
                new.append(fields)
                continue
            old = known.loc[int(row["id"])]
            edits = {k: v for k, v in fields.items() if not (_missing(old[k]) and v is None) and old[k] != v}
            if edits:
                changed.append((_("{row} {number}").format(row=name, number=_count(number)), int(row["id"]),
                                int(old["version"]), edits, {**old.to_dict(), "id": int(row["id"])}))
    if problems:
        return 0, problems
    now = datetime.now()
    t = schema.actions
    try:
        with engine.begin() as conn:
            for fields in new:
                result = conn.execute(insert(t).values(**fields, week_start=week_start, created_at=now,
                                                       updated_at=now, version=1))
                _audit_new_action(conn, actor, int(result.inserted_primary_key[0]), week_start, fields)
            for where, action_id, version, edits, old in changed:
                result = conn.execute(update(t).where(t.c.id == action_id, t.c.version == version)
                                      .values(**edits, updated_at=now, version=version + 1))
                if result.rowcount != 1:
                    raise ConflictError(_("{row}: someone else changed or deleted this action since you opened it; "
                                          "nothing was saved. Reload to see their change.").format(row=where))
                _audit_edit(conn, actor, "action", old, edits)
    except ConflictError as exc:
        return 0, [str(exc)]
    return len(new) + len(changed), []


def actions(engine: Engine, week_start: date | None = None, status: str | None = None,
            before_week: date | None = None) -> pd.DataFrame:
    """Action items: of one review week, or open ones from reviews before ``before_week`` (follow-up)."""
    t = schema.actions
    query = select(*[t.c[c] for c in ACTION_COLUMNS]).order_by(t.c.due_date, t.c.id)
    if week_start:
        query = query.where(t.c.week_start == week_start)
    if before_week:
        query = query.where(t.c.week_start < before_week)
    if status:
        query = query.where(t.c.status == status)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=ACTION_COLUMNS)


UNUSUAL_COLUMNS = ["kpi", "value", "expected", "side", "score", "status"]


def unusual_items(items: list[KpiResult]) -> list[KpiResult]:
    """The KPIs (``KpiResult``) whose value is beyond their usual variation (``unusual`` True), in the catalog's
    order, whatever their status: an on-track KPI that jumped is listed too."""
    order = {k.id: n for n, k in enumerate(KPIS)}
    return sorted((i for i in items if i.unusual), key=lambda i: order.get(i.id, len(order)))


def unusual_table(items: list[KpiResult]) -> pd.DataFrame:
    """The unusual KPIs as the review lists them (``UNUSUAL_COLUMNS``), every cell text in the reader's language:
    label, value and expected range in the KPI's unit, above or below it, score and plan status."""
    rows = []
    for item in unusual_items(items):
        side = unusual_side(item)
        rows.append({
            "kpi": _(item.label), "value": format_value(item.value, item.unit),
            "expected": format_range(*item.expected_range, item.unit) if item.expected_range else "—",
            "side": _(SIDES[side]) if side else "—", "score": format_score(item.unusual_score),
            "status": _(STATUS_LABELS.get(item.status, item.status)),
        })
    return pd.DataFrame(rows, columns=UNUSUAL_COLUMNS)


@in_snapshot
def weekly_review(engine: Engine, week, channel: str | None = None, today: date | None = None) -> dict:
    """Everything the weekly review shows for ``week`` (a week Period): scorecard, headline counts, the
    off-track and at-risk KPIs first with the channels that moved them, the unusual KPIs (beyond their usual
    variation, on track or not), notes and actions."""
    from metrics.contribution import contribution
    from metrics.engine import Filters
    from metrics.scorecard import comparison_windows, needing_attention, scorecard

    today = today or date.today()
    filters = Filters(channel=channel)
    items = scorecard(engine, week, filters, today=today)
    order = {"off_track": 0, "at_risk": 1, "on_track": 2, "no_target": 3, "no_data": 4}
    attention = needing_attention(items)
    movers = {}
    for item in [] if channel else attention:  # the same days as the KPI's figures: like for like when partial
        done, before, _ = comparison_windows(week, today, item.complete_through)
        if done is not None:
            movers[item.id] = contribution(engine, item.id, done, before, filters).head(5)
    counts = {status: sum(1 for i in items if i.status == status) for status in order}
    counts["partial"] = sum(1 for i in items if i.partial)
    return {
        "week": week, "channel": channel, "items": items, "counts": counts, "attention": attention,
        "movers": movers, "unusual": unusual_items(items),
        "unusual_waits": not half_counted(week, today),  # less than half the week counted: not checked yet
        "notes": notes(engine, since=week.start, until=week.start, channel=channel or ""),
        "actions": actions(engine, week_start=week.start),
        "follow_up": actions(engine, before_week=week.start, status="open"),
    }
