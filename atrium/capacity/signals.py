"""What Temporal says now: each task queue's backlog, its rates and pollers (DescribeTaskQueue
with report_stats, as atrium/metrics/state.py reads it), and the live workers' slots
(ListWorkers, from the workers' heartbeats)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import WorkerStatus
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest, ListWorkersRequest
from temporalio.client import Client

from atrium.metrics.state import QUEUE_TYPES, TIMEOUT

STALE = timedelta(minutes=3)  # a worker silent this long (heartbeats every 60 s) is gone


@dataclass(frozen=True)
class QueueState:
    task_queue: str
    kind: str  # workflow | activity
    backlog: int
    oldest_seconds: float  # how long the oldest waiting task has waited to start
    add_rate: float  # tasks added per second
    dispatch_rate: float  # tasks handed to workers per second
    pollers: int  # distinct workers polling it


@dataclass(frozen=True)
class WorkerState:
    task_queue: str
    identity: str
    activity_used: int
    activity_free: int
    workflow_used: int
    workflow_free: int


async def queue_state(client: Client, task_queue: str, kind: str) -> QueueState:
    answer = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=QUEUE_TYPES[kind],
            report_stats=True,
        ),
        timeout=TIMEOUT,
    )
    stats = answer.stats
    return QueueState(
        task_queue=task_queue,
        kind=kind,
        backlog=stats.approximate_backlog_count,
        oldest_seconds=stats.approximate_backlog_age.ToTimedelta().total_seconds(),
        add_rate=stats.tasks_add_rate,
        dispatch_rate=stats.tasks_dispatch_rate,
        pollers=len({p.identity for p in answer.pollers}),
    )


async def queues(client: Client, task_queues: Sequence[str]) -> list[QueueState]:
    asks = [(q, kind) for q in task_queues for kind in QUEUE_TYPES]
    return list(await asyncio.gather(*(queue_state(client, q, k) for q, k in asks)))


async def workers(client: Client, task_queues: Sequence[str]) -> list[WorkerState]:
    """The running workers of these queues that heartbeated lately (none if the server keeps
    no heartbeats: the rules then count pollers)."""
    wanted = set(task_queues)
    found: list[WorkerState] = []
    token = b""
    now = datetime.now(UTC)
    for _ in range(20):  # pages of workers; a deployment has tens, not thousands
        answer = await client.workflow_service.list_workers(
            ListWorkersRequest(namespace=client.namespace, page_size=200, next_page_token=token),
            timeout=TIMEOUT,
        )
        for info in answer.workers_info:
            beat = info.worker_heartbeat
            if beat.task_queue not in wanted or beat.status != WorkerStatus.WORKER_STATUS_RUNNING:
                continue
            if now - beat.heartbeat_time.ToDatetime(UTC) > STALE:
                continue
            found.append(
                WorkerState(
                    task_queue=beat.task_queue,
                    identity=beat.worker_identity,
                    activity_used=beat.activity_task_slots_info.current_used_slots,
                    activity_free=beat.activity_task_slots_info.current_available_slots,
                    workflow_used=beat.workflow_task_slots_info.current_used_slots,
                    workflow_free=beat.workflow_task_slots_info.current_available_slots,
                )
            )
        token = answer.next_page_token
        if not token:
            break
    return found
