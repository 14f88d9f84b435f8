"""What workers find out, on the live stream.

Workers tell subscribers how runs end (workflows/announce.py) and when a connection goes down or
comes back (activities/health.py), but the live stream is fed inside the API process. So while a
console here is watching, the API looks every ``stream_runs_seconds`` for what happened since its
last look, in Temporal's visibility (runs that ended: ``run.completed``, ``run.failed``,
``run.canceled``, ``run.terminated``, ``run.timed_out``) and in the recorded health checks
(``integration.unhealthy``, ``integration.recovered``, found as the health activity finds them).
Each replica does this for its own listeners only (not through Redis, or every console would see
each event once per replica). Each look reaches back a few seconds, since visibility lags, and a
bounded memory of event ids keeps anything from showing twice. Nobody watching: no query.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio.client import Client, WorkflowExecutionStatus

from api.events.broadcaster import Broadcaster, StreamEvent
from atrium.db import session_scope
from atrium.events.health import health_change
from atrium.models import HealthCheck, Integration

log = structlog.get_logger("events")

OUTCOMES = {
    WorkflowExecutionStatus.COMPLETED: "run.completed",
    WorkflowExecutionStatus.FAILED: "run.failed",
    WorkflowExecutionStatus.CANCELED: "run.canceled",
    WorkflowExecutionStatus.TERMINATED: "run.terminated",
    WorkflowExecutionStatus.TIMED_OUT: "run.timed_out",
}
LAG = timedelta(seconds=5)  # how far back each look reaches (visibility is eventually consistent)
REMEMBERED = 10_000


class Source(Protocol):
    async def since(self, when: datetime) -> list[StreamEvent]: ...


class RunOutcomes:
    def __init__(self, client: Callable[[], Client]) -> None:
        self.client = client  # the API's current client (the eager worker may replace it)

    async def since(self, when: datetime) -> list[StreamEvent]:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        query = f'CloseTime >= "{stamp}" AND ExecutionStatus != "Running"'
        found = []
        async for run in self.client().list_workflows(query, page_size=200):
            kind = OUTCOMES.get(run.status) if run.status is not None else None
            if kind is None:
                continue  # continued-as-new runs go on under the same id: not an outcome
            found.append(
                StreamEvent(
                    id=f"{kind}:{run.id}:{run.run_id}",
                    type=kind,
                    at=run.close_time or datetime.now(UTC),
                    data={
                        "process": run.workflow_type,
                        "workflow_id": run.id,
                        "run_id": run.run_id,
                        "status": run.status.name.lower() if run.status else None,
                    },
                )
            )
        return found


class HealthChanges:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def since(self, when: datetime) -> list[StreamEvent]:
        return await asyncio.to_thread(self._query, when)

    def _query(self, when: datetime) -> list[StreamEvent]:
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(HealthCheck.run_id, Integration.system)
                .join(Integration, col(Integration.name) == col(HealthCheck.integration))
                .where(col(HealthCheck.checked_at) >= when)
                .order_by(col(HealthCheck.id))
            ).all()
            changes = [health_change(session, check_id, system) for check_id, system in rows]
        return [
            StreamEvent(id=c.id, type=c.type, at=_aware(c.data["checked_at"]), data=c.data)
            for c in changes
            if c
        ]


def _aware(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class StreamWatcher:
    def __init__(self, broadcaster: Broadcaster, sources: list[Source], every: float = 2.0) -> None:
        self.broadcaster = broadcaster
        self.sources = sources
        self.every = every
        self._streamed: OrderedDict[str, None] = OrderedDict()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="stream-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        since = floor = datetime.now(UTC)
        while True:
            await asyncio.sleep(self.every)
            if not self.broadcaster.listeners:
                # A console that connects later sees what happens from then on, not before.
                since = floor = datetime.now(UTC)
                continue
            looked = datetime.now(UTC)
            for source in self.sources:
                try:
                    await self.look(source, since - LAG, floor)
                except Exception as exc:  # Temporal or the database away: the next look retries
                    log.info(
                        "stream watcher: no look", source=type(source).__name__, error=str(exc)
                    )
            since = looked

    async def look(self, source: Source, since: datetime, floor: datetime) -> int:
        """Stream what ``source`` found since ``since``, happened at ``floor`` or later and was
        not streamed yet."""
        streamed = 0
        for event in await source.since(since):
            if event.id in self._streamed or event.at < floor:
                continue
            self._streamed[event.id] = None
            while len(self._streamed) > REMEMBERED:
                self._streamed.popitem(last=False)
            self.broadcaster.fanout_local(event)
            streamed += 1
        return streamed
