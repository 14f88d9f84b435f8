"""The worker inside each API process, for the events task queue (setting ``api.eager_worker``).

Why it is here: Temporal hands a run started with ``request_eager_start`` straight back in the
start answer, but only to a worker that shares the starting client. With one in the API process,
a webhook-driven run (an eager process: local activities only) is done a few milliseconds after
the start, with no wait for a worker's poll and no task through Temporal's matching service. Every
``atrium worker`` serves the same queue, so a run this process cannot take (no free slot, the API
restarting, a retry after a failure) is taken by them.

Workers need a connected (not lazy) client, while the API must start and answer ``/readyz``
while Temporal is down; so this connects in the background, retrying, and once it is connected
the API starts runs with that client.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import structlog
from fastapi import FastAPI
from temporalio.worker import Worker

from atrium.egress import configure as configure_egress
from atrium.outbound_limits import configure as configure_outbound
from atrium.settings import Settings
from atrium.temporal import TaskQueues, connect
from worker import build_events_worker

log = structlog.get_logger("api.eager_worker")
RECONNECT_SECONDS = 2.0
# The client's identity, which the worker shares: an eagerly started run's first workflow task is
# recorded as taken by the starter, so this is what the Web UI shows for runs this process took.
IDENTITY = f"api-eager-worker:{os.getpid()}@{socket.gethostname()}"


async def _serve(app: FastAPI, settings: Settings, running: list[Worker]) -> None:
    queues = TaskQueues.from_settings(settings.temporal)
    while True:
        try:
            client = await connect(settings.temporal, identity=IDENTITY, codec=app.state.codec)
            worker = build_events_worker(
                client, queues, app.state.engine, app.state.credentials, settings.events
            )
        except Exception as exc:  # Temporal not up yet: the API serves anyway, non-eagerly
            log.info("eager worker waiting for temporal", error=type(exc).__name__)
            await asyncio.sleep(RECONNECT_SECONDS)
            continue
        app.state.temporal = client  # starts share the worker's client from now on
        app.state.eager_worker = "running"
        running[:] = [worker]
        try:
            await worker.run()
            return
        except Exception as exc:
            app.state.eager_worker = "starting"
            log.warning("eager worker stopped; restarting", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(RECONNECT_SECONDS)


@asynccontextmanager
async def eager_worker(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    if not settings.api.eager_worker:
        app.state.eager_worker = "off"
        yield
        return
    app.state.eager_worker = "starting"
    configure_outbound(settings.outbound)  # its activities call school systems too
    configure_egress(settings.egress)  # ... only where the egress guard allows
    running: list[Worker] = []
    task = asyncio.create_task(_serve(app, settings, running))
    try:
        yield
    finally:
        if running and not task.done():
            with suppress(Exception):
                await running[0].shutdown()
        task.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await task
