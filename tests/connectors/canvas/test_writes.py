"""Writing to Canvas: users, courses, sections, enrollments (conclude/inactivate/delete), grades."""

from __future__ import annotations

import asyncio

import pytest

from connectors.canonical import Role
from connectors.canvas import CanvasClient, sis
from connectors.canvas.mapping import enrollment_type
from connectors.canvas.models import (
    CourseUpdate,
    NewAssignment,
    NewCourse,
    NewEnrollment,
    NewSection,
    NewUser,
    UserUpdate,
)
from connectors.errors import Conflict, InvalidRequest
from tests.connectors.unlisted import unlisted


async def test_create_update_and_look_up_a_user(canvas: CanvasClient, unique: str) -> None:
    created = await canvas.create_user(
        NewUser(
            name="Ada Lovelace",
            unique_id=f"ada-{unique}",
            sis_user_id=f"S-{unique}",
            email=f"{unique}@x.org",
        )
    )
    assert created.sortable_name == "Lovelace, Ada" and created.email == f"{unique}@x.org"
    updated = await canvas.update_user(sis("user", f"S-{unique}"), UserUpdate(name="Ada King"))
    assert updated.id == created.id and updated.name == "Ada King"
    logins = [login async for login in canvas.list_logins(created.id)]
    assert [login.unique_id for login in logins] == [f"ada-{unique}"]
    with pytest.raises(Conflict):
        await canvas.create_user(NewUser(name="Twin", unique_id=f"ada-{unique}"))


async def test_enroll_then_conclude_inactivate_reactivate_and_delete(
    canvas: CanvasClient, unique: str
) -> None:
    student = await canvas.create_user(
        NewUser(name="Sam Student", unique_id=f"sam-{unique}", sis_user_id=f"U-{unique}")
    )
    course = await canvas.create_course(
        NewCourse(name="Algebra", course_code="ALG", sis_course_id=f"C-{unique}")
    )
    section = await canvas.create_section(
        course.id, NewSection(name="Period 1", sis_section_id=f"S-{unique}")
    )
    enrollment = await canvas.enroll_in_section(
        sis("section", f"S-{unique}"),
        NewEnrollment(user_id=sis("user", f"U-{unique}"), type="StudentEnrollment"),
    )
    assert (enrollment.user_id, enrollment.course_section_id, enrollment.enrollment_state) == (
        student.id,
        section.id,
        "active",
    )
    concluded = await canvas.conclude_enrollment(course.id, enrollment.id)
    assert concluded.enrollment_state == "completed"
    active = [e async for e in canvas.list_course_enrollments(course.id)]
    assert active == []  # Canvas lists active and invited ones unless asked
    completed = [e async for e in canvas.list_course_enrollments(course.id, states=["completed"])]
    assert [e.id for e in completed] == [enrollment.id]
    assert (
        await canvas.end_enrollment(course.id, enrollment.id, "inactivate")
    ).enrollment_state == "inactive"
    assert (
        await canvas.reactivate_enrollment(course.id, enrollment.id)
    ).enrollment_state == "active"
    assert (
        await canvas.end_enrollment(course.id, enrollment.id, "delete")
    ).enrollment_state == "deleted"


async def test_course_update_and_bad_enrollment_type(canvas: CanvasClient, unique: str) -> None:
    course = await canvas.create_course(NewCourse(name="Bio", sis_course_id=f"B-{unique}"))
    published = await canvas.update_course(course.id, CourseUpdate(event="offer", name="Biology"))
    assert (published.workflow_state, published.name) == ("available", "Biology")
    # NewEnrollment would refuse the type before Canvas: a raw call
    with pytest.raises(InvalidRequest), unlisted():
        await canvas._call(
            "POST",
            f"/courses/{course.id}/enrollments",
            json={"enrollment": {"user_id": 1, "type": "Wizard"}},
        )


async def test_grades_are_updated_through_a_progress(canvas: CanvasClient, unique: str) -> None:
    course = await canvas.create_course(NewCourse(name="Chem", sis_course_id=f"G-{unique}"))
    student = await canvas.create_user(
        NewUser(name="Gia Grade", unique_id=f"gia-{unique}", sis_user_id=f"GU-{unique}")
    )
    await canvas.enroll(course.id, NewEnrollment(user_id=str(student.id), type="StudentEnrollment"))
    assignment = await canvas.create_assignment(
        course.id, NewAssignment(name="Lab 1", points_possible=50)
    )
    progress = await canvas.update_grades(
        course.id, {assignment.id: {sis("user", f"GU-{unique}"): "80%"}}
    )
    for _ in range(50):
        progress = await canvas.get_progress(progress.id)
        if progress.workflow_state in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    assert progress.workflow_state == "completed"
    [submission] = [s async for s in canvas.list_submissions(course.id)]
    assert (submission.user_id, submission.score, submission.workflow_state) == (
        student.id,
        40.0,
        "graded",
    )


async def test_ensure_user_finds_refreshes_or_creates_and_delete_user(
    canvas: CanvasClient, unique: str
) -> None:
    new = NewUser(name="Eve Ensure", unique_id=f"eve-{unique}", sis_user_id=f"EU-{unique}")
    first = await canvas.ensure_user(new)
    assert first.created and first.user.name == "Eve Ensure"
    again = await canvas.ensure_user(new.model_copy(update={"name": "Eve Renamed"}))
    assert (again.created, again.user.id, again.user.name) == (False, first.user.id, "Eve Ensure")
    refreshed = await canvas.ensure_user(
        new.model_copy(update={"name": "Eve Renamed"}), refresh=True
    )
    assert (refreshed.created, refreshed.user.name) == (False, "Eve Renamed")
    with pytest.raises(InvalidRequest):
        await canvas.ensure_user(NewUser(name="No Sis", unique_id=f"nosis-{unique}"))
    assert [u.id async for u in canvas.list_users(search_term=f"eve-{unique}")] == [first.user.id]
    await canvas.delete_user(first.user.id)
    assert [u async for u in canvas.list_users(search_term=f"eve-{unique}")] == []


async def test_conclude_section_enrollment_by_sis_ids(canvas: CanvasClient, unique: str) -> None:
    await canvas.create_user(
        NewUser(name="Cleo Conclude", unique_id=f"cleo-{unique}", sis_user_id=f"CU-{unique}")
    )
    course = await canvas.create_course(NewCourse(name="Art", sis_course_id=f"CA-{unique}"))
    await canvas.create_section(course.id, NewSection(name="P2", sis_section_id=f"CS-{unique}"))
    enrolled = await canvas.enroll_in_section(
        sis("section", f"CS-{unique}"),
        NewEnrollment(user_id=sis("user", f"CU-{unique}"), type=enrollment_type(Role.student)),
    )
    ended = await canvas.conclude_section_enrollment(f"CS-{unique}", f"CU-{unique}")
    assert ended is not None and (ended.id, ended.enrollment_state) == (enrolled.id, "completed")
    assert await canvas.conclude_section_enrollment(f"CS-{unique}", f"CU-{unique}") is None
