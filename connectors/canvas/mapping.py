"""Canonical records <-> Canvas: roles, statuses and the fields of each SIS CSV row.

Atrium maps a canonical *class* (a section of a course taught in a term) to a Canvas course with
one section of the same SIS id, the usual OneRoster-to-Canvas shape; schools become sub-accounts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from connectors.canonical import AcademicSession, Class, Enrollment, Org, Person, Role, Status
from connectors.canvas.models import EnrollmentType, User

# Canvas has no course-level administrator: a school admin on a class roster teaches it. The
# value is the role as SIS CSV files name it; the REST API's enrollment type is derived from it
# (``enrollment_type``), so this is the one table of Canvas roles.
ROLE_TO_CANVAS: dict[str, str] = {  # extension roles have none: quarantined
    Role.student: "student",
    Role.teacher: "teacher",
    Role.aide: "ta",
    Role.proctor: "ta",
    Role.administrator: "teacher",
    Role.guardian: "observer",
    Role.parent: "observer",
}


def enrollment_type(role: str) -> EnrollmentType:
    """The REST enrollment type of a canonical role (``student`` -> ``StudentEnrollment``)."""
    return cast(EnrollmentType, f"{ROLE_TO_CANVAS[role].title()}Enrollment")


def csv_role(kind: str) -> str:
    """The SIS CSV role of a REST enrollment type (``TaEnrollment`` -> ``ta``)."""
    return kind.removesuffix("Enrollment").lower()


def sis_status(status: Status) -> str:
    return "deleted" if status is Status.tobedeleted else "active"


def user_row(person: Person) -> list[str]:
    """users.csv: user_id, integration_id, login_id, first_name, last_name, short_name,"
    " email, status."""
    status = sis_status(person.status)
    if status == "active" and not person.enabled:
        status = "suspended"
    short = (
        f"{person.preferred_first_name} {person.family_name}" if person.preferred_first_name else ""
    )
    return [
        person.source_id,
        person.identifier or "",
        person.username or "",  # never empty here: unfit records are quarantined first
        person.given_name,
        person.family_name,
        short,
        str(person.email or ""),
        status,
    ]


def account_row(org: Org) -> list[str]:
    """accounts.csv: account_id, parent_account_id, name, status."""
    return [org.source_id, org.parent_id or "", org.name, sis_status(org.status)]


def term_row(session: AcademicSession) -> list[str]:
    """terms.csv: term_id, name, status, start_date, end_date."""
    return [
        session.source_id,
        session.title,
        sis_status(session.status),
        f"{session.start_date.isoformat()}T00:00:00Z",
        f"{session.end_date.isoformat()}T23:59:59Z",
    ]


def course_row(klass: Class) -> list[str]:
    """courses.csv: course_id, short_name, long_name, account_id, term_id, status."""
    term = klass.term_ids[0] if klass.term_ids else ""
    return [
        klass.source_id,
        klass.class_code or klass.title,
        klass.title,
        klass.school_id,
        term,
        sis_status(klass.status),
    ]


def section_row(klass: Class) -> list[str]:
    """sections.csv: section_id, course_id, name, status."""
    return [klass.source_id, klass.source_id, klass.title, sis_status(klass.status)]


def enrollment_row(enrollment: Enrollment) -> list[str]:
    """enrollments.csv: course_id, user_id, role, section_id, status."""
    return [
        enrollment.class_id,
        enrollment.person_id,
        ROLE_TO_CANVAS[enrollment.role],
        enrollment.class_id,
        sis_status(enrollment.status),
    ]


def user_to_person(user: User, role: Role = Role.student) -> Person | None:
    """A Canvas user as a canonical person; None when it has no SIS id (not SIS-managed)."""
    if not user.sis_user_id:
        return None
    given = user.first_name or (user.sortable_name or user.name).split(",")[-1].strip() or user.name
    family = user.last_name or (user.sortable_name or user.name).split(",")[0].strip() or user.name
    return Person(
        source_id=user.sis_user_id,
        username=user.login_id or user.sis_user_id,
        given_name=given,
        family_name=family,
        email=user.email or None,
        role=role,
        identifier=user.integration_id,
        date_last_modified=datetime.now(UTC),
    )
