"""Run outcomes on the live stream.

Workers tell subscribers how runs end (workflows/announce.py), but the live stream is fed inside
the API process. So while a console here is watching, the API asks Temporal's visibility every
``stream_runs_seconds`` for runs closed since its last look and streams them as ``run.completed``,
``run.failed``, ``run.canceled``, ``run.terminated`` or ``run.timed_out``. Each replica does this
for its own listeners only (not through Redis, or every console would see each event once per
replica). Visibility lags a little, so each look goes back a few seconds and a bounded memory of
what was streamed keeps a run from showing twice. Nobody watching: no query.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from temporalio.client import Client, WorkflowExecutionStatus

from api.events.broadcaster import Broadcaster, StreamEvent

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


class RunWatcher:
    def __init__(
        self, broadcaster: Broadcaster, client: Callable[[], Client], every: float = 2.0
    ) -> None:
        self.broadcaster = broadcaster
        self.client = client  # the API's current client (the eager worker may replace it)
        self.every = every
        self._streamed: OrderedDict[str, None] = OrderedDict()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="run-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        since = datetime.now(UTC)
        while True:
            await asyncio.sleep(self.every)
            if not self.broadcaster.listeners:
                since = datetime.now(UTC)  # a console that connects later sees runs from then on
                continue
            looked = datetime.now(UTC)
            try:
                await self.look(since - LAG)
            except Exception as exc:  # Temporal away: the stream goes on, the next look retries
                log.info("run watcher: no look at temporal", error=type(exc).__name__)
                continue
            since = looked

    async def look(self, since: datetime) -> int:
        """Stream the runs closed since ``since`` not streamed yet; returns how many."""
        stamp = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        query = f'CloseTime >= "{stamp}" AND ExecutionStatus != "Running"'
        streamed = 0
        async for run in self.client().list_workflows(query, page_size=200):
            kind = OUTCOMES.get(run.status) if run.status is not None else None
            key = f"{run.id}:{run.run_id}"
            if kind is None or key in self._streamed:
                continue  # continued-as-new runs go on under the same id: not an outcome
            self._remember(key)
            self.broadcaster.fanout_local(
                StreamEvent(
                    id=f"{kind}:{key}",
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
            streamed += 1
        return streamed

    def _remember(self, key: str) -> None:
        self._streamed[key] = None
        while len(self._streamed) > REMEMBERED:
            self._streamed.popitem(last=False)
