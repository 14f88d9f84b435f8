"""The one place that wires clients, activities and workflows into a Temporal worker."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.alerts import AlertActivities
from activities.campus import campus_activities
from activities.connections import origin_guard
from activities.events import DeliveryRetry, EventActivities
from activities.health import HealthActivities
from activities.intake import IntakeActivities
from activities.profile import ProfileActivities
from activities.sync import sync_activities
from atrium.credentials import Credentials
from atrium.egress import EgressPolicy
from atrium.settings import EventsSettings
from atrium.temporal import TaskQueues
from workflows.alerts import AlertEvaluator
from workflows.announce import AnnounceRuns
from workflows.campus import CAMPUS_WORKFLOWS
from workflows.event_batch import EventBatch
from workflows.event_delivery import EventDelivery
from workflows.health_check import IntegrationHealthCheck, IntegrationHealthCheckAll
from workflows.profile_update import ProfileUpdate
from workflows.registry import eager_processes
from workflows.sync import SYNC_WORKFLOWS

WORKFLOWS: Sequence[type] = (
    *CAMPUS_WORKFLOWS,
    *SYNC_WORKFLOWS,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
    EventDelivery,
    ProfileUpdate,
    AlertEvaluator,
)


def event_activities(
    engine: Engine,
    credentials: Credentials,
    events: EventsSettings,
    *,
    delivery_queue: str | None = None,
) -> EventActivities:
    """Delivery retries, the subscriber-URL guard and the subscription cache, from settings."""
    return EventActivities(
        engine,
        credentials,
        retry=DeliveryRetry.from_settings(events),
        egress=EgressPolicy.from_settings(events),
        delivery_queue=delivery_queue,
        subscriber_ttl=events.config_cache_seconds,
    )


def activities_for(engine: Engine, credentials: Credentials, events: EventsSettings) -> list[Any]:
    credentials = credentials.guarded(origin_guard(engine))  # every secret read passes it
    published = event_activities(engine, credentials, events)
    health = HealthActivities(engine, credentials, events=published)
    profile = ProfileActivities(engine, credentials)
    alerts = AlertActivities(engine, credentials, published)
    return [
        health.list_integrations,
        health.check_health,
        published.deliver,
        published.record_dead_letter,
        published.publish_events,
        profile.update_profile,
        alerts.stale_targets,
        alerts.evaluate,
        alerts.deliver,
        *campus_activities(engine, credentials),
        *sync_activities(engine, credentials, published),
    ]


def EVENTS_WORKFLOWS() -> list[type]:  # noqa: N802 - read like the WORKFLOWS constant
    """The events queue's workflows: the eager processes and the intake's batch runs."""
    return [*(process.workflow for process in eager_processes()), EventBatch]


def build_events_worker(
    client: Client,
    queues: TaskQueues,
    engine: Engine,
    credentials: Credentials,
    events: EventsSettings | None = None,
) -> Worker:
    """A worker for the events queue: every ``atrium worker`` runs one, and so does each API
    process (``api.eager_worker``), so that the runs it starts eagerly begin in-process. Its
    activities are the eager processes' local activities; the deliveries they start go to the
    main queue, where the delivery workflow lives."""
    credentials = credentials.guarded(origin_guard(engine))  # every secret read passes it
    published = event_activities(
        engine, credentials, events or EventsSettings(), delivery_queue=queues.main
    )
    profile = ProfileActivities(engine, credentials)
    intake = IntakeActivities(engine, profile)  # the webhook intake's batch runs
    return Worker(
        client,
        task_queue=queues.events,
        workflows=list(EVENTS_WORKFLOWS()),
        interceptors=[AnnounceRuns()],
        activities=[published.publish_events, profile.update_profile, intake.apply_batch],
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


def build_worker(
    client: Client,
    task_queue: str,
    engine: Engine,
    credentials: Credentials,
    events: EventsSettings | None = None,
    *,
    max_concurrent_activities: int = 100,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        interceptors=[AnnounceRuns()],
        activities=activities_for(engine, credentials, events or EventsSettings()),
        max_concurrent_activities=max_concurrent_activities,
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def run_worker() -> None:
    """`atrium worker`: run against the Temporal, Vault and database the settings name."""
    from atrium.credentials import credentials_from_settings
    from atrium.db import make_engine
    from atrium.egress import configure as configure_egress
    from atrium.migrations import upgrade
    from atrium.outbound_limits import configure as configure_outbound
    from atrium.payload_codec import payload_codec
    from atrium.settings import get_settings
    from atrium.temporal import connect, ensure_search_attributes, metrics_runtime
    from workflows.alert_evaluators import ensure_evaluators
    from workflows.schedules import ensure_schedules

    settings = get_settings()
    configure_outbound(settings.outbound)
    configure_egress(settings.egress)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    runtime = None
    if settings.worker.metrics_port:
        runtime = metrics_runtime(settings.worker.metrics_host, settings.worker.metrics_port)
    credentials = credentials_from_settings(settings)
    codec = payload_codec(credentials, settings.temporal.payload_key)
    client = await connect(settings.temporal, runtime=runtime, codec=codec)
    await ensure_search_attributes(client)
    await ensure_schedules(
        client,
        settings.temporal.task_queue,
        timedelta(seconds=settings.health_check_interval_seconds),
    )
    await ensure_evaluators(client, settings.temporal.task_queue, engine)
    worker = build_worker(
        client,
        settings.temporal.task_queue,
        engine,
        credentials,
        settings.events,
        max_concurrent_activities=settings.worker.max_concurrent_activities,
    )
    queues = TaskQueues.from_settings(settings.temporal)
    events = build_events_worker(client, queues, engine, credentials, settings.events)
    await asyncio.gather(worker.run(), events.run())
