"""The live stream: Server-Sent Events over real HTTP, heartbeats, clean disconnects, and the
Redis relay that lets several API replicas share one stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

from api.events.broadcaster import Broadcaster, StreamEvent
from api.main import create_app
from atrium.db import session_scope
from atrium.models import Integration
from atrium.settings import EventsSettings, Settings
from tests.support.servers import serve
from workflows.health_check import (
    HealthCheckAllInput,
    HealthCheckInput,
    IntegrationHealthCheck,
    IntegrationHealthCheckAll,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def quick_app(settings: Settings) -> Iterator[tuple[FastAPI, str]]:
    """A second API replica on the session's stack, with a short heartbeat."""
    app = create_app(
        settings.model_copy(
            update={"events": EventsSettings(stream_heartbeat_seconds=0.3, stream_runs_seconds=0.3)}
        )
    )
    with serve(app) as url:
        yield app, url


async def read_events(lines: AsyncIterator[str], want: int) -> list[dict[str, Any]]:
    """Parse SSE blocks until ``want`` blocks (events or comments) have arrived."""
    blocks: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async for line in lines:
        if line == "":
            if current:
                blocks.append(current)
                current = {}
            if len(blocks) >= want:
                return blocks
            continue
        key, _, value = line.partition(":")
        current.setdefault(key or "comment", value.strip())
    return blocks


async def test_stream_sends_heartbeats_and_events_then_lets_go(
    quick_app: tuple[FastAPI, str], worker: Worker, admin_token: str
) -> None:
    app, url = quick_app
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with (
        httpx.AsyncClient(base_url=url, timeout=10, headers=headers) as client,
        client.stream("GET", "/api/v1/events/stream") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        hello = await read_events(lines, 2)  # "connected" (with retry), then a heartbeat
        assert hello[0]["comment"] == "connected" and hello[1]["comment"] == "heartbeat"
        assert app.state.events.broadcaster.listeners == 1
        # Any webhook attempt shows on the stream, even one refused for an unknown source.
        await httpx.AsyncClient(base_url=url).post("/api/v1/webhooks/nobody", content=b"{}")
        blocks = await read_events(lines, 3)
        event = next(b for b in blocks if b.get("event") == "webhook.received")
        data = json.loads(event["data"])
        assert data["data"]["source"] == "nobody" and data["data"]["status"] == 404
    for _ in range(100):  # the server notices the disconnect and drops the listener
        if app.state.events.broadcaster.listeners == 0:
            break
        await asyncio.sleep(0.05)
    assert app.state.events.broadcaster.listeners == 0


def redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_listening(), reason="no Redis on 127.0.0.1:6379")
async def test_two_replicas_share_the_stream_through_redis() -> None:
    first, second = Broadcaster(redis_url=REDIS_URL), Broadcaster(redis_url=REDIS_URL)
    await first.start()
    await second.start()
    try:
        on_second = second.subscribe()
        on_first = first.subscribe()
        sent = StreamEvent(id=uuid.uuid4().hex, type="run.started", data={"n": 1})
        await first.publish(sent)
        got = await asyncio.wait_for(on_second.get(), 5)
        assert got.id == sent.id and got.data == {"n": 1}
        mine = await asyncio.wait_for(on_first.get(), 5)  # the sender's own console too, once
        assert mine.id == sent.id and on_first.empty()
    finally:
        await first.stop()
        await second.stop()


async def test_slow_listener_loses_oldest_events_not_the_api() -> None:
    broadcaster = Broadcaster(queue_size=10)
    queue = broadcaster.subscribe()
    for n in range(25):
        await broadcaster.publish(StreamEvent(id=str(n), type="run.started"))
    assert queue.qsize() == 10 and queue.get_nowait().id == "15"


async def test_what_workers_find_out_shows_on_the_stream_once(
    quick_app: tuple[FastAPI, str],
    worker: Worker,
    admin_token: str,
    temporal_client: Client,
    settings: Settings,
    engine: Engine,
) -> None:
    """However runs end (one completes, one fails) and when a connection goes down, each once,
    though every look reaches back a few seconds."""
    _, url = quick_app
    queue = settings.temporal.task_queue
    ok, bad = f"stream-ok-{uuid.uuid4().hex[:8]}", f"stream-bad-{uuid.uuid4().hex[:8]}"
    down = f"down-{uuid.uuid4().hex[:8]}"
    with session_scope(engine) as session:
        session.add(
            Integration(
                name=down,
                system="generic",
                base_url="http://127.0.0.1:9",  # nothing listens: its first check fails
                health_path="/status",
                description="",
            )
        )
        session.commit()
    kinds = "run.completed,run.failed,integration.unhealthy"
    async with (
        httpx.AsyncClient(base_url=url, timeout=30, headers=bearer(admin_token)) as client,
        client.stream("GET", f"/api/v1/events/stream?types={kinds}") as response,
    ):
        lines = response.aiter_lines()
        await read_events(lines, 1)  # connected: the watcher now has a listener
        await asyncio.sleep(0.5)
        await temporal_client.execute_workflow(
            IntegrationHealthCheckAll.run, HealthCheckAllInput(), id=ok, task_queue=queue
        )
        with pytest.raises(WorkflowFailureError):
            await temporal_client.execute_workflow(
                IntegrationHealthCheck.run,
                HealthCheckInput(integration="never-registered"),
                id=bad,
                task_queue=queue,
            )
        checked = await temporal_client.execute_workflow(
            IntegrationHealthCheck.run,
            HealthCheckInput(integration=down),
            id=f"stream-down-{down}",
            task_queue=queue,
        )
        assert not checked.healthy
        seen: list[tuple[str, str]] = []

        async def collect() -> None:
            while True:
                for block in await read_events(lines, 1):
                    if "event" in block:
                        data = json.loads(block["data"])["data"]
                        seen.append(
                            (block["event"], data.get("workflow_id") or data["integration"])
                        )

        reader = asyncio.create_task(collect())
        try:
            for _ in range(200):
                if {ok, bad, down} <= {key for _, key in seen}:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # several more looks: nothing may come twice
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    mine = [(kind, key) for kind, key in seen if key in (ok, bad, down)]
    assert sorted(mine) == [
        ("integration.unhealthy", down),
        ("run.completed", ok),
        ("run.failed", bad),
    ]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
