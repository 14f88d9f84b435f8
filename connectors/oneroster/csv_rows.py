"""Reading one CSV row's cells by column name, collecting *every* problem of the row.

``Cells`` reads a row's cells by binding column name and never stops at the first bad cell:
each reader method returns the value (or None) and records a ``Problem`` (column, value, what
was expected, severity). What can be read safely is tolerated with a warning (``Scheduled`` for
``scheduled``, a bare date where a date-time is due, ``TRUE``, 1.1's ``inactive`` status); what
cannot is an error and the row is not loaded. A reference to a row that was itself rejected is
neither: the row *waits* for that row (reported once, at lower severity, naming it).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from connectors.oneroster.csv_spec import (
    STATUSES,
)

EXTENSION = re.compile(r"(ext:)[a-zA-Z0-9\.\-_]+")
MAX_CELL = 1000  # a cell longer than this is refused: no field of the binding needs more


@dataclass(frozen=True, slots=True)
class Problem:
    column: str  # binding column name, "" for the row as a whole
    value: str
    expected: str
    severity: str  # error | warning | waiting
    waits_for: str = ""  # "users.csv:7" when severity is waiting


@dataclass
class Index:
    """What the files read so far hold: compact sets of ids, never rows."""

    loaded: dict[str, set[str]] = field(default_factory=dict)  # file -> loaded sourcedIds
    refused: dict[str, dict[str, int]] = field(default_factory=dict)  # file -> id -> line
    complete: set[str] = field(default_factory=set)  # bulk files read: absent ids are missing
    # 1.2: user -> (canonical role, org ids) from roles.csv, primary role first
    roles: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    refused_roles: dict[str, int] = field(default_factory=dict)  # user -> line of a bad role row

    def add(self, name: str, sid: str) -> None:
        self.loaded.setdefault(name, set()).add(sys.intern(sid) if len(sid) < 40 else sid)

    def refuse(self, name: str, sid: str, line: int) -> None:
        self.refused.setdefault(name, {}).setdefault(sid, line)


class Cells:
    def __init__(
        self,
        values: dict[str, str],
        *,
        line: int,
        version: str,
        delta: bool,
        index: Index,
        as_of: datetime,
    ) -> None:
        self.values, self.line, self.version, self.delta = values, line, version, delta
        self.index, self.as_of = index, as_of
        self.problems: list[Problem] = []
        self.bad = 0  # errors + waits: the row is not loaded

    # -- bookkeeping --
    def error(self, column: str, value: str, expected: str) -> None:
        self.problems.append(Problem(column, value, expected, "error"))
        self.bad += 1

    def wait(self, column: str, value: str, expected: str, waits_for: str) -> None:
        self.problems.append(Problem(column, value, expected, "waiting", waits_for))
        self.bad += 1

    def warn(self, column: str, value: str, expected: str) -> None:
        self.problems.append(Problem(column, value, expected, "warning"))

    @property
    def failed(self) -> bool:
        return self.bad > 0

    # -- cells --
    def text(self, column: str, *, required: bool = False) -> str | None:
        value = self.values.get(column, "").strip()
        if len(value) > MAX_CELL:
            self.error(column, value[:40] + "...", f"at most {MAX_CELL} characters")
            return None
        if not value:
            if required:
                self.error(column, "", "a value (the column is required)")
            return None
        return value

    def choice(
        self, column: str, allowed: Iterable[str], *, required: bool = True, extension: bool = True
    ) -> str | None:
        """One of ``allowed`` or (where the spec allows) an ``ext:`` value; case is forgiven."""
        value = self.text(column, required=required)
        if value is None or value in allowed or (extension and EXTENSION.search(value)):
            return value
        folded = {a.casefold(): a for a in allowed}
        if value.casefold() in folded:
            fixed = folded[value.casefold()]
            self.warn(column, value, f"{fixed!r} (read as such)")
            return fixed
        tail = " or an ext: value" if extension else ""
        self.error(column, value, "one of " + ", ".join(allowed) + tail)
        return None

    def date(self, column: str, *, required: bool = False) -> date | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
        try:  # a date-time where a date is due: the date part is unambiguous
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.error(column, value, "a date YYYY-MM-DD")
            return None
        self.warn(column, value, "a date YYYY-MM-DD (its date part is used)")
        return moment.date()

    def moment(self, column: str, *, required: bool) -> datetime | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.error(column, value, "an ISO 8601 date-time, e.g. 2026-05-01T00:00:00Z")
            return None
        if len(value) == 10:  # a bare date: midnight UTC is what it can only mean
            self.warn(column, value, "a date-time (read as midnight UTC)")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def flag(self, column: str, default: bool, *, required: bool = False) -> bool:
        value = self.text(column, required=required)
        if value is None:
            return default
        if value in ("true", "false"):
            return value == "true"
        if value.casefold() in ("true", "false"):
            self.warn(column, value, f"{value.casefold()!r} (read as such)")
            return value.casefold() == "true"
        self.error(column, value, "true or false")
        return default

    def year(self, column: str) -> str | None:
        value = self.text(column, required=True)
        if value is not None and not (len(value) == 4 and value.isdigit()):
            self.error(column, value, "a 4-digit year, e.g. 2027")
            return None
        return value

    def ref(self, column: str, target: str, *, required: bool, strict: bool) -> str | None:
        """A sourcedId in ``target``. ``strict``: a record useless without it (an enrollment's
        user); otherwise a missing target is a warning (packages point at orgs they omit)."""
        value = self.text(column, required=required)
        if value is not None:
            self._check_ref(column, value, target, strict=strict)
        return value

    def refs(self, column: str, target: str, *, required: bool) -> list[str]:
        cell = self.text(column, required=required)
        values = [v.strip() for v in (cell or "").split(",") if v.strip()]
        if cell is not None and not values:
            self.error(column, cell, f"comma separated sourcedIds of {target}.csv")
        for value in values:
            self._check_ref(column, value, target, strict=False)
        return values

    def _check_ref(self, column: str, value: str, target: str, *, strict: bool) -> None:
        line = self.index.refused.get(target, {}).get(value)
        if line is not None:
            self.wait(column, value, f"a loaded row of {target}.csv", f"{target}.csv:{line}")
        elif target in self.index.complete and value not in self.index.loaded.get(target, ()):
            expected = f"a sourcedId of {target}.csv"
            (self.error if strict else self.warn)(column, value, expected)

    def common(self) -> dict[str, Any]:
        sid = self.text("sourcedId", required=True)
        status = self.text("status", required=self.delta)
        if status == "inactive":  # 1.1 removed it; the spec says read it as tobedeleted
            self.warn("status", status, "active or tobedeleted (read as tobedeleted)")
            status = "tobedeleted"
        elif status is not None and status not in STATUSES:
            status = self.choice("status", STATUSES, extension=False)
        stamp = self.moment("dateLastModified", required=self.delta)
        return {
            "source_id": sid,
            "status": status or "active",
            "date_last_modified": stamp or self.as_of,
        }
