"""An in-process broadcaster for the live stream, optionally shared through Redis pub/sub so
that every API replica's console sees every replica's events.

Each listener gets a bounded queue; a listener too slow to keep up loses its oldest events
rather than slowing the API down.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import BaseModel, Field

log = structlog.get_logger("events")

CHANNEL = "atrium:events"


class StreamEvent(BaseModel):
    id: str
    type: str
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    data: dict[str, Any] = Field(default_factory=dict)


class Broadcaster:
    def __init__(self, *, queue_size: int = 1000, redis_url: str | None = None) -> None:
        self.queue_size = queue_size
        self.redis_url = redis_url
        self._queues: set[asyncio.Queue[StreamEvent]] = set()
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @property
    def listeners(self) -> int:
        return len(self._queues)

    @property
    def audience(self) -> bool:
        """Whether anyone can see a published event: a console here, or replicas via Redis."""
        return self._redis is not None or bool(self._queues)

    async def start(self) -> None:
        if not self.redis_url:
            return
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(self.redis_url)
        self._listener = asyncio.create_task(self._relay(), name="events-redis-relay")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 5)

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()

    def subscribe(self) -> asyncio.Queue[StreamEvent]:
        queue: asyncio.Queue[StreamEvent] = asyncio.Queue(self.queue_size)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[StreamEvent]) -> None:
        self._queues.discard(queue)

    async def publish(self, event: StreamEvent) -> None:
        if self._redis is not None and self._ready.is_set():
            try:
                # Every replica (this one included) receives it back through _relay.
                await self._redis.publish(CHANNEL, event.model_dump_json())
                return
            except Exception as exc:  # Redis down: the local console still sees it
                log.warning("stream: redis publish failed", error=type(exc).__name__)
        self._fanout(event)

    def fanout_local(self, event: StreamEvent) -> None:
        """To this replica's listeners only (what every replica finds out for itself)."""
        self._fanout(event)

    def _fanout(self, event: StreamEvent) -> None:
        for queue in list(self._queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    async def _relay(self) -> None:
        delay = 0.5
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self._ready.set()
                    delay = 0.5
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._fanout(StreamEvent.model_validate_json(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._ready.clear()
                log.warning("stream: redis relay lost, retrying", error=type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
