"""The intake's batch run (workflows/event_batch.py, activities/intake.py) against the real
Temporal worker, the Canvas sandbox and the store (SQLite, and PostgreSQL when configured):
each event applied once, superseding events coalesced, a retried batch writes nothing twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Worker

from activities.intake import BatchInput, IntakeActivities
from activities.profile import ProfileActivities, UpdateProfileInput, UpdateProfileResult
from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.migrations import upgrade
from atrium.models import Integration
from atrium.settings import Settings
from tests.api.webhook_support import add_canvas
from tests.conftest import session_postgres_url
from tests.sandbox.control import injected_faults
from tests.workflows.intake_support import canvas_email, email_event, plant, remove, rows
from workflows.event_batch import EventBatch, batch_workflow_id


@pytest.fixture
async def canvas(engine: Engine, credentials: Credentials, sandbox_url: str) -> str:
    return await add_canvas(engine, credentials, sandbox_url)


async def test_a_batch_run_applies_each_event_once_and_the_last_of_a_person(
    temporal_client: Client,
    worker: Worker,
    settings: Settings,
    engine: Engine,
    canvas: str,
    sandbox_url: str,
) -> None:
    source = f"batch-{uuid.uuid4().hex[:8]}"
    # Claimed by this test (a live claim): no API's dispatcher takes them meanwhile.
    events = [
        email_event(person, canvas, source=source, claimed_by="test")
        for person in ("U00030", "U00031", "U00030", "U00030")
    ]
    ids = plant(engine, events)
    try:
        run = await temporal_client.execute_workflow(
            EventBatch.run,
            BatchInput(process="profile-update", intake_ids=ids),
            id=batch_workflow_id("profile-update", ids),
            task_queue=settings.temporal.events_task_queue,
        )
        assert (run.applied, run.writes, run.skipped, run.failed) == (4, 2, 0, 0)
        # Three changes of U00030's email in one batch: one write, the last.
        assert await canvas_email(sandbox_url, "U00030") == events[3].input["fields"]["email"]
        assert await canvas_email(sandbox_url, "U00031") == events[1].input["fields"]["email"]
        done = rows(engine, source)
        assert {r.status for r in done} == {"done"}
        assert {r.batch_id for r in done} == {batch_workflow_id("profile-update", ids)}
        # The same events in another run (a batch retried after its lease ran out): no write.
        again = await temporal_client.execute_workflow(
            EventBatch.run,
            BatchInput(process="profile-update", intake_ids=ids),
            id=f"{batch_workflow_id('profile-update', ids)}:again",
            task_queue=settings.temporal.events_task_queue,
        )
        assert (again.applied, again.writes, again.skipped) == (0, 0, 4)
    finally:
        remove(engine, source)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def store_engine(
    request: pytest.FixtureRequest, tmp_path: Path, credentials: Credentials, sandbox_url: str
) -> AsyncIterator[tuple[Engine, str]]:
    if request.param == "postgresql":
        own = session_postgres_url()
        assert own, "ATRIUM_TEST_POSTGRES_URL is not set (.ci/run sets it)"
        url = own
    else:
        url = f"sqlite:///{tmp_path / 'intake.db'}"
    upgrade(url)
    engine = make_engine(url)
    name = await add_canvas(engine, credentials, sandbox_url)
    try:
        yield engine, name
    finally:
        with engine.begin() as conn:
            conn.execute(delete(Integration).where(Integration.name == name))  # type: ignore[arg-type]
        await credentials.delete(name)
        engine.dispose()


async def test_a_retried_batch_activity_applies_nothing_twice(
    store_engine: tuple[Engine, str], credentials: Credentials, sandbox_url: str
) -> None:
    engine, canvas = store_engine
    source = f"retry-{uuid.uuid4().hex[:8]}"
    events = [
        email_event(person, canvas, source=source, claimed_by="test")
        for person in ("U00032", "U00033", "U00032")
    ]
    ids = plant(engine, events)
    activities = IntakeActivities(engine, ProfileActivities(engine, credentials))
    env = ActivityEnvironment()
    batch = BatchInput(process="profile-update", intake_ids=ids)
    try:
        async with httpx.AsyncClient(base_url=sandbox_url) as sandbox:
            await sandbox.put("/_control/faults/canvas", json={"error_rate": 1.0})
            try:
                with pytest.raises(ApplicationError):  # Canvas down: the attempt fails...
                    await env.run(activities.apply_batch, batch)
            finally:
                await sandbox.delete("/_control/faults/canvas")
        assert {r.status for r in rows(engine, source)} == {"claimed"}  # ...and applied nothing
        first = await env.run(activities.apply_batch, batch)  # the retry applies everything
        assert (first.applied, first.writes, first.skipped) == (3, 2, 0)
        assert await canvas_email(sandbox_url, "U00032") == events[2].input["fields"]["email"]
        retried = await env.run(activities.apply_batch, batch)  # a retry after success
        assert (retried.applied, retried.writes, retried.skipped) == (0, 0, 3)
        assert [r.status for r in rows(engine, source)] == ["done"] * 3
    finally:
        remove(engine, source)


class CountingThrottled(ProfileActivities):
    """The profile writes, counting those refused with a throttle: Canvas's own, and (so that
    one refusal is certain whatever the client's pacing avoids) one answered here first."""

    throttled = 0

    async def update_profile(self, input: UpdateProfileInput) -> UpdateProfileResult:
        try:
            if self.throttled == 0:
                raise ApplicationError(
                    "RateLimited: 403 Forbidden (Rate Limit Exceeded)",
                    type="RateLimited",
                    next_retry_delay=timedelta(seconds=0.2),
                )
            return await super().update_profile(input)
        except ApplicationError as exc:
            self.throttled += exc.type == "RateLimited"
            raise


async def test_a_throttled_write_waits_and_the_batch_attempt_still_succeeds(
    engine: Engine, canvas: str, credentials: Credentials, sandbox_url: str
) -> None:
    source = f"throttled-{uuid.uuid4().hex[:8]}"
    people = [f"U{n:05d}" for n in range(5, 21)]  # 16 writes: Canvas's bucket admits 14 at once
    events = [email_event(p, canvas, source=source, claimed_by="test") for p in people]
    ids = plant(engine, events)
    profile = CountingThrottled(engine, credentials)
    activities = IntakeActivities(engine, profile)
    try:
        async with injected_faults(sandbox_url, "canvas", rate_limit_per_second=2):
            # One attempt (the environment does not retry): a refused write waited, not failed it.
            run = await ActivityEnvironment().run(
                activities.apply_batch, BatchInput(process="profile-update", intake_ids=ids)
            )
        assert profile.throttled > 0
        assert (run.applied, run.writes, run.failed) == (16, 16, 0)
        for person, event in zip(people, events, strict=True):
            assert await canvas_email(sandbox_url, person) == event.input["fields"]["email"]
    finally:
        remove(engine, source)
