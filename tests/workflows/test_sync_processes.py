"""Backfill with continue-as-new, reconciliation finding injected drift (and repairing it through
a roster sync), and grade passback Canvas -> OneRoster gradebook, on the real Temporal server."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

import activities.sync.reconcile as reconcile_activities
from activities.sync.context import SyncContext
from activities.sync.reconcile import ReconcileActivities, ReconcileInput
from atrium.credentials import Credentials
from atrium.settings import Settings
from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import NewAssignment, NewUser, UserUpdate
from connectors.credentials import static_credentials
from connectors.oneroster import OneRosterClient
from tests.workflows.sync_env import Pair, SyncSandbox, pair, start_sandbox
from workflows.backfill import Backfill, BackfillInput
from workflows.grade_passback import GradePassback, GradePassbackInput
from workflows.reconciliation import Reconciliation, ReconciliationInput

CLASS = "cls-000001"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("process-sandbox"))


@pytest.fixture(scope="module")
async def backfilled(
    sandbox: SyncSandbox,
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    worker: Worker,
) -> AsyncIterator[tuple[Pair, object]]:
    p = await pair(engine, credentials, sandbox)
    arg = BackfillInput(
        integration=p.target, source=p.source, page_size=200, pages_per_run=3, concurrency=2
    )
    handle = await temporal_client.start_workflow(
        Backfill.run, arg, id=f"backfill-{p.target}", task_queue=settings.temporal.task_queue
    )
    yield p, await handle.result()


def lms(sandbox: SyncSandbox) -> CanvasClient:
    return CanvasClient(
        sandbox.base("canvas"), static_credentials(sandbox.contexts["canvas"].credentials)
    )


async def test_backfill_copies_everything_in_checkpointed_runs(
    backfilled: tuple[Pair, object],
) -> None:
    _, result = backfilled
    assert result.copied == 3 + 7 + 60 + 314 + 1560  # type: ignore[attr-defined]
    assert result.runs >= 4  # type: ignore[attr-defined]  # 13 pages, 3 per run: continued as new


async def test_reconciliation_reports_injected_drift_and_repairs_it(
    backfilled: tuple[Pair, object],
    sandbox: SyncSandbox,
    temporal_client: Client,
    settings: Settings,
) -> None:
    p, _ = backfilled
    async with lms(sandbox) as canvas:
        await canvas.update_user(sis("user", "stu-0000002"), UserUpdate(name="Somebody Else"))
        extra = f"stu-extra-{uuid.uuid4().hex[:4]}"
        await canvas.create_user(NewUser(name="Not In Sis", unique_id=extra, sis_user_id=extra))
        enrolled = [e async for e in canvas.list_section_enrollments(sis("section", CLASS))]
        student = next(e for e in enrolled if e.type == "StudentEnrollment")
        await canvas.end_enrollment(student.course_id, student.id, "delete")

    async def reconcile(repair: bool) -> Any:
        arg = ReconciliationInput(integration=p.target, source=p.source, repair=repair)
        return await temporal_client.execute_workflow(
            Reconciliation.run,
            arg,
            id=f"reconcile-{p.target}-{uuid.uuid4().hex[:4]}",
            task_queue=settings.temporal.task_queue,
        )

    report = await reconcile(repair=False)
    users, enrollments = report.drift  # type: ignore[attr-defined]
    assert [d.source_id for d in users.different] == ["stu-0000002"]
    assert users.different[0].fields["name"][1] == "Somebody Else"
    assert extra in users.extra and users.missing == []
    assert enrollments.missing_count == 1 and enrollments.compared == 1560
    repaired = await reconcile(repair=True)
    assert repaired.repair_run  # type: ignore[attr-defined]
    await temporal_client.get_workflow_handle(repaired.repair_run).result()  # type: ignore[attr-defined]
    after = await reconcile(repair=False)
    assert after.drift[0].different_count == 0 and after.drift[1].missing_count == 0  # type: ignore[attr-defined]
    assert extra in after.drift[0].extra  # reported, never deleted  # type: ignore[attr-defined]


async def test_grade_passback_puts_line_items_and_results_idempotently(
    backfilled: tuple[Pair, object],
    sandbox: SyncSandbox,
    temporal_client: Client,
    settings: Settings,
) -> None:
    p, _ = backfilled
    async with lms(sandbox) as canvas:
        assignment = await canvas.create_assignment(
            sis("course", CLASS), NewAssignment(name="Essay 1", points_possible=50)
        )
        students = [
            e
            async for e in canvas.list_section_enrollments(
                sis("section", CLASS), types=["StudentEnrollment"]
            )
        ]
        graded = {s.user_id: str(40 - i) for i, s in enumerate(students[:3])}
        progress = await canvas.update_grades(
            sis("course", CLASS), {assignment.id: {str(u): g for u, g in graded.items()}}
        )
        for _ in range(100):
            if (await canvas.get_progress(progress.id)).workflow_state == "completed":
                break
            await asyncio.sleep(0.05)
    arg = GradePassbackInput(lms=p.target, sis=p.source, class_ids=[CLASS])

    async def passback() -> object:
        return await temporal_client.execute_workflow(
            GradePassback.run,
            arg,
            id=f"grade-passback-{p.target}-{uuid.uuid4().hex[:4]}",
            task_queue=settings.temporal.task_queue,
        )

    first, second = await passback(), await passback()
    assert first.results == 3 and first.line_items >= 1  # type: ignore[attr-defined]
    assert (second.results, second.line_items) == (first.results, first.line_items)  # type: ignore[attr-defined]
    item = f"{p.target}-{CLASS}-a{assignment.id}"
    student = students[0].sis_user_id or students[0].user.sis_user_id  # type: ignore[union-attr]
    async with OneRosterClient(
        sandbox.base("oneroster"), static_credentials(sandbox.contexts["oneroster"].credentials)
    ) as sis_api:
        line_item = await sis_api.get_line_item(item)
        result = await sis_api.get_result(f"{item}-{student}")
        answer = await sis_api.page("results", filter=f"lineItem.sourcedId='{item}'")
    assert line_item.result_value_max == 50.0 and result.score == 40.0
    assert len(answer.records) == 3  # the second passback replaced, never added


async def test_reconciliation_heartbeats_while_it_lists_canvas_users(
    backfilled: tuple[Pair, object],
    engine: Engine,
    credentials: Credentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At 1M enrollments Canvas lists 192,000 users: minutes of pages, longer than the activity's
    # heartbeat timeout; without heartbeats there it was retried forever.
    p, _ = backfilled
    monkeypatch.setattr(reconcile_activities, "HEARTBEAT_EVERY", 10)
    beats: list[str] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: beats.append(str(details[0]))
    activities = ReconcileActivities(SyncContext(engine, credentials))
    drift = await env.run(
        activities.reconcile, ReconcileInput(source=p.source, target=p.target, record_type="users")
    )
    listed = [int(b.split(": ")[1]) for b in beats if b.startswith("canvas users: ")]
    assert drift.compared == 314 and listed[:3] == [10, 20, 30], beats


async def test_a_retried_reconciliation_resumes_from_its_last_checkpoint(
    backfilled: tuple[Pair, object], engine: Engine, credentials: Credentials
) -> None:
    # At 1M enrollments Canvas is listed section by section for over half an hour: an attempt
    # that fails late resumes after the last class it compared, with the drift found before it.
    p, _ = backfilled
    given = ReconcileInput(source=p.source, target=p.target, record_type="enrollments")
    activities = ReconcileActivities(SyncContext(engine, credentials))
    beats: list[Any] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: beats.append(details[0])
    whole = await env.run(activities.reconcile, given)
    checkpoints = [b for b in beats if isinstance(b, dict)]
    assert len(checkpoints) >= 3, beats
    middle = checkpoints[1]
    middle["drift"]["missing"] = ["planted-by-the-test"]  # as if found before the failure
    middle["drift"]["missing_count"] = 5
    beats.clear()
    env.info = dataclasses.replace(env.info, attempt=2, heartbeat_details=[middle])
    resumed = await env.run(activities.reconcile, given)
    first = next(b for b in beats if isinstance(b, dict))
    done, total = (int(n) for n in middle["progress"].split(": ")[1].split("/"))
    assert first["progress"] == f"sections: {done + reconcile_activities.SECTIONS_AT_ONCE}/{total}"
    assert first["last_class"] > middle["last_class"]
    assert resumed.missing_count == whole.missing_count + 5
    assert resumed.missing[0] == "planted-by-the-test"
    assert resumed.compared == whole.compared
