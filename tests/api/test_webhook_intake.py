"""The durable intake behind signed webhooks, against the real API, Temporal, OpenBao, the
Canvas sandbox and the store: a 202 only once the event is committed, each event id accepted
once, queued events applied in order per person, and events a dead API left applied by the next.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.main import create_app
from atrium.credentials import Credentials
from atrium.db import make_engine
from atrium.intake.store import IntakeStore
from atrium.migrations import upgrade
from atrium.settings import DatabaseSettings, IntakeSettings, Settings
from tests.api.test_runs import wait_closed
from tests.api.webhook_support import add_canvas, make_source, person_event, signed
from tests.support.servers import free_port, serve
from tests.workflows.intake_support import canvas_email, email_event, plant, remove, rows


@pytest.fixture
async def canvas(engine: Engine, credentials: Credentials, sandbox_url: str) -> str:
    return await add_canvas(engine, credentials, sandbox_url)


@pytest.fixture
async def source(api: httpx.AsyncClient, canvas: str, engine: Engine) -> AsyncIterator[tuple]:  # type: ignore[type-arg]
    name, secret = await make_source(api, integration=canvas)
    yield name, secret
    await api.delete(f"/api/v1/webhooks/sources/{name}")
    remove(engine, name)


async def until(check: object, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not reached in time")


async def test_no_202_before_the_event_is_committed(
    api: httpx.AsyncClient, engine: Engine, source: tuple[str, str], sandbox_url: str
) -> None:
    name, secret = source
    event = person_event("U00035")
    before = await canvas_email(sandbox_url, "U00035")
    trigger = f"intake_fault_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:  # the store refuses this source's events: a failing commit
        conn.execute(
            text(
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON intake_event "
                f"WHEN NEW.source = '{name}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
        )
    try:
        body, headers = signed(secret, event)
        refused = await api.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
        assert refused.status_code == 503, refused.text
        assert "intake" in refused.json()["error"]
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TRIGGER {trigger}"))
    await asyncio.sleep(0.5)
    assert rows(engine, name) == [] and await canvas_email(sandbox_url, "U00035") == before
    body, headers = signed(secret, event)  # the sender retries
    accepted = await api.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
    assert accepted.status_code == 202, accepted.text
    assert (await wait_closed(api, accepted.json()["workflow_id"]))["status"] == "Completed"
    assert await canvas_email(sandbox_url, "U00035") == event["data"]["email"]
    [row] = rows(engine, name)
    assert row.id == accepted.json()["intake_id"] and row.mode == "run"

    async def marked_done() -> bool:
        return bool(rows(engine, name)[0].run_id == accepted.json()["run_id"])

    await until(marked_done)


async def test_an_event_delivered_at_once_many_times_is_accepted_once(
    api: httpx.AsyncClient, engine: Engine, source: tuple[str, str]
) -> None:
    name, secret = source
    event = person_event("U00036")
    sends = []
    for _ in range(6):
        body, headers = signed(secret, event)
        sends.append(api.post(f"/api/v1/webhooks/{name}", content=body, headers=headers))
    answers = await asyncio.gather(*sends)
    assert sorted(a.status_code for a in answers) == [200] * 5 + [202], [a.text for a in answers]
    assert {a.json()["intake_id"] for a in answers} == {rows(engine, name)[0].id}
    assert len(rows(engine, name)) == 1


def second_api(settings: Settings, intake: IntakeSettings, **update: object) -> Iterator[str]:
    app = create_app(settings.model_copy(update={"intake": intake, **update}))
    with serve(app, port=free_port()) as url:
        yield url


async def test_queued_events_are_applied_in_order_per_person(
    settings: Settings, engine: Engine, source: tuple[str, str], sandbox_url: str
) -> None:
    name, secret = source
    # An API that never starts a run from the request: every event waits for its dispatcher.
    # Whether they go one by one or in a batch depends on how fast they arrive; the order may not.
    queued = IntakeSettings(eager_max_inflight=0, batch_min=2, batch_wait_ms=100)
    events = [person_event(p) for p in ("U00037", "U00038", "U00037", "U00037", "U00038")]
    for url in second_api(settings, queued):
        async with httpx.AsyncClient(base_url=url) as other:
            for event in events:
                body, headers = signed(secret, event)
                answer = await other.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
                assert answer.status_code == 202 and answer.json()["status"] == "queued"

        async def all_done() -> bool:
            return [r.status for r in rows(engine, name)] == ["done"] * len(events)

        await until(all_done)
    assert await canvas_email(sandbox_url, "U00037") == events[3]["data"]["email"]
    assert await canvas_email(sandbox_url, "U00038") == events[4]["data"]["email"]


@contextmanager
def own_store(settings: Settings, tmp_path: Path) -> Iterator[tuple[Engine, dict[str, object]]]:
    """A database and events queue of its own: only the API started on them (not the session's
    API or worker) can take the events planted there."""
    url = f"sqlite:///{tmp_path / 'own.db'}"
    upgrade(url)
    store = make_engine(url)
    queue = f"atrium-test-intake-{uuid.uuid4().hex[:8]}"
    temporal = settings.temporal.model_copy(update={"events_task_queue": queue})
    try:
        yield store, {"database": DatabaseSettings(url=url), "temporal": temporal}
    finally:
        store.dispose()


async def test_events_waiting_together_are_applied_in_one_batch_run(
    settings: Settings, credentials: Credentials, sandbox_url: str, tmp_path: Path
) -> None:
    with own_store(settings, tmp_path) as (store, own):
        canvas = await add_canvas(store, credentials, sandbox_url)
        try:
            waiting = [
                email_event(p, canvas, source="backlog", claimed_by=None)
                for p in ("U00042", "U00043", "U00042", "U00042", "U00043")
            ]
            plant(store, waiting)  # all committed before the dispatcher first looks
            for _ in second_api(settings, IntakeSettings(batch_min=2), **own):

                async def all_done() -> bool:
                    return [r.status for r in rows(store, "backlog")] == ["done"] * 5

                await until(all_done)
            done = rows(store, "backlog")
            assert {r.mode for r in done} == {"batch"}, [r.mode for r in done]
            assert len({r.batch_id for r in done}) == 1 and done[0].batch_id
            assert await canvas_email(sandbox_url, "U00042") == waiting[3].input["fields"]["email"]
            assert await canvas_email(sandbox_url, "U00043") == waiting[4].input["fields"]["email"]
        finally:
            await credentials.delete(canvas)


async def test_events_a_dead_api_committed_are_applied_after_a_restart(
    settings: Settings, credentials: Credentials, sandbox_url: str, tmp_path: Path
) -> None:
    # Its own database: only the restarted API (no other) can pick these events up.
    with own_store(settings, tmp_path) as (store, own):
        canvas = await add_canvas(store, credentials, sandbox_url)
        left = [
            email_event("U00039", canvas, source="dead-api", claimed_by=None),  # never dispatched
            email_event("U00040", canvas, source="dead-api", claimed_by="api:1@gone"),  # mid-start
            email_event("U00039", canvas, source="dead-api", claimed_by=None),
        ]
        plant(store, left)
        with store.begin() as conn:  # the dead API's claim is older than the lease
            conn.execute(text("UPDATE intake_event SET claimed_at = '2026-01-01 00:00:00.000000'"))
        try:
            for _ in second_api(settings, IntakeSettings(lease_seconds=5), **own):

                async def all_done() -> bool:
                    return [r.status for r in rows(store, "dead-api")] == ["done"] * 3

                await until(all_done)
            assert await canvas_email(sandbox_url, "U00039") == left[2].input["fields"]["email"]
            assert await canvas_email(sandbox_url, "U00040") == left[1].input["fields"]["email"]
        finally:
            await credentials.delete(canvas)


async def test_a_full_intake_answers_429_with_retry_after(
    settings: Settings, engine: Engine, source: tuple[str, str], canvas: str
) -> None:
    name, secret = source
    # Events another, live API holds (claimed just now): unfinished, and nobody else takes them.
    plant(engine, [email_event("U00041", canvas, source=name, claimed_by="api:o@h") for _ in "ab"])
    depth = IntakeStore(engine).depth()
    limit = depth["pending"] + depth["claimed"]  # full now
    full = IntakeSettings(max_depth=limit, retry_after_seconds=7, poll_seconds=0.2)
    for url in second_api(settings, full):
        async with httpx.AsyncClient(base_url=url) as other:
            await asyncio.sleep(1.0)  # its dispatcher counts the intake as it starts
            body, headers = signed(secret, person_event("U00041"))
            refused = await other.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
            assert refused.status_code == 429, refused.text
            assert refused.headers["Retry-After"] == "7" and "intake" in refused.json()["error"]
            assert len(rows(engine, name)) == 2  # the refused event was not committed
            remove(engine, name)  # the other API finished its events

            async def accepted() -> bool:
                body, headers = signed(secret, person_event("U00041"))
                answer = await other.post(f"/api/v1/webhooks/{name}", content=body, headers=headers)
                return answer.status_code == 202

            await until(accepted, seconds=5)
