"""The one object routes use to announce things: it feeds the live stream at once and fans
events out to subscribers, both in the background so no request waits for either."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from temporalio.client import Client

from api.events.broadcaster import Broadcaster, StreamEvent
from atrium.events.delivery import DeliveryRetry, publish
from atrium.events.subscribers import SubscriberDirectory
from atrium.events.triggers import TriggerDirectory
from workflows.announce import RUN_EVENTS

log = structlog.get_logger("events")


class EventHub:
    def __init__(
        self,
        broadcaster: Broadcaster,
        subscribers: SubscriberDirectory,
        *,
        task_queue: str,
        retry: DeliveryRetry,
        triggers: TriggerDirectory | None = None,
    ) -> None:
        self.broadcaster = broadcaster
        self.subscribers = subscribers
        # Designed processes started by run events: a run must announce those too.
        self.triggers = triggers or TriggerDirectory(subscribers.engine, subscribers.ttl)
        self.task_queue = task_queue
        self.retry = retry
        self._tasks: set[asyncio.Task[Any]] = set()

    def _background(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and (exc := t.exception()) is not None:
                log.warning("event fan-out failed", what=what, error=f"{type(exc).__name__}: {exc}")

        task.add_done_callback(done)

    def stream(self, event_type: str, data: dict[str, Any], event_id: str | None = None) -> None:
        """Show something on the console's live stream only (e.g. a webhook arrived)."""
        if not self.broadcaster.audience:  # nobody watching: no event, no task
            return
        event = StreamEvent(id=event_id or uuid.uuid4().hex, type=event_type, data=data)
        self._background(self.broadcaster.publish(event), event_type)

    def publish(self, client: Client, event_type: str, data: dict[str, Any], event_id: str) -> None:
        """A business event: on the live stream and delivered to every matching subscriber."""
        self.stream(event_type, data, event_id)
        self._background(
            publish(
                client,
                event_type,
                data,
                subscribers=self.subscribers,
                task_queue=self.task_queue,
                event_id=event_id,
                retry=self.retry,
            ),
            event_type,
        )

    def run_started(
        self, client: Client, process: str, workflow_id: str, run_id: str | None, **extra: Any
    ) -> None:
        data = {"process": process, "workflow_id": workflow_id, "run_id": run_id, **extra}
        self.publish(client, "run.started", data, f"run.started:{workflow_id}:{run_id}")

    async def announced(self) -> list[str]:
        """The event types runs publish themselves that have a subscriber or a trigger now."""
        return [
            t
            for t in RUN_EVENTS
            if await self.subscribers.matching(t) or await self.triggers.matching(t)
        ]

    async def drain(self) -> None:
        """Let pending fan-outs finish (shutdown, tests), a few seconds at most."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5.0)


async def get_events(request: Request) -> EventHub:
    return request.app.state.events  # type: ignore[no-any-return]


EventsDep = Annotated[EventHub, Depends(get_events)]
