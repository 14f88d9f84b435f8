"""Workers share one task queue: a second worker started on it takes work at once, and runs
started while the first worker is gone complete on the second."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio.client import Client

from api.starter import start_process
from atrium.credentials import Credentials
from atrium.settings import Settings
from atrium.temporal import TaskQueues, connect
from tests.api.test_runs import add_integration
from worker import build_worker
from workflows.health_check import HealthCheckInput
from workflows.registry import PROCESSES


async def _run_one(client: Client, queue: str, engine: Engine) -> float:
    name = f"lb-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    started = time.perf_counter()
    handle, _ = await start_process(
        client,
        TaskQueues(queue, queue),
        PROCESSES["integration-health-check"],
        HealthCheckInput(integration=name),
    )
    result = await asyncio.wait_for(handle.result(rpc_timeout=timedelta(seconds=20)), 20)
    assert result["integration"] == name
    return time.perf_counter() - started


async def test_a_second_worker_on_the_same_queue_takes_work_at_once(
    temporal_client: Client, engine: Engine, credentials: Credentials
) -> None:
    queue = f"lb-{uuid.uuid4().hex[:8]}"  # a queue of this test's own: no session worker on it
    async with build_worker(temporal_client, queue, engine, credentials):
        await _run_one(temporal_client, queue, engine)
    # The first worker is gone (as if its machine died); a run started now waits in the queue...
    name = f"lb-{uuid.uuid4().hex[:8]}"
    add_integration(engine, name)
    waiting, _ = await start_process(
        temporal_client,
        TaskQueues(queue, queue),
        PROCESSES["integration-health-check"],
        HealthCheckInput(integration=name),
    )
    await asyncio.sleep(0.5)
    assert (await waiting.describe()).status.name == "RUNNING"  # type: ignore[union-attr]
    # ...and a second worker started on the same queue takes it and new work at once.
    started = time.perf_counter()
    async with build_worker(temporal_client, queue, engine, credentials):
        await asyncio.wait_for(waiting.result(rpc_timeout=timedelta(seconds=20)), 20)
        picked_up = time.perf_counter() - started
        fresh = await _run_one(temporal_client, queue, engine)
    assert picked_up < 5, f"the waiting run took {picked_up:.1f}s to be picked up"
    assert fresh < 5, f"a new run took {fresh:.1f}s on the second worker"


async def test_two_workers_on_one_queue_share_the_runs(
    temporal_client: Client, engine: Engine, credentials: Credentials, settings: Settings
) -> None:
    queue = f"lb-{uuid.uuid4().hex[:8]}"
    # The second worker's own connection, as in its process.
    other = await connect(settings.temporal, codec=temporal_client.data_converter.payload_codec)
    async with (
        build_worker(temporal_client, queue, engine, credentials),
        build_worker(other, queue, engine, credentials),
    ):
        durations = await asyncio.gather(
            *(_run_one(temporal_client, queue, engine) for _ in range(10))
        )
    assert max(durations) < 10
