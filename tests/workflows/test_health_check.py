"""The health-check process end to end: secret from Vault, real HTTP call, result in the database,
an event to subscribers when a connection goes down or comes back, and the Temporal Schedule
that runs it for every connection."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI, Header, HTTPException
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio.client import Client
from temporalio.worker import Worker

from activities.health import CheckHealthResult, HealthActivities
from atrium.credentials import Credentials, origin_of
from atrium.db import session_scope
from atrium.models import HealthCheck, Integration
from atrium.settings import Settings
from tests.api.webhook_support import Subscriber, subscribed
from tests.support.servers import serve
from tests.workflows.correlation_probe import CorrelationProbe, whoami
from tests.workflows.sync_env import eventually
from workflows.health_check import (
    HealthCheckAllInput,
    HealthCheckInput,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
)
from workflows.schedules import HEALTH_SCHEDULE_ID, ensure_schedules

GOOD_TOKEN = "tok-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def school_system() -> Iterator[str]:
    """A system whose health URL wants our bearer token."""
    app = FastAPI()

    @app.get("/status")
    async def status(authorization: str = Header("")) -> dict[str, str]:
        if authorization != f"Bearer {GOOD_TOKEN}":
            raise HTTPException(401, "bad token")
        return {"ok": "yes"}

    with serve(app) as url:
        yield url


def add(engine: Engine, name: str, base_url: str, secret: bool) -> None:
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=name,
                system="generic",
                description="",
                base_url=base_url,
                health_path="/status",
                secret_path=f"atrium/connections/{name}" if secret else None,
            )
        )
        session.commit()


async def test_check_reads_vault_calls_system_and_records(
    temporal_client: Client,
    worker: Worker,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
    school_system: str,
) -> None:
    name = f"sys-{uuid.uuid4().hex[:8]}"
    add(engine, name, school_system, secret=True)
    await credentials.store(name, {"token": GOOD_TOKEN}, origin=origin_of(school_system))
    result = await temporal_client.execute_workflow(
        IntegrationHealthCheck.run,
        HealthCheckInput(integration=name),
        id=f"test-health-{name}",
        task_queue=settings.temporal.task_queue,
    )
    assert result.healthy and result.status_code == 200
    # Rotating to a wrong secret turns the next check red: the activity re-reads Vault.
    await credentials.rotate(name, {"token": "wrong"}, origin=origin_of(school_system))
    second = await temporal_client.execute_workflow(
        IntegrationHealthCheck.run,
        HealthCheckInput(integration=name),
        id=f"test-health-{name}-2",
        task_queue=settings.temporal.task_queue,
    )
    assert not second.healthy and second.status_code == 401
    with session_scope(engine) as session:
        rows = session.exec(select(HealthCheck).where(HealthCheck.integration == name)).all()
        row = session.exec(select(Integration).where(Integration.name == name)).one()
    assert [r.healthy for r in sorted(rows, key=lambda r: r.checked_at)] == [True, False]
    assert row.status == "unhealthy" and "401" in (row.last_health_detail or "")
    assert GOOD_TOKEN not in (row.last_health_detail or "")


async def test_subscribers_hear_when_a_connection_goes_down_and_comes_back(
    temporal_client: Client,
    worker: Worker,
    settings: Settings,
    engine: Engine,
    credentials: Credentials,
    school_system: str,
    api: httpx.AsyncClient,
) -> None:
    name = f"sys-{uuid.uuid4().hex[:8]}"
    add(engine, name, school_system, secret=True)
    await credentials.store(name, {"token": GOOD_TOKEN}, origin=origin_of(school_system))

    async def check(n: int) -> bool:
        result = await temporal_client.execute_workflow(
            IntegrationHealthCheck.run,
            HealthCheckInput(integration=name),
            id=f"test-health-{name}-{n}",
            task_queue=settings.temporal.task_queue,
        )
        return result.healthy

    kinds = ["integration.unhealthy", "integration.recovered"]
    async with subscribed(api, kinds) as sub:
        assert await check(1)  # up, as before: no news
        await credentials.rotate(name, {"token": "wrong"}, origin=origin_of(school_system))
        assert not await check(2) and not await check(3)  # down: one alert, not two
        await credentials.rotate(name, {"token": GOOD_TOKEN}, origin=origin_of(school_system))
        assert await check(4) and await check(5)  # back: one all-clear

        async def heard() -> list[dict[str, Any]]:
            ours = about(sub, name)
            return ours if len(ours) >= 2 else []

        events = await eventually(heard)
        await asyncio.sleep(1.0)  # a third, wrong event would have arrived by now
    ours = about(sub, name)
    assert [e["type"] for e in ours] == kinds == [e["type"] for e in events]
    down, back = ours
    assert down["data"]["status_code"] == 401 and not down["data"]["healthy"]
    assert back["data"]["healthy"] and back["data"]["since"] is not None
    assert GOOD_TOKEN not in json.dumps(ours)


def about(sub: Subscriber, integration: str) -> list[dict[str, Any]]:
    return [e for e in sub.events() if e["data"]["integration"] == integration]


def test_a_retried_check_announces_the_same_change_under_the_same_id(
    engine: Engine, credentials: Credentials
) -> None:
    """An attempt that recorded the check but died before publishing: the next attempt finds
    the same change (from the recorded checks, not the status it already moved)."""
    name = f"sys-{uuid.uuid4().hex[:8]}"
    add(engine, name, "http://127.0.0.1:9", secret=False)
    checks = HealthActivities(engine, credentials)
    assert checks._record("c1", CheckHealthResult(integration=name, healthy=True)) is None
    down = CheckHealthResult(integration=name, healthy=False, status_code=503)
    first, retried = checks._record("c2", down), checks._record("c2", down)
    assert first is not None and retried is not None
    assert (
        (first.type, first.id)
        == (retried.type, retried.id)
        == (
            "integration.unhealthy",
            "integration.unhealthy:c2",
        )
    )


async def test_unknown_integration_fails_without_retrying(
    temporal_client: Client, worker: Worker, settings: Settings
) -> None:
    from temporalio.client import WorkflowFailureError

    with pytest.raises(WorkflowFailureError) as info:
        await temporal_client.execute_workflow(
            IntegrationHealthCheck.run,
            HealthCheckInput(integration="never-registered"),
            id=f"test-health-missing-{uuid.uuid4().hex[:6]}",
            task_queue=settings.temporal.task_queue,
            execution_timeout=timedelta(seconds=30),
        )
    assert "unknown integration" in str(info.value.cause.__cause__ or info.value.cause)


async def test_schedule_checks_every_connection(
    temporal_client: Client, worker: Worker, settings: Settings, engine: Engine, school_system: str
) -> None:
    name = f"sys-{uuid.uuid4().hex[:8]}"
    add(engine, name, school_system, secret=False)
    await ensure_schedules(temporal_client, settings.temporal.task_queue, timedelta(hours=1))
    await ensure_schedules(temporal_client, settings.temporal.task_queue, timedelta(hours=1))
    handle = temporal_client.get_schedule_handle(HEALTH_SCHEDULE_ID)
    description = await handle.describe()
    assert description.schedule.spec.intervals[0].every == timedelta(hours=1)
    result = await temporal_client.execute_workflow(
        IntegrationHealthCheckAll.run,
        HealthCheckAllInput(),
        id=f"test-health-all-{uuid.uuid4().hex[:6]}",
        task_queue=settings.temporal.task_queue,
    )
    by_name = {r.integration: r for r in result.results}
    assert name in by_name and by_name[name].status_code == 401  # no secret stored
    await handle.delete()


async def test_correlation_id_follows_into_activities(temporal_client: Client) -> None:
    queue = f"corr-{uuid.uuid4().hex[:6]}"
    async with Worker(
        temporal_client, task_queue=queue, workflows=[CorrelationProbe], activities=[whoami]
    ):
        with structlog.contextvars.bound_contextvars(correlation_id="req-42"):
            seen = await temporal_client.execute_workflow(
                CorrelationProbe.run, id=f"corr-{uuid.uuid4().hex[:6]}", task_queue=queue
            )
    assert seen == "req-42"
