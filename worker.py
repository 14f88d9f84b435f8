"""The one place that wires clients, activities and workflows into a Temporal worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.health import HealthActivities
from atrium.credentials import Credentials
from workflows.health_check import IntegrationHealthCheck, IntegrationHealthCheckAll

WORKFLOWS: Sequence[type] = (IntegrationHealthCheck, IntegrationHealthCheckAll)


def activities_for(engine: Engine, credentials: Credentials) -> list[Any]:
    health = HealthActivities(engine, credentials)
    return [health.list_integrations, health.check_health]


def build_worker(
    client: Client,
    task_queue: str,
    engine: Engine,
    credentials: Credentials,
    *,
    max_concurrent_activities: int = 100,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=activities_for(engine, credentials),
        max_concurrent_activities=max_concurrent_activities,
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def run_worker() -> None:
    """`atrium worker`: run against the Temporal, Vault and database the settings name."""
    from atrium.db import make_engine
    from atrium.migrations import upgrade
    from atrium.settings import get_settings
    from atrium.temporal import connect, ensure_search_attributes, metrics_runtime
    from atrium.credentials import credentials_from_settings
    from workflows.schedules import ensure_schedules

    settings = get_settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    runtime = None
    if settings.worker.metrics_port:
        runtime = metrics_runtime(settings.worker.metrics_host, settings.worker.metrics_port)
    client = await connect(settings.temporal, runtime=runtime)
    await ensure_search_attributes(client)
    await ensure_schedules(
        client,
        settings.temporal.task_queue,
        timedelta(seconds=settings.health_check_interval_seconds),
    )
    worker = build_worker(
        client,
        settings.temporal.task_queue,
        engine,
        credentials_from_settings(settings),
        max_concurrent_activities=settings.worker.max_concurrent_activities,
    )
    await worker.run()
