"""Rows of each binding file -> canonical records (or, for roles.csv, a user's role).

Each builder reads every cell it needs through ``Cells`` (which collects every problem) and
builds the canonical record only when the row has no error and waits for nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from connectors import canonical
from connectors.canonical.models import ROLE_SYNONYMS
from connectors.oneroster.csv_rows import Cells
from connectors.oneroster.csv_spec import (
    CLASS_TYPES,
    ENROLLMENT_ROLES,
    ORG_TYPES,
    ROLE_TYPES,
    SESSION_TYPES,
    USER_ROLES,
)

Builder = Callable[[Cells], BaseModel | None]


def _build(cells: Cells, model: type[BaseModel], columns: dict[str, str], **values: Any) -> Any:
    """The canonical record, or None when the row failed (its problems are on ``cells``)."""
    base = cells.common()
    if cells.failed:
        return None
    try:
        return model(**base, **values)
    except ValidationError as exc:  # a rule the cells did not check (lengths, ...)
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            value = values.get(name, base.get(name, ""))
            cells.error(columns.get(name, name), str(value)[:80], err["msg"])
        return None


def org(c: Cells) -> canonical.Org | None:
    values = {
        "name": c.text("name", required=True),
        "type": c.choice("type", ORG_TYPES),
        "identifier": c.text("identifier"),
        "parent_id": c.ref("parentSourcedId", "orgs", required=False, strict=False),
    }
    return _build(c, canonical.Org, {"parent_id": "parentSourcedId"}, **values)


def session(c: Cells) -> canonical.AcademicSession | None:
    start, end = c.date("startDate", required=True), c.date("endDate", required=True)
    if start and end and end < start:
        c.error("endDate", end.isoformat(), f"a date on or after startDate {start}")
    values = {
        "title": c.text("title", required=True),
        "type": c.choice("type", SESSION_TYPES),
        "start_date": start,
        "end_date": end,
        "school_year": c.year("schoolYear"),
        "parent_id": c.ref("parentSourcedId", "academicSessions", required=False, strict=False),
    }
    return _build(c, canonical.AcademicSession, {}, **values)


def course(c: Cells) -> canonical.Course | None:
    values = {
        "title": c.text("title", required=True),
        "course_code": c.text("courseCode"),
        "org_id": c.ref("orgSourcedId", "orgs", required=True, strict=False),
        "school_year_id": c.ref(
            "schoolYearSourcedId", "academicSessions", required=False, strict=False
        ),
    }
    return _build(c, canonical.Course, {}, **values)


def klass(c: Cells) -> canonical.Class | None:
    c.choice("classType", CLASS_TYPES)
    values = {
        "title": c.text("title", required=True),
        "class_code": c.text("classCode"),
        "course_id": c.ref("courseSourcedId", "courses", required=True, strict=True),
        "school_id": c.ref("schoolSourcedId", "orgs", required=True, strict=False),
        "term_ids": c.refs("termSourcedIds", "academicSessions", required=True),
    }
    return _build(c, canonical.Class, {}, **values)


def role_row(c: Cells) -> None:
    """1.2 roles.csv: remembered per user (compactly) for users.csv; no record of its own."""
    user = c.text("userSourcedId", required=True)
    kind = c.choice("roleType", ROLE_TYPES, extension=False)
    role = c.text("role")
    if role in USER_ROLES["1.1"] and role not in USER_ROLES["1.2"]:  # 1.1's "administrator"
        c.warn("role", role, "a 1.2 role (the 1.1 role is read as such)")
    else:
        role = c.choice("role", USER_ROLES["1.2"])
    org_id = c.ref("orgSourcedId", "orgs", required=True, strict=False)
    c.date("beginDate")
    c.date("endDate")
    c.common()
    if c.failed or user is None or role is None or org_id is None:
        if user is not None:
            c.index.refused_roles.setdefault(user, c.line)
        return
    role = sys.intern(ROLE_SYNONYMS.get(role, role))
    current = c.index.roles.get(user)
    orgs = current[1] if current else []
    if org_id not in orgs:
        orgs.append(sys.intern(org_id))
    if current is None or kind == "primary":
        c.index.roles[user] = (role, orgs)


def user(c: Cells) -> canonical.Person | None:
    sid = c.values.get("sourcedId", "").strip()
    if c.version == "1.1":
        role = c.choice("role", USER_ROLES["1.1"])
        orgs = c.refs("orgSourcedIds", "orgs", required=True)
    else:
        role, orgs = _role_of(c, sid)
        primary = c.ref("primaryOrgSourcedId", "orgs", required=False, strict=False)
        if primary and primary not in orgs:
            orgs = [primary, *orgs]
    values = {
        "username": c.text("username", required=True),
        "given_name": c.text("givenName", required=True),
        "family_name": c.text("familyName", required=True),
        "preferred_first_name": c.text("preferredGivenName"),
        "email": c.text("email"),
        "phone": c.text("phone"),
        "role": role,
        "identifier": c.text("identifier"),
        "org_ids": orgs,
        "enabled": c.flag("enabledUser", True, required=True),
    }
    return _build(
        c, canonical.Person, {"given_name": "givenName", "family_name": "familyName"}, **values
    )


def _role_of(c: Cells, sid: str) -> tuple[str | None, list[str]]:
    found = c.index.roles.get(sid)
    if found is not None:
        return found[0], list(found[1])
    if sid and sid in c.index.refused_roles:
        line = c.index.refused_roles[sid]
        c.wait("sourcedId", sid, "a loaded role in roles.csv", f"roles.csv:{line}")
    elif sid and "roles" in c.index.complete:
        c.error("sourcedId", sid, "a row in roles.csv for this user (1.2 keeps roles there)")
    return None, []


def enrollment(c: Cells) -> canonical.Enrollment | None:
    begin, end = c.date("beginDate"), c.date("endDate")
    if begin and end and end < begin:
        c.error("endDate", end.isoformat(), f"a date on or after beginDate {begin}")
    values = {
        "class_id": c.ref("classSourcedId", "classes", required=True, strict=True),
        "school_id": c.ref("schoolSourcedId", "orgs", required=True, strict=False),
        "person_id": c.ref("userSourcedId", "users", required=True, strict=True),
        "role": c.choice("role", ENROLLMENT_ROLES[c.version]),
        "primary": c.flag("primary", False),
        "begin_date": begin,
        "end_date": end,
    }
    return _build(c, canonical.Enrollment, {}, **values)


BUILDERS: dict[str, Callable[[Cells], Any]] = {
    "orgs": org,
    "academicSessions": session,
    "courses": course,
    "classes": klass,
    "roles": role_row,
    "users": user,
    "enrollments": enrollment,
}
