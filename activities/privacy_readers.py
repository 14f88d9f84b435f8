"""What each connected system holds about one person, read through catalog actions only
(connectors/catalog.py): the export's per-system sections, and what an erasure needs to find
(the person's id in each system). A record the system does not have is an empty section, not an
error: a person need not be in every system.

Each reader answers ``{record type: [records as JSON]}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from activities.clients import build_client
from activities.runtime import Runtime
from atrium.models import Integration
from atrium.privacy.subjects import Person
from connectors.catalog import catalog
from connectors.errors import AuthError, NotFound

Section = dict[str, list[dict[str, Any]]]
Reader = Callable[[Runtime, Integration, Person], Awaitable[Section]]


def quoted(value: str) -> str:
    return value.replace("'", "''")


async def call(
    runtime: Runtime,
    row: Integration,
    action: str,
    *,
    absent: tuple[type[Exception], ...] = (NotFound,),
    **given: Any,
) -> Any:
    """Run the read ``action`` on connection ``row``; its output as JSON (None: not found, or
    another of the ``absent`` errors)."""
    entry = catalog()[action]
    if entry.spec.effect != "read":
        raise ValueError(f"{action} is not a read")
    client = await build_client(runtime, row, entry.client)
    try:
        with runtime.translate(row.name):
            result = await entry.call(client, entry.input_model.model_validate(given), limit=5000)
    except Exception as exc:
        if isinstance(exc.__cause__, absent) or isinstance(exc, absent):
            return None
        raise
    return entry.output.dump_python(result, mode="json", by_alias=True) if entry.output else result


def _as_list(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dumped(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


async def oneroster(runtime: Runtime, row: Integration, person: Person) -> Section:
    sid = quoted(person.sourced_id)
    user = await call(runtime, row, "oneroster.get_record", name="users", sourced_id=sid)
    if user is None:
        return {"users": []}
    enrollments = await call(
        runtime, row, "oneroster.list_records", name="enrollments", filter=f"user.sourcedId='{sid}'"
    )
    results = await call(
        runtime, row, "oneroster.list_records", name="results", filter=f"student.sourcedId='{sid}'"
    )
    # Demographics need a scope of their own: a SIS token without it reads none (an empty list),
    # rather than failing the whole export.
    demographics = await call(
        runtime,
        row,
        "oneroster.get_record",
        absent=(NotFound, AuthError),
        name="demographics",
        sourced_id=sid,
    )
    return {
        "users": [_dumped(user)],
        "enrollments": [_dumped(e) for e in enrollments or []],
        "results": [_dumped(r) for r in results or []],
        "demographics": [_dumped(demographics)] if demographics else [],
    }


async def canvas(runtime: Runtime, row: Integration, person: Person) -> Section:
    user = await call(runtime, row, "canvas.get_user_by_sis_id", sis_user_id=person.sourced_id)
    if user is None:
        return {"users": []}
    enrollments = await call(
        runtime,
        row,
        "canvas.list_user_enrollments",
        user=user["id"],
        states=["active", "invited", "inactive", "completed"],
    )
    submissions: list[dict[str, Any]] = []
    for course in sorted({e["course_id"] for e in enrollments or []}):
        found = await call(
            runtime, row, "canvas.list_submissions", course=course, student_ids=[str(user["id"])]
        )
        submissions += [s for s in found or [] if s.get("user_id") == user["id"]]
    logins = await call(runtime, row, "canvas.list_logins", user=user["id"])
    return {
        "users": [user],
        "logins": _as_list(logins),
        "enrollments": _as_list(enrollments),
        "submissions": submissions,
    }


async def moodle(runtime: Runtime, row: Integration, person: Person) -> Section:
    """The user under the SIS id, the courses they are enrolled in and their grades there."""
    users = _as_list(
        await call(
            runtime, row, "moodle.users_by_field", field="idnumber", values=[person.sourced_id]
        )
    )
    if not users:
        return {"users": []}
    user = users[0]["id"]
    courses = _as_list(await call(runtime, row, "moodle.user_courses", userid=user))
    grades: list[dict[str, Any]] = []
    for course in courses:
        found = await call(runtime, row, "moodle.grade_items", courseid=course["id"], userid=user)
        grades += [g for g in _as_list(found) if g.get("userid") == user]
    return {"users": users[:1], "enrolments": courses, "grades": grades}


async def koha(runtime: Runtime, row: Integration, person: Person) -> Section:
    if not person.student_id:
        return {"patrons": []}
    patron = await call(
        runtime, row, "koha.find_patron_by_cardnumber", cardnumber=person.student_id
    )
    if patron is None:
        return {"patrons": []}
    restrictions = await call(runtime, row, "koha.list_restrictions", patron_id=patron["patron_id"])
    return {"patrons": [patron], "restrictions": _as_list(restrictions)}


async def finance(runtime: Runtime, row: Integration, person: Person) -> Section:
    if not person.student_id:
        return {"accounts": []}
    account = await call(runtime, row, "finance.get_account", student_id=person.student_id)
    if account is None:
        return {"accounts": []}
    holds = await call(runtime, row, "finance.list_holds", student_id=person.student_id)
    return {"accounts": [account], "holds": _as_list(holds)}


READERS: dict[str, Reader] = {
    "oneroster": oneroster,
    "canvas": canvas,
    "moodle": moodle,
    "koha": koha,
    "finance": finance,
}
