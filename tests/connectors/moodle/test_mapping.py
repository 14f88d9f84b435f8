"""Canonical <-> Moodle mapping, checked against records that went through the sandbox."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.canonical.models import Class, Enrollment, Person, Role, Status
from connectors.moodle import MoodleClient
from connectors.moodle.mapping import (
    class_to_new_course,
    course_to_class,
    enrollment_to_enrolment,
    grades_to_canonical,
    person_to_new_user,
    person_to_user_update,
    user_to_person,
)
from connectors.moodle.models import EDITING_TEACHER, GradeItem, UserGrades

NOW = datetime(2025, 1, 6, tzinfo=UTC)


def person(unique: str, **changes: object) -> Person:
    values: dict[str, object] = {
        "source_id": f"P-{unique}",
        "date_last_modified": NOW,
        "username": f"Ada.Lovelace-{unique}",
        "given_name": "Augusta",
        "preferred_first_name": "Ada",
        "family_name": "Lovelace",
        "email": f"ada-{unique}@school.example",
        "role": Role.student,
    }
    return Person.model_validate({**values, **changes})


async def test_person_round_trip_through_moodle(moodle: MoodleClient, unique: str) -> None:
    source = person(unique)
    [created] = await moodle.create_users([person_to_new_user(source)])
    assert created.username == f"ada.lovelace-{unique}"  # Moodle usernames are lower case
    [user] = [u async for u in moodle.users_by_field("idnumber", [source.source_id])]
    back = user_to_person(user, role=Role.student, modified=NOW)
    assert (back.source_id, back.given_name, back.family_name) == (
        source.source_id,
        "Ada",
        "Lovelace",
    )
    assert back.email == source.email and back.enabled

    await moodle.update_users(
        [person_to_user_update(source.model_copy(update={"enabled": False}), user.id)]
    )
    [user] = [u async for u in moodle.users_by_field("id", [user.id])]
    assert user_to_person(user, role=Role.student, modified=NOW).enabled is False


def test_person_without_email_cannot_become_a_moodle_user() -> None:
    with pytest.raises(ValueError, match="email"):
        person_to_new_user(person("x", email=None))


async def test_class_round_trip_through_moodle(moodle: MoodleClient, unique: str) -> None:
    cls = Class(
        source_id=f"C-{unique}",
        date_last_modified=NOW,
        title="Physics 7B",
        class_code=f"PHY7B-{unique}",
        course_id="PHY",
        school_id="S1",
    )
    await moodle.create_courses([class_to_new_course(cls, categoryid=1, start=date(2025, 9, 1))])
    [course] = await moodle.courses_by_field("idnumber", cls.source_id)
    assert course.startdate == int(datetime(2025, 9, 1, tzinfo=UTC).timestamp())
    back = course_to_class(course, course_id="PHY", school_id="S1")
    assert (back.source_id, back.title, back.class_code) == (
        cls.source_id,
        cls.title,
        cls.class_code,
    )


def test_enrollment_roles_and_dates() -> None:
    enrollment = Enrollment(
        source_id="E1",
        date_last_modified=NOW,
        person_id="P",
        class_id="C",
        school_id="S",
        role=Role.teacher,
        begin_date=date(2025, 9, 1),
    )
    moodle = enrollment_to_enrolment(enrollment, userid=7, courseid=9)
    assert (moodle.roleid, moodle.userid, moodle.courseid) == (EDITING_TEACHER, 7, 9)
    assert moodle.timestart == int(datetime(2025, 9, 1, tzinfo=UTC).timestamp())
    assert moodle.suspend is None
    dropped = enrollment.model_copy(update={"status": Status.tobedeleted, "role": Role.student})
    assert enrollment_to_enrolment(dropped, userid=7, courseid=9).suspend == 1
    with pytest.raises(ValueError, match="no Moodle role"):
        enrollment_to_enrolment(
            enrollment.model_copy(update={"role": Role.guardian}), userid=7, courseid=9
        )


def test_grades_become_line_items_and_results() -> None:
    report = UserGrades(
        courseid=9,
        userid=7,
        userfullname="A L",
        useridnumber="P-1",
        gradeitems=[
            GradeItem(
                id=11,
                itemname="Essay",
                itemtype="mod",
                graderaw=40.0,
                grademax=50.0,
                gradedategraded=1_700_000_000,
                feedback="Good",
            ),
            GradeItem(id=12, itemname=None, itemtype="course", graderaw=None, grademax=50.0),
        ],
    )
    items, results = grades_to_canonical(report, class_id="C-1", person_ids={}, modified=NOW)
    assert [i.title for i in items] == ["Essay", "Course total"]
    assert [(r.person_id, r.score, r.score_status) for r in results] == [
        ("P-1", 40.0, "fully graded"),
        ("P-1", None, "not submitted"),
    ]
    assert results[0].comment == "Good" and results[0].line_item_id == "moodle-gradeitem-11"
