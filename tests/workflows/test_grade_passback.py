"""Grade passback from Moodle and from Canvas into the OneRoster gradebook, with categories and
score scales carried across, on the real Temporal server and a private sandbox institution."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.credentials import Credentials
from atrium.db import session_scope
from atrium.models import Integration
from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import GradingSchemeEntry, NewAssignment, NewCourse, NewEnrollment
from connectors.canvas.models import NewUser as CanvasUser
from connectors.credentials import static_credentials
from connectors.errors import NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import STUDENT, Enrolment
from connectors.moodle.models import NewCourse as MoodleCourse
from connectors.moodle.models import NewUser as MoodleUser
from connectors.oneroster import OneRosterClient
from tests.workflows.sync_env import Pair, SyncSandbox, pair, start_sandbox
from workflows.grade_passback import GradePassback, GradePassbackInput, GradePassbackResult


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("passback-sandbox"))


async def _forget(engine: Engine, credentials: Credentials, *names: str) -> None:
    with session_scope(engine) as session:
        for row in session.exec(select(Integration).where(Integration.name.in_(names))):  # type: ignore[attr-defined]
            session.delete(row)
        session.commit()
    for name in names:
        await credentials.delete(name)


@pytest.fixture
async def moodle_pair(
    sandbox: SyncSandbox, engine: Engine, credentials: Credentials
) -> AsyncIterator[Pair]:
    p = await pair(engine, credentials, sandbox, "moodle")
    yield p
    await _forget(engine, credentials, p.source, p.target)


@pytest.fixture
async def canvas_pair(
    sandbox: SyncSandbox, engine: Engine, credentials: Credentials
) -> AsyncIterator[Pair]:
    p = await pair(engine, credentials, sandbox, "canvas")
    yield p
    await _forget(engine, credentials, p.source, p.target)


def gradebook(sandbox: SyncSandbox) -> OneRosterClient:
    creds = static_credentials(sandbox.contexts["oneroster"].credentials)
    return OneRosterClient(sandbox.base("oneroster"), creds)


async def class_students(sandbox: SyncSandbox, class_id: str) -> list[str]:
    async with gradebook(sandbox) as sis_api:
        page = await sis_api.page("students", parent=("classes", class_id), limit=1000)
    return sorted(u.sourced_id for u in page.records)[:2]


async def serves(sandbox: SyncSandbox, collection: str) -> bool:
    """Whether the SIS gradebook offers categories/scoreScales (the 1.2 service does)."""
    async with gradebook(sandbox) as sis_api:
        try:
            await sis_api.page(collection, limit=1)
        except NotFound:
            return False
    return True


async def passback(client: Client, worker: Worker, p: Pair, class_id: str) -> GradePassbackResult:
    return await client.execute_workflow(
        GradePassback.run,
        GradePassbackInput(lms=p.target, sis=p.source, class_ids=[class_id]),
        id=f"grade-passback-{p.target}-{uuid.uuid4().hex[:4]}",
        task_queue=worker.task_queue,
    )


async def stored(sandbox: SyncSandbox, collection: str, singular: str, sid: str) -> Any:
    """The record as the SIS stores it, in its wire form."""
    async with gradebook(sandbox) as sis_api:
        return (await sis_api.get(collection, sid)).to_wire()


async def test_moodle_grades_categories_and_totals_pass_back_once(
    sandbox: SyncSandbox, moodle_pair: Pair, temporal_client: Client, worker: Worker
) -> None:
    class_id = "cls-000002"
    first, second = await class_students(sandbox, class_id)
    creds = static_credentials(sandbox.contexts["moodle"].credentials)
    async with MoodleClient(sandbox.base("moodle"), creds) as moodle:
        [course] = await moodle.create_courses(
            [MoodleCourse(fullname="Algebra", shortname=f"ALG-{class_id}", categoryid=1,
                          idnumber=class_id, startdate=1_788_220_800)]
        )  # fmt: skip
        users = await moodle.create_users(
            [
                MoodleUser(username=s.lower(), firstname="S", lastname=s, idnumber=s,
                           email=f"{s.lower()}@school.example", createpassword=True)
                for s in (first, second)
            ]
        )  # fmt: skip
        await moodle.enrol(
            [Enrolment(roleid=STUDENT, userid=u.id, courseid=course.id) for u in users]
        )
    grades = [
        (users[0].id, "Final exam", 70.0, 80.0, "Exams"),
        (users[1].id, "Final exam", 55.0, 80.0, "Exams"),
        (users[0].id, "Essay", 8.0, 10.0, None),
    ]
    items: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=f"{sandbox.base('moodle')}/_control") as control:
        for userid, name, grade, grademax, category in grades:
            answer = await control.post(
                "/grades",
                json={"courseid": course.id, "userid": userid, "itemname": name, "grade": grade,
                      "grademax": grademax, "category": category},
            )  # fmt: skip
            items[name] = answer.json()["itemid"]

    result = await passback(temporal_client, worker, moodle_pair, class_id)
    again = await passback(temporal_client, worker, moodle_pair, class_id)
    assert (result.line_items, result.results) == (2, 3)  # totals are not line items
    assert again == result
    prefix = f"{moodle_pair.target}-{class_id}"
    final = await stored(sandbox, "lineItems", "lineItem", f"{prefix}-i{items['Final exam']}")
    assert (final["title"], final["resultValueMax"]) == ("Final exam", 80.0)
    assert final["assignDate"] == "2026-09-01T00:00:00.000Z"
    score = await stored(sandbox, "results", "result", f"{prefix}-i{items['Final exam']}-{second}")
    assert (score["score"], score["student"]["sourcedId"]) == (55.0, second)
    if await serves(sandbox, "categories"):
        # Two categories: the course's own ("Algebra", where the essay is) and "Exams".
        assert result.categories == 2
        category = await stored(sandbox, "categories", "category", final["category"]["sourcedId"])
        assert category["title"] == "Exams"
    else:  # a gradebook without categories still gets every item and score
        assert result.categories == 0 and "category" not in final


async def test_canvas_groups_and_letter_scales_pass_back(
    sandbox: SyncSandbox, canvas_pair: Pair, temporal_client: Client, worker: Worker
) -> None:
    class_id = "cls-000003"
    student, _ = await class_students(sandbox, class_id)
    creds = static_credentials(sandbox.contexts["canvas"].credentials)
    async with CanvasClient(sandbox.base("canvas"), creds) as canvas:
        course = await canvas.create_course(NewCourse(name="History", sis_course_id=class_id))
        user = await canvas.create_user(
            CanvasUser(name="Hist Student", unique_id=student.lower(), sis_user_id=student)
        )
        await canvas.enroll(
            course.id, NewEnrollment(user_id=str(user.id), type="StudentEnrollment")
        )
        group = await canvas.create_assignment_group(course.id, "Projects", group_weight=40)
        letters = await canvas.create_grading_standard(
            course.id, "Letters", [GradingSchemeEntry(name=n, value=v) for n, v in
                                   (("A", 0.9), ("B", 0.8), ("C", 0.0))]
        )  # fmt: skip
        project = await canvas.create_assignment(
            course.id,
            NewAssignment(name="Project", points_possible=20, assignment_group_id=group.id,
                          grading_type="letter_grade", grading_standard_id=letters.id),
        )  # fmt: skip
        progress = await canvas.update_assignment_grades(
            course.id, project.id, {sis("user", student): "17"}
        )
        for _ in range(100):
            if (await canvas.get_progress(progress.id)).workflow_state == "completed":
                break
            await asyncio.sleep(0.05)

    result = await passback(temporal_client, worker, canvas_pair, class_id)
    assert (result.line_items, result.results) == (1, 1)
    prefix = f"{canvas_pair.target}-{class_id}"
    item = await stored(sandbox, "lineItems", "lineItem", f"{prefix}-a{project.id}")
    score = await stored(sandbox, "results", "result", f"{prefix}-a{project.id}-{student}")
    assert item["resultValueMax"] == 20.0 and score["score"] == 17.0
    assert score["textScore"] == "B"  # Canvas stores the letter of a letter-graded score
    if await serves(sandbox, "scoreScales"):
        assert (result.categories, result.score_scales) == (1, 1)
        assert item["category"]["sourcedId"] == f"{prefix}-c{group.id}"
        scale = await stored(sandbox, "scoreScales", "scoreScale", f"{prefix}-s{letters.id}")
        assert [v["itemValueLHS"] for v in scale["scoreScaleValue"]] == ["A", "B", "C"]
    else:
        assert result.score_scales == 0 and "scoreScale" not in item
