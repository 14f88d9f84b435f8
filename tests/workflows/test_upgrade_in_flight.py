"""Upgrading the worker while a run waits on a signal (issue 17, safe upgrades). The run is
started by a worker of version 1 and waits; that worker stops and one of a newer version takes
over. A change made behind ``workflow.patched`` continues the run on the new code; a change that
alters the command order of runs in flight fails the run's workflow task (the run is not lost:
it waits, and a worker with the patched change finishes it)."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.worker import Worker

from tests.workflows.upgrade_probe import NAME, ProbeV1, ProbeV2, ProbeV3, step


def _worker(client: Client, queue: str, version: type) -> Worker:
    # No sticky cache: the next workflow task goes to whichever worker polls, as after a deploy.
    return Worker(
        client, task_queue=queue, workflows=[version], activities=[step], max_cached_workflows=0
    )


async def _events(handle: WorkflowHandle) -> list[EventType.ValueType]:
    return [e.event_type for e in (await handle.fetch_history()).events]


async def _until(handle: WorkflowHandle, event: EventType.ValueType, seconds: float = 20) -> None:
    for _ in range(int(seconds * 10)):
        if event in await _events(handle):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{EventType.Name(event)} never appeared in {handle.id}")


async def _waiting_on_v1(client: Client, queue: str) -> WorkflowHandle:
    async with _worker(client, queue, ProbeV1):
        handle = await client.start_workflow(
            NAME, id=f"upgrade-{uuid.uuid4().hex[:8]}", task_queue=queue
        )
        await _until(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        # The step's completion is handled: the run now waits on its signal.
        for _ in range(100):
            if (await _events(handle))[-1] == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                break
            await asyncio.sleep(0.1)
    return handle


async def test_a_patched_change_continues_a_run_waiting_on_a_signal(
    temporal_client: Client,
) -> None:
    queue = f"upgrade-{uuid.uuid4().hex[:6]}"
    handle = await _waiting_on_v1(temporal_client, queue)
    async with _worker(temporal_client, queue, ProbeV2):
        await handle.signal("go")
        done = await asyncio.wait_for(handle.result(), 30)
        fresh = await temporal_client.execute_workflow(
            NAME, id=f"upgrade-new-{uuid.uuid4().hex[:8]}", task_queue=queue, start_signal="go"
        )
    # The run started on version 1 takes the new step after the wait, where the patch put it.
    assert done == ["before", "audit", "after"]
    assert fresh == ["before", "audit", "after"]
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in await _events(handle)


async def test_an_unpatched_change_stops_the_run_safely_until_a_patched_worker_takes_it(
    temporal_client: Client,
) -> None:
    queue = f"upgrade-{uuid.uuid4().hex[:6]}"
    handle = await _waiting_on_v1(temporal_client, queue)
    async with _worker(temporal_client, queue, ProbeV3):
        await handle.signal("go")
        await _until(handle, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    history = await handle.fetch_history()
    failed = [
        e.workflow_task_failed_event_attributes.failure.message
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]
    assert any("nondetermin" in m.lower() for m in failed), failed
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING  # waits, not lost
    # Rolled forward to the patched version, the same run finishes, nothing lost.
    async with _worker(temporal_client, queue, ProbeV2):
        assert await asyncio.wait_for(handle.result(), 30) == ["before", "audit", "after"]
