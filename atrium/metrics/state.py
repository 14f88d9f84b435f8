"""What the store and Temporal hold, read when the API is scraped: open quarantine, conflicts and
dead letters, the intake's depth and age, each task queue's backlog (DescribeTaskQueue with
report_stats); and this process's intake dispatch mode.

Bounded in cost: one refresh (four small grouped counts and four DescribeTaskQueue calls) at most
every ``ttl`` seconds, however many scrapers ask; concurrent scrapes share it. They are the
whole deployment's values, so every API replica reports the same: take ``max`` across instances.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from atrium.intake.store import IntakeStore
from atrium.models.conflict import SyncConflict
from atrium.models.quarantine import QuarantinedRecord
from atrium.models.subscription import DeadLetter

log = structlog.get_logger("atrium.metrics")
QUEUE_TYPES = {
    "workflow": TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    "activity": TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
}
TIMEOUT = timedelta(seconds=2)


class ClusterState:
    """Gauges in a registry of their own (one per API app), refreshed by ``refresh``."""

    def __init__(
        self,
        engine: Engine,
        client: Callable[[], Client],
        task_queues: Sequence[str],
        *,
        dispatch_mode: Callable[[], str | None] = lambda: None,
        ttl: float = 5.0,
    ) -> None:
        self.engine, self.client, self.task_queues = engine, client, list(task_queues)
        self.dispatch_mode, self.ttl = dispatch_mode, ttl
        self.registry = CollectorRegistry()
        r = self.registry
        self.up = Gauge(
            "atrium_state_up", "1 if the last read of this part worked", ["part"], registry=r
        )
        self.quarantine = Gauge(
            "atrium_quarantine_open", "Records waiting in quarantine", ["integration"], registry=r
        )
        self.conflicts = Gauge(
            "atrium_conflicts_open", "Conflicts waiting for a decision", ["integration"], registry=r
        )
        self.dead_letters = Gauge(
            "atrium_dead_letters_open", "Outbound events dead-lettered, not redelivered", registry=r
        )
        self.intake = Gauge(
            "atrium_intake_events", "Intake events not finished, by status", ["status"], registry=r
        )
        self.intake_age = Gauge(
            "atrium_intake_oldest_seconds", "How long the oldest unfinished event waits", registry=r
        )
        self.mode = Gauge(
            "atrium_intake_dispatch_mode",
            "1 for this API process's intake dispatch mode: eager (a run per event) or batch",
            ["mode"],
            registry=r,
        )
        queue = ["task_queue", "type"]
        self.backlog = Gauge(
            "atrium_task_queue_backlog", "Tasks waiting (approximate)", queue, registry=r
        )
        self.backlog_age = Gauge(
            "atrium_task_queue_backlog_age_seconds",
            "Age of the oldest waiting task",
            queue,
            registry=r,
        )
        self.add_rate = Gauge(
            "atrium_task_queue_add_rate", "Tasks added per second (approximate)", queue, registry=r
        )
        self.dispatch_rate = Gauge(
            "atrium_task_queue_dispatch_rate", "Tasks dispatched per second", queue, registry=r
        )
        self._lock = asyncio.Lock()
        self._read_at = -float("inf")

    async def exposition(self) -> bytes:
        await self.refresh()
        mode = self.dispatch_mode()
        self.mode.clear()
        if mode is not None:
            for m in ("eager", "batch"):
                self.mode.labels(m).set(1 if m == mode else 0)
        return generate_latest(self.registry)

    async def refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._read_at < self.ttl:
                return
            await asyncio.gather(self._read_store(), self._read_queues())
            self._read_at = time.monotonic()

    async def _read_store(self) -> None:
        try:
            counts = await asyncio.to_thread(self._count)
        except Exception as exc:
            log.warning("metrics: store unreadable", error=type(exc).__name__)
            self.up.labels("store").set(0)
            return
        for gauge, by_integration in (
            (self.quarantine, counts["quarantine"]),
            (self.conflicts, counts["conflicts"]),
        ):
            gauge.clear()
            for integration, n in by_integration.items():
                gauge.labels(integration).set(n)
        self.dead_letters.set(counts["dead_letters"])
        depth = counts["intake"]
        for status in ("pending", "claimed"):
            self.intake.labels(status).set(depth[status])
        self.intake_age.set(depth["age"])
        self.up.labels("store").set(1)

    def _count(self) -> dict[str, Any]:
        def open_by_integration(model: Any) -> dict[str, int]:
            query = (
                select(model.integration, func.count())
                .where(model.status == "open")
                .group_by(model.integration)
            )
            return {name: n for name, n in conn.execute(query)}

        with self.engine.connect() as conn:
            quarantine = open_by_integration(QuarantinedRecord)
            conflicts = open_by_integration(SyncConflict)
            dead = conn.execute(
                select(func.count()).select_from(DeadLetter).where(DeadLetter.status == "dead")  # type: ignore[arg-type]
            ).scalar_one()
        return {
            "quarantine": quarantine,
            "conflicts": conflicts,
            "dead_letters": dead,
            "intake": IntakeStore(self.engine).depth(),
        }

    async def _read_queues(self) -> None:
        client = self.client()
        asks = [(q, kind) for q in self.task_queues for kind in QUEUE_TYPES]
        try:
            answers = await asyncio.gather(*(self._describe(client, q, kind) for q, kind in asks))
        except Exception as exc:  # Temporal down: no stale backlog, and say so
            log.warning("metrics: task queues unreadable", error=type(exc).__name__)
            for gauge in (self.backlog, self.backlog_age, self.add_rate, self.dispatch_rate):
                gauge.clear()
            self.up.labels("temporal").set(0)
            return
        for (queue, kind), stats in zip(asks, answers, strict=True):
            self.backlog.labels(queue, kind).set(stats.approximate_backlog_count)
            self.backlog_age.labels(queue, kind).set(
                stats.approximate_backlog_age.ToTimedelta().total_seconds()
            )
            self.add_rate.labels(queue, kind).set(stats.tasks_add_rate)
            self.dispatch_rate.labels(queue, kind).set(stats.tasks_dispatch_rate)
        self.up.labels("temporal").set(1)

    @staticmethod
    async def _describe(client: Client, queue: str, kind: str) -> Any:
        answer = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=queue),
                task_queue_type=QUEUE_TYPES[kind],
                report_stats=True,
            ),
            timeout=TIMEOUT,
        )
        return answer.stats
