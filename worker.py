"""The one place that wires clients, activities and workflows into a Temporal worker."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.actions import ActionActivities
from activities.alerts import AlertActivities
from activities.connections import origin_guard
from activities.designer import DesignerActivities
from activities.events import EventActivities
from activities.health import HealthActivities
from activities.intake import IntakeActivities
from activities.profile import ProfileActivities
from activities.runtime import Runtime
from activities.sync import tune_gc_for_pages
from activities.sync.context import SyncContext
from activities.sync.grades import GradeActivities
from activities.sync.profiles import ProfileActivities as ProfileSyncActivities
from activities.sync.quarantine_retry import QuarantineActivities
from activities.sync.reconcile import ReconcileActivities
from activities.sync.roster import RosterActivities
from atrium.credentials import Credentials
from atrium.egress import EgressPolicy
from atrium.events.delivery import DeliveryRetry
from atrium.settings import EventsSettings
from atrium.temporal import TaskQueues
from workflows import registry
from workflows.announce import AnnounceRuns

T = TypeVar("T")

# What the replay test replays (tests/workflows/test_replay.py): the registry's workflows.
WORKFLOWS: list[type] = registry.workflows()


def EVENTS_WORKFLOWS() -> list[type]:  # noqa: N802 - read like the WORKFLOWS constant
    """The events queue's workflows: the eager processes and the intake's batch runs."""
    return registry.workflows(eager_only=True)


def with_runtime(cls: Callable[..., T], runtime: Runtime, *args: Any, **kwargs: Any) -> T:
    """``cls(*args, **kwargs)`` on the worker's runtime, when its constructor takes one (issue 13:
    the activity classes are moving onto it one by one)."""
    if "runtime" in inspect.signature(cls).parameters:
        kwargs["runtime"] = runtime
    return cls(*args, **kwargs)


def served_methods(instance: object) -> list[Callable[..., Any]]:
    """Every ``@activity.defn`` method of ``instance``, bound: a class is served whole."""
    return [
        getattr(instance, name)
        for name, member in inspect.getmembers(type(instance), callable)
        if hasattr(member, "__temporal_activity_definition")
    ]


class WorkerActivities:
    """The activity classes one worker serves, each built once, all on one Runtime (the sync
    engine's on one SyncContext over it). Most are ``X(engine, credentials)``; the few that are
    built otherwise say how in ``BUILDS``."""

    def __init__(
        self,
        engine: Engine,
        credentials: Credentials,
        events: EventsSettings,
        *,
        delivery_queue: str | None = None,  # None: the queue of the publishing run
    ) -> None:
        self.engine = engine
        self.credentials = credentials.guarded(origin_guard(engine))  # every secret read passes it
        self.runtime = Runtime(engine, self.credentials)
        self.events = events
        self.delivery_queue = delivery_queue
        self._built: dict[type, Any] = {}

    def get(self, cls: type[T]) -> T:
        if cls not in self._built:
            build = BUILDS.get(cls)
            self._built[cls] = build(self) if build else self.standard(cls)
        return self._built[cls]  # type: ignore[no-any-return]

    def standard(self, cls: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return with_runtime(cls, self.runtime, self.engine, self.credentials, *args, **kwargs)

    @cached_property
    def sync(self) -> SyncContext:
        """The sync engine's shared context (store, mapping cache), publishing what it writes."""
        tune_gc_for_pages()
        return self.standard(SyncContext, self.get(EventActivities))

    def methods(self, classes: Iterable[type]) -> list[Callable[..., Any]]:
        return [method for cls in classes for method in served_methods(self.get(cls))]

    def published(self) -> EventActivities:
        """Deliveries retried, the subscriber-URL guard and the subscriber cache, per settings."""
        return EventActivities(
            self.engine,
            self.credentials,
            retry=DeliveryRetry.from_settings(self.events),
            egress=EgressPolicy.from_settings(self.events),
            delivery_queue=self.delivery_queue,
            subscriber_ttl=self.events.config_cache_seconds,
        )


BUILDS: dict[type, Callable[[WorkerActivities], Any]] = {
    EventActivities: WorkerActivities.published,
    ActionActivities: lambda w: ActionActivities(w.runtime),
    HealthActivities: lambda w: w.standard(HealthActivities, events=w.get(EventActivities)),
    AlertActivities: lambda w: w.standard(AlertActivities, w.get(EventActivities)),
    IntakeActivities: lambda w: IntakeActivities(w.engine, w.get(ProfileActivities)),
    RosterActivities: lambda w: RosterActivities(w.sync),
    QuarantineActivities: lambda w: QuarantineActivities(w.sync),
    ProfileSyncActivities: lambda w: ProfileSyncActivities(w.sync),
    GradeActivities: lambda w: GradeActivities(w.sync),
    ReconcileActivities: lambda w: ReconcileActivities(w.sync),
    DesignerActivities: lambda w: DesignerActivities(
        w.engine, EgressPolicy.from_settings(w.events)
    ),
}


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
    served = WorkerActivities(
        engine, credentials, events or EventsSettings(), delivery_queue=queues.main
    )
    return Worker(
        client,
        task_queue=queues.events,
        workflows=EVENTS_WORKFLOWS(),
        interceptors=[AnnounceRuns()],
        activities=served.methods(registry.activity_classes(eager_only=True)),
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
    served = WorkerActivities(engine, credentials, events or EventsSettings())
    return Worker(
        client,
        task_queue=task_queue,
        workflows=registry.workflows(),
        interceptors=[AnnounceRuns()],
        activities=served.methods(registry.activity_classes()),
        max_concurrent_activities=max_concurrent_activities,
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def run_worker() -> None:
    """`atrium worker`: run against the Temporal, Vault and database the settings name."""
    from atrium.capacity.usage import rolled_up
    from atrium.credentials import credentials_from_settings
    from atrium.db import make_engine
    from atrium.egress import configure as configure_egress
    from atrium.metrics.calls import install as install_call_metrics
    from atrium.metrics.serve import serve as serve_metrics
    from atrium.migrations import upgrade
    from atrium.outbound_limits import configure as configure_outbound
    from atrium.payload_codec import payload_codec
    from atrium.settings import get_settings
    from atrium.temporal import connect, ensure_search_attributes, metrics_runtime
    from workflows.alert_evaluators import ensure_evaluators
    from workflows.privacy_schedule import ensure_retention_schedule
    from workflows.schedules import ensure_schedules

    settings = get_settings()
    configure_outbound(settings.outbound)
    configure_egress(settings.egress)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    runtime = None
    if settings.worker.metrics_port:
        runtime = metrics_runtime(settings.worker.metrics_host, settings.worker.metrics_port)
    install_call_metrics()
    if settings.worker.atrium_metrics_port:
        serve_metrics(settings.worker.metrics_host, settings.worker.atrium_metrics_port)
    credentials = credentials_from_settings(settings)
    codec = payload_codec(credentials, settings.temporal.payload_key)
    await codec.ready()  # Vault sealed or down at start: wait for it, never exit
    client = await connect(settings.temporal, runtime=runtime, codec=codec)
    await ensure_search_attributes(client)
    await ensure_schedules(
        client,
        settings.temporal.task_queue,
        timedelta(seconds=settings.health_check_interval_seconds),
    )
    await ensure_retention_schedule(client, settings.temporal.task_queue)
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
    queue_names = [settings.temporal.task_queue, settings.temporal.events_task_queue]
    async with rolled_up(engine, client, queue_names, settings.capacity.flush_seconds):
        await asyncio.gather(worker.run(), events.run())
