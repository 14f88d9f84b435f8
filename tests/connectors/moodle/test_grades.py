"""Grades: seeded through the sandbox's control route, read with the user grade report."""

from __future__ import annotations

import httpx
import pytest

from connectors.errors import NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import STUDENT, Enrolment, NewCourse, NewUser


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
