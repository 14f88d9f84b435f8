"""A worker started while Vault is sealed waits for it, saying why, and starts polling once Vault
is unsealed, instead of exiting (issue 17: Vault outages retried with backoff, never a crash)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from bench.sync_stack import WorkerProcess
from tests.resilience.fault_stack import FaultStack, close, fault_stack


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[FaultStack]:
    made = await fault_stack(tmp_path)
    try:
        yield made
    finally:
        if made.sealed():
            made.unseal()
        close(made)


async def pollers(stack: FaultStack, queue: str) -> list[str]:
    answer = await stack.client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=stack.settings.temporal.namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return [p.identity for p in answer.pollers]


async def test_a_worker_started_against_a_sealed_vault_waits_then_serves(
    stack: FaultStack, tmp_path: Path
) -> None:
    queue = f"sealed-start-{uuid.uuid4().hex[:6]}"
    temporal = stack.settings.temporal.model_copy(update={"task_queue": queue})
    settings = stack.settings.model_copy(update={"temporal": temporal})
    stack.seal()
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    worker.start()
    stack.workers.append(worker)  # stopped by close()
    assert worker.process is not None
    log = ""
    for _ in range(300):  # the worker's start (imports) can take seconds on a loaded machine
        log = (tmp_path / "worker.log").read_text()
        if log.count("waiting_for_vault") >= 2 or worker.process.poll() is not None:
            break
        await asyncio.sleep(0.2)
    assert worker.process.poll() is None, log  # still there: waiting, not exited
    assert log.count("waiting_for_vault") >= 2 and "Traceback" not in log, log
    assert await pollers(stack, queue) == []  # not serving without its payload keys
    stack.unseal()
    identity = f"{worker.process.pid}@"
    for _ in range(150):  # backoff is at most 10 s between tries
        if any(p.startswith(identity) for p in await pollers(stack, queue)):
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError(f"the worker never polled {queue}: {log}")
    assert worker.process.poll() is None
