"""Canonical records <-> Moodle users, courses, enrolments and grades.

Keys: a canonical ``source_id`` is stored in Moodle's ``idnumber`` (user and course), the field
Moodle reserves for "an ID code from the institution", so records can be found again by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time

from connectors.canonical.models import Class, Enrollment, LineItem, Person, Result, Role, Status
from connectors.moodle.models import (
    EDITING_TEACHER,
    NON_EDITING_TEACHER,
    STUDENT,
    Course,
    Enrolment,
    NewCourse,
    NewUser,
    Unenrolment,
    User,
    UserGrades,
    UserUpdate,
)

# Canonical role -> Moodle course role (mdl_role ids of a standard install).
ROLE_IDS: dict[str, int] = {  # extension roles have none: quarantined
    Role.student: STUDENT,
    Role.teacher: EDITING_TEACHER,
    Role.aide: NON_EDITING_TEACHER,
    Role.proctor: NON_EDITING_TEACHER,
    Role.administrator: EDITING_TEACHER,
}


def moodle_username(person: Person) -> str:
    """Moodle usernames are lower case (PARAM_USERNAME rejects anything else)."""
    return (person.username or "").strip().lower()


def person_to_new_user(person: Person, *, auth: str = "manual") -> NewUser:
    """A user to create. Manual accounts get ``createpassword`` (Moodle mails a password)."""
    if not person.email:
        raise ValueError(f"person {person.source_id}: Moodle requires an email address")
    return NewUser(
        username=moodle_username(person),
        firstname=person.preferred_first_name or person.given_name,
        lastname=person.family_name,
        email=str(person.email),
        auth=auth,
        createpassword=True if auth == "manual" else None,
        idnumber=person.source_id,
        phone1=person.phone,
    )


def person_to_user_update(person: Person, moodle_id: int) -> UserUpdate:
    return UserUpdate(
        id=moodle_id,
        username=moodle_username(person),
        firstname=person.preferred_first_name or person.given_name,
        lastname=person.family_name,
        email=str(person.email) if person.email else None,
        idnumber=person.source_id,
        phone1=person.phone,
        suspended=not person.enabled or person.status is Status.tobedeleted,
    )


def suspension(moodle_id: int) -> UserUpdate:
    """The update that suspends a user and changes nothing else (how a sync deactivates)."""
    return UserUpdate(id=moodle_id, suspended=True)


def user_to_person(user: User, *, role: Role, modified: datetime) -> Person:
    """``modified``: Moodle's user functions do not return timemodified; the caller's clock."""
    return Person(
        source_id=user.idnumber or f"moodle-user-{user.id}",
        date_last_modified=modified,
        username=user.username,
        given_name=user.firstname,
        family_name=user.lastname,
        email=user.email or None,
        phone=user.phone1 or None,
        role=role,
        identifier=user.idnumber or None,
        enabled=not user.suspended,
    )


def _unix(day: date | None) -> int | None:
    return None if day is None else int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


DEFAULT_CATEGORY = 1  # "Miscellaneous", the category every Moodle install starts with


def class_to_new_course(
    cls: Class, *, categoryid: int = DEFAULT_CATEGORY, start: date | None = None
) -> NewCourse:
    return NewCourse(
        fullname=cls.title,
        shortname=cls.class_code or cls.source_id,
        categoryid=categoryid,
        idnumber=cls.source_id,
        startdate=_unix(start),
    )


def course_to_class(course: Course, *, course_id: str, school_id: str) -> Class:
    return Class(
        source_id=course.idnumber or f"moodle-course-{course.id}",
        date_last_modified=datetime.fromtimestamp(course.timemodified, UTC),
        title=course.fullname,
        class_code=course.shortname,
        course_id=course_id,
        school_id=school_id,
        status=Status.active if course.visible else Status.tobedeleted,
    )


def enrollment_to_enrolment(
    enrollment: Enrollment, *, userid: int, courseid: int, suspend: bool = False
) -> Enrolment:
    """An enrolment to make; ``suspend`` (a deactivation) keeps it, suspended."""
    if enrollment.role not in ROLE_IDS:
        raise ValueError(f"enrollment {enrollment.source_id}: no Moodle role for {enrollment.role}")
    return Enrolment(
        roleid=ROLE_IDS[enrollment.role],
        userid=userid,
        courseid=courseid,
        timestart=_unix(enrollment.begin_date),
        timeend=_unix(enrollment.end_date),
        suspend=1 if suspend or enrollment.status is Status.tobedeleted else None,
    )


def enrollment_to_unenrolment(userid: int, courseid: int) -> Unenrolment:
    return Unenrolment(userid=userid, courseid=courseid)


def grades_to_canonical(
    report: UserGrades, *, class_id: str, person_ids: Mapping[int, str], modified: datetime
) -> tuple[list[LineItem], list[Result]]:
    """One user's grade report -> line items (one per grade item) and that user's results."""
    person_id = (
        person_ids.get(report.userid) or report.useridnumber or f"moodle-user-{report.userid}"
    )
    items, results = [], []
    for item in report.gradeitems:
        line_item_id = item.idnumber or f"moodle-gradeitem-{item.id}"
        items.append(
            LineItem(
                source_id=line_item_id,
                date_last_modified=modified,
                title=item.itemname or "Course total",
                class_id=class_id,
                result_value_min=item.grademin,
                result_value_max=item.grademax,
            )
        )
        graded = item.graderaw is not None
        results.append(
            Result(
                source_id=f"moodle-grade-{item.id}-{report.userid}",
                date_last_modified=datetime.fromtimestamp(item.gradedategraded, UTC)
                if item.gradedategraded
                else modified,
                line_item_id=line_item_id,
                person_id=person_id,
                score=item.graderaw,
                score_status="fully graded" if graded else "not submitted",
                comment=item.feedback or None,
            )
        )
    return items, results
