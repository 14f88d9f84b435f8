"""Capacity advice from the workers themselves: a worker whose activity slots are all taken,
with tasks waiting behind them, is told to get company (slots from its heartbeats, the wait from
the queue's backlog age); an idle worker is not."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy.engine import Engine
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.runtime import Runtime, TelemetryConfig
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from atrium.capacity.advise import CapacityReport, report
from atrium.settings import CapacitySettings, OutboundSettings
from atrium.stack.temporal_dev import TemporalDevServer
from tests.workflows.sync_env import eventually

RELEASE = asyncio.Event()


@activity.defn(name="capacity_test_hold")
async def hold() -> None:
    await RELEASE.wait()


@workflow.defn(name="CapacityTestFanOut")
class FanOut:
    @workflow.run
    async def run(self, n: int) -> None:
        timeout = timedelta(minutes=2)
        await asyncio.gather(
            *(workflow.execute_activity(hold, start_to_close_timeout=timeout) for _ in range(n))
        )


async def test_full_slots_and_waiting_tasks_ask_for_workers(
    engine: Engine, temporal_server: TemporalDevServer
) -> None:
    # A runtime of its own: workers heartbeat every second instead of every minute.
    runtime = Runtime(telemetry=TelemetryConfig(), worker_heartbeat_interval=timedelta(seconds=1))
    client = await Client.connect(temporal_server.address, runtime=runtime)
    queue = f"capacity-busy-{uuid.uuid4().hex[:8]}"
    cfg = CapacitySettings(backlog_age_seconds=1.0)
    RELEASE.clear()
    worker = Worker(
        client,
        task_queue=queue,
        workflows=[FanOut],
        activities=[hold],
        workflow_runner=UnsandboxedWorkflowRunner(),
        max_concurrent_activities=2,
    )
    async with worker:

        async def idle() -> CapacityReport | None:
            found = await report(engine, client, [queue], cfg, OutboundSettings())
            return found if found.slots is not None and found.workers == 1 else None

        calm = await eventually(idle, 20)
        assert [a for a in calm.advice if a.subject == queue] == [] and calm.slots_used == 0

        run = await client.start_workflow(FanOut.run, 4, id=queue, task_queue=queue)
        try:

            async def busy() -> CapacityReport | None:
                found = await report(engine, client, [queue], cfg, OutboundSettings())
                ours = [a for a in found.advice if a.subject == queue]
                return found if found.slots_used == 2 and len(ours) >= 2 else None

            found = await eventually(busy, 30)
        finally:
            RELEASE.set()
            await run.result()
    slots, waiting = None, None
    for advice in found.advice:
        if advice.subject == queue and "slots" in advice.figures:
            slots = advice
        elif advice.subject == queue and advice.figures.get("type") == "activity":
            waiting = advice
    assert slots is not None and waiting is not None, found.advice
    assert (slots.figures["slots_used"], slots.figures["slots"]) == (2, 2)
    assert (
        f"Add {slots.figures['add']} worker" in slots.advice and "2 of 2 activity" in slots.advice
    )
    assert waiting.kind == "add_workers" and waiting.figures["backlog"] == 2
    assert float(waiting.figures["oldest_seconds"]) >= 1.0 and waiting.figures["workers"] == 1
    assert "schedule-to-start of the oldest waiting task" in waiting.reasons[0]
