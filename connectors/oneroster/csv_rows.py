"""One CSV row -> one canonical record, or a ``RowError`` naming the column at fault."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from connectors import canonical
from connectors.oneroster.csv_spec import ORG_TYPES, SESSION_TYPES, STATUSES
from connectors.oneroster.mapping import ROLES


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class RowContext:
    as_of: datetime
    bulk: dict[str, bool] = field(default_factory=dict)  # file -> is a bulk (complete) file
    ids: dict[str, set[str]] = field(default_factory=dict)  # file -> sourcedIds read so far
    roles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # user -> (role, org)

    def ref(self, cells: dict[str, str], column: str, target: str, *, required: bool = True) -> str:
        value = cells[column].strip()
        if not value:
            if required:
                raise RowError(column, f"{column} is required")
            return ""
        # Only a bulk file is complete; a delta may point at records it does not carry.
        if self.bulk.get(target) and value not in self.ids.get(target, set()):
            raise RowError(column, f"{column} {value!r} is not in {target}.csv")
        return value


def _required(cells: dict[str, str], column: str) -> str:
    value = cells[column].strip()
    if not value:
        raise RowError(column, f"{column} is required")
    return value


def _date(cells: dict[str, str], column: str, *, required: bool = False) -> date | None:
    value = cells[column].strip()
    if not value:
        if required:
            raise RowError(column, f"{column} is required")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(column, f"{column} {value!r} is not a date (YYYY-MM-DD)") from None


def _datetime(value: str, column: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(column, f"{column} {value!r} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bool(cells: dict[str, str], column: str, default: bool) -> bool:
    value = cells[column].strip().lower()
    if not value:
        return default
    if value not in ("true", "false"):
        raise RowError(column, f"{column} must be true or false, not {cells[column]!r}")
    return value == "true"


def _choice(cells: dict[str, str], column: str, allowed: set[str]) -> str:
    value = _required(cells, column)
    if value not in allowed:
        raise RowError(column, f"{column} {value!r} is not one of {sorted(allowed)}")
    return value


def _role(cells: dict[str, str], column: str) -> str:
    value = _required(cells, column)
    role = ROLES.get(value, value)
    if role not in canonical.Role.__members__:
        raise RowError(column, f"{column} {value!r} is not a OneRoster role")
    return role


def _common(cells: dict[str, str], ctx: RowContext, delta: bool) -> dict[str, Any]:
    sid = _required(cells, "sourcedId")
    status, modified = cells["status"].strip(), cells["dateLastModified"].strip()
    if delta and not status:
        raise RowError("status", "status is required in a delta file")
    if status and status not in STATUSES:
        raise RowError("status", f"status {status!r} is not one of {sorted(STATUSES)}")
    if delta and not modified:
        raise RowError("dateLastModified", "dateLastModified is required in a delta file")
    stamp = _datetime(modified, "dateLastModified") if modified else ctx.as_of
    return {"source_id": sid, "status": status or "active", "date_last_modified": stamp}


def build_record(name: str, cells: dict[str, str], ctx: RowContext, *, delta: bool) -> Any:
    base = _common(cells, ctx, delta)
    record: Any = BUILDERS[name](cells, ctx, base)
    ctx.ids.setdefault(name, set()).add(base["source_id"])
    return record


def _org(c: dict[str, str], ctx: RowContext, base: dict[str, Any]) -> canonical.Org:
    return canonical.Org(
        **base,
        name=_required(c, "name"),
        type=_choice(c, "type", ORG_TYPES),
        identifier=c["identifier"] or None,
        parent_id=c["parentSourcedId"] or None,
    )


def _session(c: dict[str, str], ctx: RowContext, base: dict[str, Any]) -> canonical.AcademicSession:
    year = _required(c, "schoolYear")
    if not (len(year) == 4 and year.isdigit()):
        raise RowError("schoolYear", f"schoolYear {year!r} is not a 4-digit year")
    start, end = _date(c, "startDate", required=True), _date(c, "endDate", required=True)
    if start and end and end < start:
        raise RowError("endDate", f"endDate {end} is before startDate {start}")
    return canonical.AcademicSession(
        **base,
        title=_required(c, "title"),
        type=_choice(c, "type", SESSION_TYPES),
        start_date=start,
        end_date=end,
        school_year=year,
        parent_id=c["parentSourcedId"] or None,
    )


def _course(c: dict[str, str], ctx: RowContext, base: dict[str, Any]) -> canonical.Course:
    year = ctx.ref(c, "schoolYearSourcedId", "academicSessions", required=False)
    return canonical.Course(
        **base,
        title=_required(c, "title"),
        course_code=c["courseCode"] or None,
        org_id=ctx.ref(c, "orgSourcedId", "orgs"),
        school_year_id=year or None,
    )


def _class(c: dict[str, str], ctx: RowContext, base: dict[str, Any]) -> canonical.Class:
    terms = [t.strip() for t in c["termSourcedIds"].split(",") if t.strip()]
    if not terms:
        raise RowError("termSourcedIds", "termSourcedIds is required")
    known = ctx.ids.get("academicSessions", set())
    if ctx.bulk.get("academicSessions"):
        for term in terms:
            if term not in known:
                raise RowError("termSourcedIds", f"term {term!r} is not in academicSessions.csv")
    return canonical.Class(
        **base,
        title=_required(c, "title"),
        class_code=c["classCode"] or None,
        course_id=ctx.ref(c, "courseSourcedId", "courses"),
        school_id=ctx.ref(c, "schoolSourcedId", "orgs"),
        term_ids=terms,
    )


def _role_row(c: dict[str, str], ctx: RowContext, base: dict[str, Any]) -> None:
    user = _required(c, "userSourcedId")
    kind = _choice(c, "roleType", {"primary", "secondary"})
    role = _role(c, "role")
    org = ctx.ref(c, "orgSourcedId", "orgs")
    _date(c, "beginDate")
    _date(c, "endDate")
    entries = ctx.roles.setdefault(user, [])
    if kind == "primary":
        entries.insert(0, (role, org))
    else:
        entries.append((role, org))


def _user(c: dict[str, str], ctx: RowContext, base: dict[str, Any]) -> canonical.Person:
    roles = ctx.roles.get(base["source_id"])
    if not roles:
        raise RowError("sourcedId", f"user {base['source_id']!r} has no role in roles.csv")
    orgs = [org for _, org in roles]
    primary_org = ctx.ref(c, "primaryOrgSourcedId", "orgs", required=False)
    if primary_org and primary_org not in orgs:
        orgs.insert(0, primary_org)
    return canonical.Person(
        **base,
        username=_required(c, "username"),
        given_name=_required(c, "givenName"),
        family_name=_required(c, "familyName"),
        preferred_first_name=c["preferredGivenName"] or None,
        email=c["email"] or None,
        phone=c["phone"] or None,
        role=roles[0][0],
        identifier=c["identifier"] or None,
        org_ids=orgs,
        enabled=_bool(c, "enabledUser", True),
    )


def _enrollment(c: dict[str, str], ctx: RowContext, base: dict[str, Any]) -> canonical.Enrollment:
    begin, end = _date(c, "beginDate"), _date(c, "endDate")
    if begin and end and end < begin:
        raise RowError("endDate", f"endDate {end} is before beginDate {begin}")
    return canonical.Enrollment(
        **base,
        class_id=ctx.ref(c, "classSourcedId", "classes"),
        school_id=ctx.ref(c, "schoolSourcedId", "orgs"),
        person_id=ctx.ref(c, "userSourcedId", "users"),
        role=_role(c, "role"),
        primary=_bool(c, "primary", False),
        begin_date=begin,
        end_date=end,
    )


BUILDERS: dict[str, Any] = {
    "orgs": _org,
    "academicSessions": _session,
    "courses": _course,
    "classes": _class,
    "roles": _role_row,
    "users": _user,
    "enrollments": _enrollment,
}
