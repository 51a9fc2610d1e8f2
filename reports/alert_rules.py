"""Which alerts are on, per KPI and per source: a TOML file (``--rules FILE`` or ``KPI_ALERT_RULES``).

    [default]            # every rule is on unless turned off
    off_track = true
    unusual = true
    stale = true

    [kpi."save.cpa"]     # per KPI: off_track, unusual
    unusual = false

    [source.social]      # per source (a dataset kind): stale
    stale = false

A KPI or source setting wins over ``[default]``. Unknown sections, KPI ids, sources or rule names, and values that
are not true/false, are refused with the file, the line and the valid names.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from connectors.datasets import KINDS
from metrics.catalog import KPI_BY_ID

KPI_RULES = ("off_track", "unusual")
SOURCE_RULES = ("stale",)
RULES = KPI_RULES + SOURCE_RULES
SECTIONS = ("default", "kpi", "source")


class RulesError(ValueError):
    """The rules file cannot be used; the text names the file, the line and what was expected."""


@dataclass(frozen=True)
class AlertRules:
    """Rule switches: ``default`` per rule, overridden per KPI id (``kpi``) or dataset kind (``source``)."""

    default: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(RULES, True))
    kpi: dict[str, dict[str, bool]] = field(default_factory=dict)
    source: dict[str, dict[str, bool]] = field(default_factory=dict)

    def enabled(self, rule: str, subject: str) -> bool:
        """Whether ``rule`` alerts for ``subject`` (a KPI id, or a source kind for 'stale')."""
        own = (self.source if rule in SOURCE_RULES else self.kpi).get(subject, {})
        return own.get(rule, self.default.get(rule, True))


def _line_of(text: str, name: str, section: str | None = None) -> int | None:
    """The first line (1-based) of ``text`` holding ``name`` as a whole word or id, after the line that holds
    ``section`` when given (a rule is looked for in its own table)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if section and _holds(line, section)), -1) + 1 if section else 0
    for number in range(start, len(lines)):
        if _holds(lines[number], name):
            return number + 1
    return None


def _holds(line: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", line) is not None


class _Checker:
    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text

    def fail(self, what: str, name: str | None = None, section: str | None = None) -> RulesError:
        line = _line_of(self.text, name, section) if name else None
        where = f"{self.path}, line {line}" if line else self.path
        return RulesError(f"{where}: {what}")

    def switches(self, table: object, allowed: tuple[str, ...], section: str, name: str | None = None) -> dict:
        if not isinstance(table, dict):
            raise self.fail(f"[{section}] must be a table of rule = true/false.", name)
        for rule, value in table.items():
            if rule not in allowed:
                raise self.fail(f"unknown rule {rule!r} in [{section}]; valid rules there: {', '.join(allowed)}.",
                                rule, name or section)
            if not isinstance(value, bool):
                raise self.fail(f"{rule} in [{section}] must be true or false, not {value!r}.", rule,
                                name or section)
        return dict(table)


def parse_rules(text: str, path: str = "<rules>") -> AlertRules:
    """Rules from TOML ``text`` (``path`` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from None
    check = _Checker(path, text)
    for section in data:
        if section not in SECTIONS:
            raise check.fail(f"unknown section [{section}]; valid sections: [default], [kpi.\"<KPI id>\"], "
                             "[source.<kind>].", section)
    default = dict.fromkeys(RULES, True) | check.switches(data.get("default", {}), RULES, "default")
    kpis: dict[str, dict[str, bool]] = {}
    for kpi_id, table in _tables(check, data, "kpi").items():
        if kpi_id not in KPI_BY_ID:
            raise check.fail(f"unknown KPI id {kpi_id!r} in [kpi.\"{kpi_id}\"]; valid ids: "
                             f"{', '.join(KPI_BY_ID)} (quote the id: [kpi.\"save.cpa\"]).", kpi_id)
        kpis[kpi_id] = check.switches(table, KPI_RULES, f'kpi."{kpi_id}"', kpi_id)
    sources: dict[str, dict[str, bool]] = {}
    for kind, table in _tables(check, data, "source").items():
        if kind not in KINDS:
            raise check.fail(f"unknown source {kind!r} in [source.{kind}]; valid sources: {', '.join(KINDS)}.",
                             kind)
        sources[kind] = check.switches(table, SOURCE_RULES, f"source.{kind}", kind)
    return AlertRules(default, kpis, sources)


def _tables(check: _Checker, data: dict, section: str) -> dict:
    tables = data.get(section, {})
    if not isinstance(tables, dict):
        raise check.fail(f"{section} must hold tables such as [{section}.\"…\"].", section)
    return tables


def load_rules(path: str | os.PathLike | None = None) -> AlertRules:
    """The rules from ``path``, else from ``KPI_ALERT_RULES``, else every rule on."""
    path = path or os.environ.get("KPI_ALERT_RULES", "").strip() or None
    if path is None:
        return AlertRules()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"{file}: no such rules file (from --rules or KPI_ALERT_RULES).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{file}: cannot be read: {exc}") from None
    return parse_rules(text, str(file))
