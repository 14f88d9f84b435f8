"""Proctored exams: sessions scheduled from an LMS assignment, results from signed webhooks routed
into the run, a professor's review (a human step with a deadline) and grades posted to Canvas."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from atrium.credentials import Credentials, SecretNotFound
from atrium.webhook_secrets import WebhookSecrets, vendor_key
from connectors.canvas import CanvasClient
from connectors.canvas.requester import sis
from connectors.proctoring import ProctoringClient
from tests.workflows.conftest import Campus, unique
from tests.workflows.test_financial_hold import _client
from workflows.proctored_exam import (
    ProctoredExam,
    ProctoredExamInput,
    exam_workflow_id,
)

HIGH_FLAG = [{"type": "second_person", "severity": "high", "at_seconds": 613, "detail": "voice"}]


async def first_assignment(campus: Campus, course: str) -> int:
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        return [a.id async for a in canvas.list_assignments(sis("course", course))][0]


async def wait_for_stage(handle: WorkflowHandle, stage: str) -> None:
    for _ in range(200):
        if await handle.query(ProctoredExam.stage) == stage:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"exam never reached {stage!r}")


async def complete_sessions(campus: Campus, input: ProctoredExamInput) -> list[str]:
    """What the proctors do: every session ends, the first with a high-severity flag."""
    async with await _client(campus, ProctoringClient, "proctoring") as proctoring:
        exam = await proctoring.find_exam(f"{input.lms}:{input.course}:{input.assignment_id}")
        assert exam is not None
        sessions = [s async for s in proctoring.list_sessions(exam.id)]
    async with httpx.AsyncClient(base_url=f"{campus.sandbox_url}/proctoring/_control") as http:
        for index, session in enumerate(sessions):
            body = {"score": 80, "flags": HIGH_FLAG if index == 0 else []}
            (await http.post(f"/sessions/{session.id}/complete", json=body)).raise_for_status()
    return [s.external_student_id for s in sessions]


def exam_input(
    campus: Campus, course: str, assignment: int, **changes: object
) -> ProctoredExamInput:
    return ProctoredExamInput(
        lms=campus.lms,
        course=course,
        assignment_id=assignment,
        proctoring=campus.proctoring,
        comms=campus.comms,
        reviewer_email=f"{unique('prof')}@example.edu",
        **changes,
    )  # type: ignore[arg-type]


@pytest.fixture
async def unsubscribed_afterwards(campus: Campus, credentials: Credentials) -> AsyncIterator[None]:
    """The run subscribes Atrium's webhook route at the sandbox platform: removed afterwards
    (the platform would keep delivering every session to it, other tests' too)."""
    yield
    store, key = WebhookSecrets(credentials), vendor_key("proctoring", campus.proctoring)
    with contextlib.suppress(SecretNotFound):
        hook = (await store.read(key))["webhook_id"]
        async with await _client(campus, ProctoringClient, "proctoring") as proctoring:
            await proctoring.unsubscribe(hook)
    await store.delete(key)


@pytest.mark.usefixtures("unsubscribed_afterwards")
async def test_webhook_results_review_and_grades_written_back(
    campus: Campus, temporal_client: Client, worker: Worker, api: httpx.AsyncClient, api_url: str
) -> None:
    input = exam_input(
        campus,
        "C003",
        await first_assignment(campus, "C003"),
        callback_url=f"{api_url}/api/v1/webhooks/proctoring/{campus.proctoring}",
        results_timeout_seconds=60,
        review_timeout_seconds=60,
    )
    handle = await temporal_client.start_workflow(
        ProctoredExam.run,
        input,
        id=exam_workflow_id(input.proctoring, input.lms, input.course, input.assignment_id),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=3),
    )
    await wait_for_stage(handle, "collecting")
    students = await complete_sessions(campus, input)
    await wait_for_stage(handle, "reviewing")  # results arrived as signed webhooks, not by polling
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        for _ in range(50):  # the review request is sent right after the stage changes
            inbox = (
                await http.get("/comms/_control/mail", params={"to": input.reviewer_email})
            ).json()
            if inbox:
                break
            await asyncio.sleep(0.1)
    [mail] = inbox
    assert mail["subject"].startswith("1 flagged session(s) to review")

    forged = await api.post(
        f"/api/v1/webhooks/proctoring/{campus.proctoring}",
        content=b'{"id": "evt_x"}',
        headers={"X-Proctor-Signature": "t=1,v1=00"},
    )
    assert forged.status_code == 400 and "X-Proctor-Signature" in forged.json()["error"]

    decision = {"decisions": [{"student_id": students[0], "outcome": "accept", "score": 70}]}
    answer = await api.post(f"/api/v1/runs/{handle.id}/signals/review", json={"payload": decision})
    assert answer.status_code < 300, answer.text
    result = await handle.result()
    assert (result.scheduled, result.completed, result.missing) == (
        len(students),
        len(students),
        [],
    )
    assert (result.flagged, result.decisions, result.defaulted) == (
        [students[0]],
        {students[0]: "accept"},
        [],
    )
    assert result.grades[students[0]] == "70" and {result.grades[s] for s in students[1:]} == {"80"}

    async with await _client(campus, CanvasClient, "canvas") as canvas:
        for _ in range(50):  # Canvas applies bulk grades in the background (a Progress)
            scores = {
                s.user_id: s.score
                async for s in canvas.list_submissions(
                    sis("course", input.course), assignment_ids=[input.assignment_id]
                )
            }
            if sorted(v for v in scores.values() if v is not None) == sorted(
                [70.0] + [80.0] * (len(students) - 1)
            ):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"grades never reached Canvas: {scores}")


async def test_unreviewed_flags_get_the_default_outcome_at_the_deadline(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    input = exam_input(
        campus,
        "C004",
        await first_assignment(campus, "C004"),
        results_timeout_seconds=10,
        review_timeout_seconds=2,
        default_outcome="reject",
    )
    handle = await temporal_client.start_workflow(
        ProctoredExam.run,
        input,
        id=exam_workflow_id(input.proctoring, input.lms, input.course, input.assignment_id),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=2),
    )
    await wait_for_stage(handle, "collecting")
    students = await complete_sessions(campus, input)
    result = await handle.result()  # nobody reviews: the deadline passes
    assert result.missing == [] and result.flagged == [students[0]]
    assert result.defaulted == [students[0]] and result.decisions == {students[0]: "reject"}
    assert students[0] not in result.grades and len(result.grades) == len(students) - 1
