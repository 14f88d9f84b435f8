"""The one place that wires clients, activities and workflows into a Temporal worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.campus import campus_activities
from activities.events import DeliveryRetry, EventActivities
from activities.health import HealthActivities
from activities.profile import ProfileActivities
from activities.sync import sync_activities
from atrium.credentials import Credentials
from workflows.campus import CAMPUS_WORKFLOWS
from workflows.event_delivery import EventDelivery
from workflows.health_check import IntegrationHealthCheck, IntegrationHealthCheckAll
from workflows.profile_update import ProfileUpdate
from workflows.sync import SYNC_WORKFLOWS

WORKFLOWS: Sequence[type] = (
    *CAMPUS_WORKFLOWS,
    *SYNC_WORKFLOWS,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
    EventDelivery,
    ProfileUpdate,
)


def activities_for(
    engine: Engine, credentials: Credentials, *, delivery_retry: DeliveryRetry | None = None
) -> list[Any]:
    health = HealthActivities(engine, credentials)
    events = EventActivities(engine, credentials, retry=delivery_retry)
    profile = ProfileActivities(engine, credentials)
    return [
        health.list_integrations,
        health.check_health,
        events.deliver,
        events.record_dead_letter,
        events.publish_events,
        profile.update_profile,
        *campus_activities(engine, credentials),
        *sync_activities(engine, credentials),
    ]


def build_worker(
    client: Client,
    task_queue: str,
    engine: Engine,
    credentials: Credentials,
    *,
    max_concurrent_activities: int = 100,
    delivery_retry: DeliveryRetry | None = None,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=activities_for(engine, credentials, delivery_retry=delivery_retry),
        max_concurrent_activities=max_concurrent_activities,
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def run_worker() -> None:
    """`atrium worker`: run against the Temporal, Vault and database the settings name."""
    from atrium.credentials import credentials_from_settings
    from atrium.db import make_engine
    from atrium.migrations import upgrade
    from atrium.outbound_limits import configure as configure_outbound
    from atrium.settings import get_settings
    from atrium.temporal import connect, ensure_search_attributes, metrics_runtime
    from workflows.schedules import ensure_schedules

    settings = get_settings()
    configure_outbound(settings.outbound)
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
        delivery_retry=DeliveryRetry.from_settings(settings.events),
    )
    await worker.run()
