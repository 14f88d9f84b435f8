"""A proctored exam whose LMS is Moodle: the exam is an activity's grade item, its students the
course's enrolled students (by idnumber), and the final grades land on that activity."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError
from temporalio.worker import Worker

from connectors.moodle.models import STUDENT, Enrolment, NewUser
from tests.workflows.conftest import Campus, MoodleCourses, unique
from tests.workflows.test_proctored_exam import complete_sessions, exam_input, wait_for_stage
from workflows.proctored_exam import ProctoredExam, exam_workflow_id


async def test_an_exam_in_moodle_grades_its_activity(
    campus: Campus, moodle_campus: MoodleCourses, temporal_client: Client, worker: Worker
) -> None:
    moodle = moodle_campus.client
    course_sis, course_id = next(iter(moodle_campus.courses.items()))
    ids = [unique("MX") for _ in range(3)]
    users = await moodle.create_users(
        [
            NewUser(username=i.lower(), firstname="Exam", lastname=i, idnumber=i,
                    email=f"{i.lower()}@school.example", createpassword=True)
            for i in ids
        ]
    )  # fmt: skip
    try:
        await moodle.enrol(
            [Enrolment(roleid=STUDENT, userid=u.id, courseid=course_id) for u in users]
        )
        async with httpx.AsyncClient(base_url=f"{campus.sandbox_url}/moodle/_control") as http:
            answer = await http.post(
                "/grades",
                json={"courseid": course_id, "userid": users[0].id, "itemname": "Final exam",
                      "grade": None, "grademax": 50},
            )  # fmt: skip
        item_id = answer.json()["itemid"]
        input = exam_input(campus, course_sis, item_id, results_timeout_seconds=4,
                           review_timeout_seconds=1)  # fmt: skip
        input = input.model_copy(update={"lms": moodle_campus.lms})
        handle = await temporal_client.start_workflow(
            ProctoredExam.run,
            input,
            id=exam_workflow_id(input.proctoring, input.lms, input.course, input.assignment_id),
            task_queue=worker.task_queue,
            execution_timeout=timedelta(minutes=2),
        )
        await wait_for_stage(handle, "collecting")
        students = await complete_sessions(campus, input)
        assert sorted(students) == sorted(ids)
        result = await handle.result()  # results read from the platform, the flag defaulted
        assert result.scheduled == 3 and result.missing == []
        assert result.defaulted == result.flagged and len(result.flagged) == 1
        assert result.grades == {s: "40" for s in ids} and result.progress_id is None

        raw = {
            r.useridnumber: next(i.graderaw for i in r.gradeitems if i.id == item_id)
            for r in await moodle.grade_items(course_id)
        }
        assert raw == {s: 40.0 for s in ids}
    finally:
        await moodle.delete_users([u.id for u in users])


async def test_an_exam_on_a_missing_moodle_activity_fails_at_its_first_step(
    campus: Campus, moodle_campus: MoodleCourses, temporal_client: Client, worker: Worker
) -> None:
    course_sis = next(iter(moodle_campus.courses))
    input = exam_input(campus, course_sis, 987654).model_copy(update={"lms": moodle_campus.lms})
    handle = await temporal_client.start_workflow(
        ProctoredExam.run,
        input,
        id=exam_workflow_id(input.proctoring, input.lms, input.course, input.assignment_id),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=1),
    )
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    activity_error = failure.value.cause
    assert isinstance(activity_error, ActivityError)
    assert "has no graded activity 987654" in str(activity_error.cause)
