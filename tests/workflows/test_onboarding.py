"""New student onboarding across the LMS, the library, the bursar and email, and its saga."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from connectors.canvas import CanvasClient
from connectors.canvas.requester import sis
from connectors.finance.client import BursarClient
from connectors.koha import KohaClient
from tests.workflows.conftest import Campus, MoodleCourses, unique
from tests.workflows.test_financial_hold import _client
from workflows.onboarding import (
    AdmittedStudent,
    OnboardingInput,
    OnboardingReport,
    StudentOnboarding,
)


def admission(campus: Campus, student_id: str) -> OnboardingInput:
    login = f"{student_id.lower()}@students.example.edu"
    return OnboardingInput(
        student=AdmittedStudent(
            student_id=student_id, given_name="Noor", family_name="Haddad", email=login, login=login
        ),
        courses=["C003", "C004"],
        school="Springfield High",
        expiry=date(2027, 5, 28),
        lms=campus.lms,
        library=campus.library,
        finance=campus.finance,
        comms=campus.comms,
    )


async def _onboard(client: Client, worker: Worker, input: OnboardingInput) -> OnboardingReport:
    return await client.execute_workflow(
        StudentOnboarding.run,
        input,
        id=f"onboarding-{input.student.student_id}",
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=2),
    )


async def canvas_enrollments(campus: Campus, student_id: str) -> list[str]:
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        return sorted(
            [
                e.enrollment_state
                async for e in canvas.list_user_enrollments(
                    sis("user", student_id), states=["active", "inactive", "deleted"]
                )
            ]
        )


async def test_an_admitted_student_gets_every_account_and_a_welcome(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    input = admission(campus, unique("A2027"))
    report = await _onboard(temporal_client, worker, input)
    assert report.status == "completed" and report.error is None
    assert [(s.system, s.status) for s in report.steps] == [
        ("lms", "done"),
        ("lms", "done"),
        ("library", "done"),
        ("finance", "done"),
        ("comms", "done"),
    ]
    assert await canvas_enrollments(campus, input.student.student_id) == ["active", "active"]
    async with await _client(campus, KohaClient, "koha") as koha:
        patron = await koha.find_patron_by_cardnumber(input.student.student_id)
    assert patron is not None and (patron.category_id, patron.expiry_date) == ("ST", input.expiry)
    async with await _client(campus, BursarClient, "finance") as bursar:
        assert (await bursar.get_account(input.student.student_id)).email == input.student.email
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        mail = (await http.get("/comms/_control/mail", params={"to": input.student.email})).json()
    assert [m["subject"] for m in mail] == ["Welcome to Springfield High, Noor"]

    # A replayed admission event changes nothing and sends no second email.
    again = await _onboard(temporal_client, worker, input)
    assert [s.status for s in again.steps] == ["existed", "done", "existed", "existed", "done"]
    assert again.steps[-1].detail == "already_sent"


async def test_a_step_failing_for_good_undoes_every_earlier_step(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    # The bursar only takes letters, digits, '-' and '_' in a student id: a permanent 422.
    input = admission(campus, unique("A2027."))
    report = await _onboard(temporal_client, worker, input)
    assert report.status == "compensated" and "finance" in (report.error or "")
    assert [(s.system, s.status) for s in report.steps] == [
        ("lms", "compensated"),
        ("lms", "compensated"),
        ("library", "compensated"),
        ("finance", "failed"),
    ]
    async with await _client(campus, KohaClient, "koha") as koha:
        assert await koha.find_patron_by_cardnumber(input.student.student_id) is None
    assert set(await canvas_enrollments(campus, input.student.student_id)) <= {"deleted"}
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        assert (
            await http.get("/comms/_control/mail", params={"to": input.student.email})
        ).json() == []


async def moodle_state(moodle: MoodleCourses, student_id: str) -> tuple[int | None, list[int]]:
    """The student's Moodle user (by idnumber) and the test courses they are enrolled in."""
    users = [u async for u in moodle.client.users_by_field("idnumber", [student_id])]
    if not users:
        return None, []
    enrolled = [
        course
        for course in moodle.courses.values()
        if users[0].id in {u.id async for u in moodle.client.enrolled_users(course)}
    ]
    return users[0].id, sorted(enrolled)


async def test_onboarding_into_moodle_enrols_by_idnumber(
    campus: Campus, moodle_campus: MoodleCourses, temporal_client: Client, worker: Worker
) -> None:
    input = admission(campus, unique("M2027")).model_copy(
        update={"lms": moodle_campus.lms, "courses": list(moodle_campus.courses)}
    )
    report = await _onboard(temporal_client, worker, input)
    assert report.status == "completed", report.error
    assert [(s.system, s.status) for s in report.steps][:2] == [("lms", "done"), ("lms", "done")]
    user_id, enrolled = await moodle_state(moodle_campus, input.student.student_id)
    assert user_id is not None and enrolled == sorted(moodle_campus.courses.values())
    [user] = [u async for u in moodle_campus.client.users_by_field("id", [user_id])]
    assert (user.firstname, user.lastname, user.email) == ("Noor", "Haddad", input.student.email)

    again = await _onboard(temporal_client, worker, input)
    assert [s.status for s in again.steps][:2] == ["existed", "done"]
    await moodle_campus.client.delete_users([user_id])


async def test_a_failed_onboarding_into_moodle_removes_the_user_it_made(
    campus: Campus, moodle_campus: MoodleCourses, temporal_client: Client, worker: Worker
) -> None:
    input = admission(campus, unique("M2027.")).model_copy(
        update={"lms": moodle_campus.lms, "courses": list(moodle_campus.courses)}
    )
    report = await _onboard(temporal_client, worker, input)
    assert report.status == "compensated" and "finance" in (report.error or "")
    assert [(s.system, s.status) for s in report.steps][:2] == [
        ("lms", "compensated"),
        ("lms", "compensated"),
    ]
    assert await moodle_state(moodle_campus, input.student.student_id) == (None, [])


async def test_onboarding_into_a_connection_that_is_no_lms_fails_at_the_first_step(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    input = admission(campus, unique("X2027")).model_copy(update={"lms": campus.library})
    report = await _onboard(temporal_client, worker, input)
    assert report.status == "compensated"
    assert [(s.system, s.status) for s in report.steps] == [("lms", "failed")]
    assert f"integration {campus.library!r} is a koha connection, not canvas or moodle" in (
        report.error or ""
    )
