"""Financial holds: an event or the nightly SFTP batch pauses LMS access and library borrowing,
lifting restores both, and a step that fails for good undoes what was done (saga)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.worker import Worker

from connectors.canvas import CanvasClient
from connectors.canvas.requester import sis
from connectors.credentials import static_credentials
from connectors.finance.client import BursarClient
from connectors.finance.models import AccountCreate
from connectors.koha import KohaClient, PatronWrite
from tests.sandbox.control import credentials_of
from tests.workflows.conftest import Campus, unique
from workflows.financial_hold import (
    FinancialHold,
    FinancialHoldInput,
    FinancialHoldResult,
    hold_workflow_id,
)
from workflows.financial_hold_batch import FinancialHoldBatch, HoldBatchInput


async def _client(campus: Campus, cls, system: str):  # type: ignore[no-untyped-def]
    return cls(
        f"{campus.sandbox_url}/{system}",
        static_credentials(await credentials_of(campus.sandbox_url, system)),
    )


async def enrolled_students(campus: Campus, course: str, count: int) -> list[str]:
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        return [
            e.sis_user_id
            async for e in canvas.list_course_enrollments(
                sis("course", course), types=["StudentEnrollment"]
            )
            if e.sis_user_id
        ][:count]


async def enrollment_states(campus: Campus, student: str) -> set[str]:
    async with await _client(campus, CanvasClient, "canvas") as canvas:
        return {
            e.enrollment_state
            async for e in canvas.list_user_enrollments(
                sis("user", student), states=["active", "inactive"]
            )
        }


async def patron_restricted(campus: Campus, student: str) -> bool:
    async with await _client(campus, KohaClient, "koha") as koha:
        patron = await koha.find_patron_by_cardnumber(student)
        assert patron is not None
        return patron.restricted


async def known_everywhere(campus: Campus, student: str, email: str) -> None:
    """The same student id in the library and the bursar, as a school's systems share it."""
    async with await _client(campus, KohaClient, "koha") as koha:
        if await koha.find_patron_by_cardnumber(student) is None:
            await koha.create_patron(
                PatronWrite(
                    surname="Student", cardnumber=student, library_id="CPL", category_id="ST"
                )
            )
    async with await _client(campus, BursarClient, "finance") as bursar:
        await bursar.create_account(
            AccountCreate(student_id=student, name=f"Student {student}", email=email),
            idempotency_key=unique("acct-"),
        )


async def wait_for_state(handle: WorkflowHandle, state: str) -> None:
    for _ in range(100):
        if await handle.query(FinancialHold.state) == state:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"hold never reached {state!r}")


async def test_hold_from_an_event_is_lifted_by_the_nightly_batch(
    campus: Campus, temporal_client: Client, worker: Worker, api: httpx.AsyncClient
) -> None:
    first, second = await enrolled_students(campus, "C001", 2)
    email = f"{unique('held')}@example.edu"
    await known_everywhere(campus, first, email)
    await known_everywhere(campus, second, f"{unique('other')}@example.edu")
    common = {
        "finance": campus.finance,
        "lms": campus.lms,
        "library": campus.library,
        "comms": campus.comms,
    }

    held = await temporal_client.start_workflow(
        FinancialHold.run,
        FinancialHoldInput(
            student_id=first, hold_type="registration", reason="Unpaid balance", **common
        ),
        id=hold_workflow_id(first, "registration"),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=5),
    )
    await wait_for_state(held, "held")
    assert await enrollment_states(campus, first) == {"inactive"}
    assert await patron_restricted(campus, first)

    name = "holds-20990101.csv"
    (campus.sftp_outbox / name).write_text(
        "student_id,hold_type,action,reason,effective_at\n"
        f"{first},registration,lift,Balance paid,2099-01-01T02:00:00Z\n"
        f"{second},library,place,Lost books,2099-01-01T02:00:00Z\n"
        f"{second},library,suspend,Not an action,2099-01-01T02:00:00Z\n"
    )
    try:
        batch = await temporal_client.execute_workflow(
            FinancialHoldBatch.run,
            HoldBatchInput(file=name, **common),
            id=unique("hold-batch-test-"),
            task_queue=worker.task_queue,
            execution_timeout=timedelta(minutes=2),
        )
    except WorkflowFailureError as failed:  # say what the SFTP server's folders held
        folders = {
            d.name: sorted(p.name for p in d.iterdir())
            for d in campus.sftp_outbox.parent.iterdir()
            if d.is_dir()
        }
        cause = failed.cause
        raise AssertionError(f"{cause!r} ({cause.__cause__!r}); {folders}") from failed
    [report] = batch.files
    assert report.lifted == [held.id] and report.placed == [hold_workflow_id(second, "library")]
    assert len(report.rejected) == 1 and ":4:3:" in report.rejected[0] and report.quarantined == 1
    assert (campus.sftp_outbox.parent / "inbox" / f"{name}.ack.json").exists()

    result = await held.result()
    assert (result.status, result.restored, result.lms_enrollments_paused > 0) == (
        "lifted",
        ["library", "lms"],
        True,
    )
    assert result.notified == ["financial-hold-placed:sent", "financial-hold-lifted:sent"]
    assert await enrollment_states(campus, first) == {"active"}
    assert not await patron_restricted(campus, first)
    async with httpx.AsyncClient(base_url=campus.sandbox_url) as http:
        subjects = {
            m["subject"]
            for m in (await http.get("/comms/_control/mail", params={"to": email})).json()
        }
    assert subjects == {
        "A financial hold was placed on your account",
        "Your financial hold was lifted",
    }

    # The batch was acknowledged: a rerun finds nothing left to do.
    again = await temporal_client.execute_workflow(
        FinancialHoldBatch.run,
        HoldBatchInput(**common),
        id=unique("hold-batch-test-"),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=2),
    )
    assert again.files == []

    # The hold the batch placed is lifted like any run: the API's signal route.
    other = temporal_client.get_workflow_handle(
        hold_workflow_id(second, "library"), result_type=FinancialHoldResult
    )
    await wait_for_state(other, "held")
    answer = await api.post(
        f"/api/v1/runs/{other.id}/signals/lift",
        json={"payload": {"reason": "paid", "source": "api"}},
    )
    assert answer.status_code < 300, answer.text
    assert (await other.result()).status == "lifted"
    assert await enrollment_states(campus, second) <= {"active"}


async def test_a_step_failing_for_good_undoes_the_steps_before_it(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    [student] = await enrolled_students(campus, "C002", 1)
    assert await enrollment_states(campus, student) == {"active"}
    result = await temporal_client.execute_workflow(
        FinancialHold.run,
        FinancialHoldInput(
            student_id=student,
            lms=campus.lms,
            library=campus.locked_library,
            finance=campus.finance,
            comms=campus.comms,
        ),
        id=hold_workflow_id(student, "financial"),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(minutes=2),
    )
    assert result.status == "compensated" and result.lms_enrollments_paused > 0
    # The library refused every call, the undo of its step too: reported, and the LMS still undone.
    assert result.restored == ["lms"] and list(result.not_restored) == ["library"]
    assert result.error is not None and "koha" in result.error and not result.library_restricted
    assert await enrollment_states(campus, student) == {"active"}  # the LMS pause was undone
