"""The API's /metrics, scraped as temporal-compose.yml says (a metrics:read key): the store's and
Temporal's state (quarantine, conflicts, dead letters, intake depth and age, task-queue backlog),
webhook intake by source and outcome; and the counters a worker's endpoint serves beside them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client

from activities.events import DeadLetterInput, EventActivities
from activities.sync.profiles import CompareInput, ProfileActivities
from api.main import create_app
from atrium.credentials import Credentials
from atrium.events.envelope import envelope
from atrium.models import DeadLetter
from atrium.models.conflict import SyncConflict
from atrium.models.quarantine import QuarantinedRecord
from atrium.settings import IntakeSettings, Settings, TemporalSettings
from atrium.sync.changes import Rejected
from atrium.sync.quarantine import quarantine
from tests.api.webhook_support import make_source, person_event, signed
from tests.support.auth import make_api_key, make_user
from tests.support.metrics import samples, scrape, worker_endpoint
from tests.support.servers import free_port, serve
from tests.workflows.intake_support import email_event, plant, remove


@pytest.fixture(scope="module")
def metrics_key(engine: Engine) -> str:
    return make_api_key(engine, make_user(engine, "administrator"), ["metrics:read"])[1]


@pytest.fixture
def worker_metrics() -> Iterator[str]:
    with worker_endpoint() as url:
        yield url


async def until(read: Any, check: Any, seconds: float = 20.0) -> str:
    """Scrape until ``check(text)`` holds (the state is cached a few seconds)."""
    text = ""
    for _ in range(int(seconds / 0.5)):
        text = await asyncio.to_thread(read)
        if check(text):
            return text
        await asyncio.sleep(0.5)
    raise AssertionError(f"not reached in time; last scrape:\n{text[-3000:]}")


async def test_quarantine_conflicts_and_dead_letters_move(
    api_url: str,
    metrics_key: str,
    engine: Engine,
    credentials: Credentials,
    worker_metrics: str,
) -> None:
    integration = f"metrics-{uuid.uuid4().hex[:6]}"
    bad = [Rejected(f"u-{n}", "validation", "no email", {}) for n in range(3)]
    quarantine(engine, integration, "users", "run-1", bad)
    profiles = ProfileActivities(SimpleNamespace(engine=engine))  # type: ignore[arg-type]
    compare = CompareInput(pair=integration, a="x", b="y", person_ids=["p"], workflow_id="wf")
    before = scrape(worker_metrics)
    profiles._park(compare, "p", "email", {"base": None, "x": "a@x", "y": "b@y"})
    profiles._park(compare, "p", "email", {"base": None, "x": "a@x", "y": "b@y"})  # a retry
    event_type = f"metrics.probe{uuid.uuid4().hex[:6]}"
    events = EventActivities(engine, credentials)
    dead = DeadLetterInput(
        subscription_id=0, event=envelope(event_type, {}), attempts=3, last_error="HTTP 500"
    )
    dead_id = await events.record_dead_letter(dead)
    try:
        after = scrape(worker_metrics)
        conflicts = "atrium_sync_conflicts_total"
        assert samples(after, conflicts, integration=integration, entity="profiles") == 1
        assert samples(before, conflicts, integration=integration) == 0
        dead_letters = "atrium_event_dead_letters_total"
        assert samples(after, dead_letters, event_type=event_type) == 1
        text = await until(
            lambda: scrape(f"{api_url}/metrics", metrics_key),
            lambda t: samples(t, "atrium_quarantine_open", integration=integration) == 3,
        )
        assert samples(text, "atrium_conflicts_open", integration=integration) == 1
        assert samples(text, "atrium_dead_letters_open") >= 1
        assert samples(text, "atrium_state_up", part="store") == 1
    finally:
        with Session(engine) as session:
            for model, where in (
                (QuarantinedRecord, QuarantinedRecord.integration == integration),
                (SyncConflict, SyncConflict.integration == integration),
                (DeadLetter, DeadLetter.id == dead_id),
            ):
                session.exec(delete(model).where(where))  # type: ignore[call-overload,arg-type]
            session.commit()


@pytest.fixture
def quiet_api(settings: Settings, engine: Engine) -> Iterator[tuple[str, str, str]]:
    """A second API whose task queues no worker polls, and whose intake refuses (429) once it
    holds ``max_depth`` events; yields its URL, its main queue and its events queue."""
    main, events = (f"metrics-{kind}-{uuid.uuid4().hex[:6]}" for kind in ("main", "events"))
    temporal = TemporalSettings(
        **{**settings.temporal.model_dump(), "task_queue": main, "events_task_queue": events}
    )
    app = create_app(
        settings.model_copy(
            update={
                "temporal": temporal,
                "intake": IntakeSettings(max_depth=1, poll_seconds=0.2),
                "api": settings.api.model_copy(update={"eager_worker": False}),
            }
        )
    )
    with serve(app, port=free_port()) as url:
        yield url, main, events


async def test_task_queue_backlog_and_age(
    quiet_api: tuple[str, str, str], metrics_key: str, temporal_client: Client
) -> None:
    url, main, _ = quiet_api
    handle = await temporal_client.start_workflow(
        "metrics-nobody-runs-this", id=f"metrics-backlog-{uuid.uuid4().hex[:6]}", task_queue=main
    )
    try:
        text = await until(
            lambda: scrape(f"{url}/metrics", metrics_key),
            lambda t: (
                samples(t, "atrium_task_queue_backlog", task_queue=main, type="workflow") >= 1
                and samples(t, "atrium_task_queue_backlog_age_seconds", task_queue=main) > 0
            ),
            seconds=40,
        )
        assert samples(text, "atrium_state_up", part="temporal") == 1
        assert samples(text, "atrium_task_queue_backlog", task_queue=main, type="activity") == 0
    finally:
        await handle.terminate("test done")


async def test_webhook_intake_by_source_and_outcome_and_intake_depth(
    quiet_api: tuple[str, str, str],
    api: httpx.AsyncClient,
    metrics_key: str,
    engine: Engine,
) -> None:
    url, _, _ = quiet_api
    name, secret = await make_source(api)
    try:
        async with httpx.AsyncClient(base_url=url) as other:
            unrouted = {**person_event(), "type": "nobody.routes.this"}
            body, headers = signed(secret, unrouted)
            accepted = await other.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
            assert accepted.status_code == 200, accepted.text  # accepted, routed nowhere
            body, headers = signed("not-the-secret", person_event())
            refused = await other.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
            assert refused.status_code == 401, refused.text
            unknown = f"nobody-{uuid.uuid4().hex[:6]}"
            assert (await other.post(f"/api/v1/webhooks/{unknown}", json={})).status_code == 404
            # Two events another live API holds: the intake is past its depth of 1.
            plant(engine, [email_event("U1", "x", source=name, claimed_by="api:o@h") for _ in "ab"])
            await asyncio.sleep(1.0)  # its dispatcher counts the intake each poll

            async def throttled() -> bool:
                body, headers = signed(secret, person_event())
                answer = await other.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
                return answer.status_code == 429

            assert await throttled()
        text = scrape(f"{url}/metrics", metrics_key)
        requests = "atrium_webhook_requests_total"
        assert samples(text, requests, source=name, outcome="accepted", status="200") == 1
        assert samples(text, requests, source=name, outcome="refused", status="401") == 1
        assert samples(text, requests, source=name, outcome="throttled", status="429") == 1
        assert samples(text, requests, source=unknown) == 0  # a caller's name is no label
        assert samples(text, requests, source="unknown", outcome="refused", status="404") >= 1
        assert samples(text, "atrium_intake_events", status="claimed") >= 2
        assert samples(text, "atrium_intake_oldest_seconds") > 0
        modes = {
            m: samples(text, "atrium_intake_dispatch_mode", mode=m) for m in ("eager", "batch")
        }
        assert sorted(modes.values()) == [0, 1]
    finally:
        remove(engine, name)
        await api.delete(f"/api/v1/webhooks/sources/{name}")
