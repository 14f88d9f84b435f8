"""The gradebook as real Canvas clients read and write it: assignment groups with their
assignments nested (include[]=assignments), grading standards, submissions with their user
(include[]=user), and one assignment graded through its own update_grades endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import (
    Course,
    CourseUpdate,
    GradingSchemeEntry,
    NewAssignment,
    NewCourse,
    NewEnrollment,
    NewUser,
    Progress,
)
from connectors.errors import InvalidRequest, NotFound
from tests.connectors.canvas.conftest import RecordingTransport


@pytest.fixture
async def course(canvas: CanvasClient, unique: str) -> AsyncIterator[Course]:
    made = await canvas.create_course(NewCourse(name="Gradebook", sis_course_id=f"GB-{unique}"))
    yield made
    await canvas.update_course(made.id, CourseUpdate(event="delete"))


async def finished(canvas: CanvasClient, progress: Progress) -> Progress:
    for _ in range(100):
        progress = await canvas.get_progress(progress.id)
        if progress.workflow_state in ("completed", "failed"):
            return progress
        await asyncio.sleep(0.05)
    raise AssertionError(f"progress {progress.id} never finished")


async def test_groups_nest_their_assignments_and_standards_carry_their_scheme(
    canvas: CanvasClient, course: Course
) -> None:
    # Canvas files an assignment created without a group in the course's first group, making
    # the default "Assignments" group when there is none yet.
    homework = await canvas.create_assignment(course.id, NewAssignment(name="Homework 1"))
    exams = await canvas.create_assignment_group(course.id, "Exams", group_weight=60)
    letters = await canvas.create_grading_standard(
        course.id,
        "Letters",
        [GradingSchemeEntry(name=n, value=v) for n, v in (("A", 0.9), ("B", 0.8), ("F", 0.0))],
    )
    midterm = await canvas.create_assignment(
        course.id,
        NewAssignment(
            name="Midterm",
            points_possible=50,
            assignment_group_id=exams.id,
            grading_type="letter_grade",
            grading_standard_id=letters.id,
        ),
    )

    groups = {g.name: g for g in [g async for g in canvas.list_assignment_groups(course.id)]}
    assert set(groups) == {"Assignments", "Exams"}
    assert [a.id for a in groups["Exams"].assignments] == [midterm.id]
    assert [a.id for a in groups["Assignments"].assignments] == [homework.id]
    assert groups["Exams"].group_weight == 60
    assert midterm.assignment_group_id == exams.id and midterm.grading_standard_id == letters.id

    [standard] = [s async for s in canvas.list_grading_standards(course.id)]
    assert [(e.name, e.value) for e in standard.grading_scheme] == [
        ("A", 0.9),
        ("B", 0.8),
        ("F", 0.0),
    ]
    bare = [g async for g in canvas.list_assignment_groups(course.id, include=())]
    assert all(g.assignments == [] for g in bare)


async def test_one_assignment_graded_through_its_own_endpoint(
    canvas: CanvasClient, course: Course, unique: str
) -> None:
    students = [
        await canvas.create_user(
            NewUser(name=f"Stu {n}", unique_id=f"stu{n}-{unique}", sis_user_id=f"ST{n}-{unique}")
        )
        for n in range(2)
    ]
    for student in students:
        await canvas.enroll(
            course.id, NewEnrollment(user_id=str(student.id), type="StudentEnrollment")
        )
    lab = await canvas.create_assignment(course.id, NewAssignment(name="Lab", points_possible=20))
    other = await canvas.create_assignment(course.id, NewAssignment(name="Other"))

    progress = await canvas.update_assignment_grades(
        sis("course", f"GB-{unique}"),
        lab.id,
        {sis("user", f"ST0-{unique}"): "15", str(students[1].id): "50%"},
    )
    assert progress.workflow_state in ("queued", "running", "completed")
    assert (await finished(canvas, progress)).workflow_state == "completed"

    scores = {
        (s.assignment_id, s.user.sis_user_id if s.user else None): s.score
        async for s in canvas.list_submissions(course.id)
    }
    assert scores[(lab.id, f"ST0-{unique}")] == 15.0
    assert scores[(lab.id, f"ST1-{unique}")] == 10.0
    assert scores[(other.id, f"ST0-{unique}")] is None  # the other assignment is untouched

    with pytest.raises(NotFound):
        await canvas.update_assignment_grades(course.id, 987654321, {"1": "1"})
    failed = await canvas.update_assignment_grades(course.id, lab.id, {"sis_user_id:nobody": "1"})
    assert (await finished(canvas, failed)).workflow_state == "failed"


async def test_include_parameters_go_on_the_wire(
    canvas_url: str, canvas_credentials: object, course: Course
) -> None:
    sent: list[httpx.URL] = []

    class Spy(RecordingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request.url)
            return await super().handle_async_request(request)

    async with CanvasClient(canvas_url, canvas_credentials, transport=Spy()) as client:  # type: ignore[arg-type]
        [g async for g in client.list_assignment_groups(course.id)]
        [s async for s in client.list_submissions(course.id)]
    assert sent[0].params.get_list("include[]") == ["assignments"]
    assert sent[1].params.get_list("include[]") == ["user"]
    assert sent[1].params.get_list("student_ids[]") == ["all"]


async def test_bad_group_or_scheme_is_refused(canvas: CanvasClient, course: Course) -> None:
    with pytest.raises(InvalidRequest):
        await canvas.create_assignment(
            course.id, NewAssignment(name="Lost", assignment_group_id=987654321)
        )
    with pytest.raises(InvalidRequest):
        await canvas.create_grading_standard(
            course.id, "Broken", [GradingSchemeEntry(name="A", value=1.5)]
        )
