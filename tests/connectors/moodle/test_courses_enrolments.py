"""Courses and enrolments: create/get courses, enrol in bulk, read back paged, unenrol."""

from __future__ import annotations

import pytest

from connectors.errors import Conflict, NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import (
    EDITING_TEACHER,
    STUDENT,
    Enrolment,
    NewCourse,
    NewUser,
    Unenrolment,
)


async def make_course(moodle: MoodleClient, unique: str) -> int:
    [course] = await moodle.create_courses(
        [
            NewCourse(
                fullname=f"Algebra {unique}",
                shortname=f"ALG-{unique}",
                categoryid=1,
                idnumber=f"CLS-{unique}",
            )
        ]
    )
    return course.id


async def make_users(moodle: MoodleClient, unique: str, count: int) -> list[int]:
    created = await moodle.create_users(
        [
            NewUser(
                username=f"e{n}-{unique}",
                firstname="E",
                lastname=f"N{n}",
                email=f"e{n}-{unique}@school.example",
                createpassword=True,
            )
            for n in range(count)
        ]
    )
    return [c.id for c in created]


async def test_create_and_get_courses(moodle: MoodleClient, unique: str) -> None:
    course_id = await make_course(moodle, unique)
    [by_short] = await moodle.courses_by_field("shortname", f"ALG-{unique}")
    assert (by_short.id, by_short.idnumber, by_short.categoryid) == (course_id, f"CLS-{unique}", 1)
    everything = await moodle.courses_by_field()
    assert course_id in {c.id for c in everything}
    assert any(c.format == "site" for c in everything)  # Moodle includes the front page course


async def test_duplicate_shortname_is_conflict(moodle: MoodleClient, unique: str) -> None:
    await make_course(moodle, unique)
    with pytest.raises(Conflict):
        await make_course(moodle, unique)


async def test_bulk_enrol_then_read_back_in_pages_then_unenrol(
    moodle: MoodleClient, unique: str
) -> None:
    course_id = await make_course(moodle, unique)
    user_ids = await make_users(moodle, unique, 25)
    moodle.batch_size = 10
    enrolments = [Enrolment(roleid=STUDENT, userid=u, courseid=course_id) for u in user_ids]
    enrolments[0] = Enrolment(roleid=EDITING_TEACHER, userid=user_ids[0], courseid=course_id)
    await moodle.enrol(enrolments)
    await moodle.enrol(enrolments[:3])  # idempotent

    enrolled = [u async for u in moodle.enrolled_users(course_id, page_size=7)]
    assert [u.id for u in enrolled] == sorted(user_ids)
    assert [r.shortname for r in enrolled[0].roles] == ["editingteacher"]
    assert {r.shortname for u in enrolled[1:] for r in u.roles} == {"student"}

    await moodle.unenrol([Unenrolment(userid=u, courseid=course_id) for u in user_ids[:5]])
    remaining = [u.id async for u in moodle.enrolled_users(course_id, page_size=100)]
    assert remaining == sorted(user_ids[5:])


async def test_enrol_suspended_and_only_active_filter(moodle: MoodleClient, unique: str) -> None:
    course_id = await make_course(moodle, unique)
    active, suspended = await make_users(moodle, unique, 2)
    await moodle.enrol(
        [
            Enrolment(roleid=STUDENT, userid=active, courseid=course_id),
            Enrolment(roleid=STUDENT, userid=suspended, courseid=course_id, suspend=1),
        ]
    )
    assert [u.id async for u in moodle.enrolled_users(course_id, only_active=True)] == [active]


async def test_unenrol_from_unknown_course_is_not_found(moodle: MoodleClient) -> None:
    with pytest.raises(NotFound):
        await moodle.unenrol([Unenrolment(userid=2, courseid=987654)])


async def test_user_courses_lists_active_enrolments_and_a_deleted_user_is_not_found(
    moodle: MoodleClient, unique: str
) -> None:
    first = await make_course(moodle, unique)
    second = await make_course(moodle, f"{unique}-2")
    user, neighbour = await make_users(moodle, unique, 2)
    await moodle.enrol(
        [
            Enrolment(roleid=STUDENT, userid=user, courseid=first),
            Enrolment(roleid=STUDENT, userid=user, courseid=second, suspend=1),
            Enrolment(roleid=STUDENT, userid=neighbour, courseid=second),
        ]
    )
    try:
        courses = await moodle.user_courses(user)
        assert [(c.id, c.shortname, c.idnumber) for c in courses] == [
            (first, f"ALG-{unique}", f"CLS-{unique}")
        ]  # the suspended enrolment is not an active one
        assert [c.id for c in await moodle.user_courses(neighbour)] == [second]
        await moodle.delete_users([user])
        with pytest.raises(NotFound):
            await moodle.user_courses(user)
    finally:
        await moodle.delete_users([neighbour])
        await moodle.delete_courses([first, second])
