"""The live event stream for the console (Server-Sent Events)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api.deps import SettingsDep
from api.events.hub import EventsDep
from api.security import require

router = APIRouter(prefix="/events", tags=["events"])


@router.get("/stream", response_class=EventSourceResponse, dependencies=[require("events:read")])
async def stream(
    events: EventsDep,
    settings: SettingsDep,
    types: Annotated[
        str | None,
        Query(max_length=500, pattern=r"^[a-z.,_-]+$", description="comma-separated event types"),
    ] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Runs started, webhooks received and business events as they happen. A comment line every
    ``stream_heartbeat_seconds`` keeps proxies from closing a quiet connection."""
    wanted = {t for t in types.split(",") if t} if types else None
    queue = events.broadcaster.subscribe()
    heartbeat = settings.events.stream_heartbeat_seconds
    try:
        yield ServerSentEvent(comment="connected", retry=3000)
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), heartbeat)
            except TimeoutError:
                yield ServerSentEvent(comment="heartbeat")
                continue
            if wanted is None or event.type in wanted:
                data = event.model_dump(mode="json")
                yield ServerSentEvent(id=event.id, event=event.type, data=data)
    finally:
        # The client went away (the response task is cancelled): stop feeding its queue.
        events.broadcaster.unsubscribe(queue)
