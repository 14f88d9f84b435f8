"""Grades: seeded through the sandbox's control route, read with the user grade report."""

from __future__ import annotations

import httpx
import pytest

from connectors.errors import InvalidRequest, NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import STUDENT, Enrolment, NewCourse, NewGrade, NewUser


async def test_grade_items_for_one_user_and_for_the_course(
    moodle: MoodleClient, sandbox_url: str, unique: str
) -> None:
    [course] = await moodle.create_courses(
        [NewCourse(fullname=f"Bio {unique}", shortname=f"BIO-{unique}", categoryid=1)]
    )
    graded, ungraded = await moodle.create_users(
        [
            NewUser(
                username=f"g{n}-{unique}",
                firstname="G",
                lastname=f"S{n}",
                email=f"g{n}-{unique}@school.example",
                createpassword=True,
            )
            for n in range(2)
        ]
    )
    await moodle.enrol(
        [Enrolment(roleid=STUDENT, userid=u.id, courseid=course.id) for u in (graded, ungraded)]
    )
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/moodle/_control") as control:
        for name, grade, grademax in (("Essay", 42.5, 50.0), ("Quiz", 8.0, 10.0)):
            response = await control.post(
                "/grades",
                json={
                    "courseid": course.id,
                    "userid": graded.id,
                    "itemname": name,
                    "grade": grade,
                    "grademax": grademax,
                    "feedback": "Well done",
                },
            )
            assert response.status_code == 200, response.text

    [report] = await moodle.grade_items(course.id, graded.id)
    items = {i.itemname: i for i in report.gradeitems}
    assert items["Essay"].graderaw == 42.5 and items["Essay"].grademax == 50.0
    assert items["Essay"].itemtype == "mod" and items["Essay"].itemmodule == "assign"
    assert items["Essay"].feedback == "Well done"
    total = items[None]
    assert (total.itemtype, total.graderaw, total.grademax) == ("course", 50.5, 60.0)

    everyone = await moodle.grade_items(course.id)
    assert [r.userid for r in everyone] == [graded.id, ungraded.id]
    assert all(i.graderaw is None for i in everyone[1].gradeitems)


async def test_grade_items_of_unknown_course_is_not_found(moodle: MoodleClient) -> None:
    with pytest.raises(NotFound):
        await moodle.grade_items(987654)


async def test_categories_named_and_grades_updated_through_core_grades(
    moodle: MoodleClient, sandbox_url: str, unique: str
) -> None:
    [course] = await moodle.create_courses(
        [NewCourse(fullname=f"Geo {unique}", shortname=f"GEO-{unique}", categoryid=1)]
    )
    [student] = await moodle.create_users(
        [
            NewUser(
                username=f"c-{unique}",
                firstname="C",
                lastname="S",
                email=f"c-{unique}@school.example",
                idnumber=f"CS-{unique}",
                createpassword=True,
            )
        ]
    )
    await moodle.enrol([Enrolment(roleid=STUDENT, userid=student.id, courseid=course.id)])
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/moodle/_control") as control:
        for name, grade, category in (("Final", 70.0, "Exams"), ("Essay", 9.0, None)):
            body = {
                "courseid": course.id,
                "userid": student.id,
                "itemname": name,
                "grade": grade,
                "category": category,
            }
            assert (await control.post("/grades", json=body)).status_code == 200

    named = {i.itemname: i.category for i in await moodle.course_grade_items(course.id)}
    # The top category is named after the course; totals are not gradable items.
    assert named == {"Final": "Exams", "Essay": f"Geo {unique}"}

    [report] = await moodle.grade_items(course.id, student.id)
    by_type = {(i.itemtype, i.itemname): i for i in report.gradeitems}
    final, essay = by_type[("mod", "Final")], by_type[("mod", "Essay")]
    exams_total = by_type[("category", None)]
    assert final.categoryid == exams_total.iteminstance != essay.categoryid
    assert exams_total.categoryid is None and exams_total.graderaw == 70.0
    assert by_type[("course", None)].graderaw == 79.0
    assert final.cmid is not None

    await moodle.update_grades(
        course.id, "mod_assign", final.cmid, [NewGrade(studentid=student.id, grade=55.5)]
    )
    [report] = await moodle.grade_items(course.id, student.id)
    assert {i.itemname: i.graderaw for i in report.gradeitems if i.itemtype == "mod"} == {
        "Final": 55.5,
        "Essay": 9.0,
    }
    with pytest.raises(InvalidRequest):  # an unknown student: GRADE_UPDATE_FAILED
        await moodle.update_grades(
            course.id, "mod_assign", final.cmid, [NewGrade(studentid=987654, grade=1)]
        )
    with pytest.raises(InvalidRequest):  # invalidcoursemodule
        await moodle.update_grades(course.id, "mod_assign", 987654, [])

    await moodle.delete_users([student.id])
    assert [u async for u in moodle.users_by_field("idnumber", [f"CS-{unique}"])] == []
    with pytest.raises(NotFound):
        await moodle.delete_users([student.id])
