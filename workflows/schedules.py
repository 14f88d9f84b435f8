"""Temporal Schedules Atrium keeps, created or updated at worker start-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from atrium.temporal import PROCESS
from workflows.health_check import HealthCheckAllInput, IntegrationHealthCheckAll

HEALTH_SCHEDULE_ID = "health-checks"


def interval_schedule(
    run: Callable[..., Any],
    arg: Any,
    *,
    workflow_id: str,
    process: str,
    task_queue: str,
    interval: timedelta,
) -> Schedule:
    """A schedule starting ``run(arg)`` as ``workflow_id`` every ``interval``, tagged with its
    process, skipping a start while the previous run still runs."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            run,
            arg,
            id=workflow_id,
            task_queue=task_queue,
            typed_search_attributes=TypedSearchAttributes([SearchAttributePair(PROCESS, process)]),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=interval)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def keep(
    client: Client, schedule_id: str, schedule: Schedule, *, trigger_immediately: bool = False
) -> None:
    """Create the schedule, or bring an existing one to ``schedule`` (a changed interval)."""
    try:
        await client.create_schedule(schedule_id, schedule, trigger_immediately=trigger_immediately)
    except ScheduleAlreadyRunningError:

        async def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(update)


def health_schedule(task_queue: str, interval: timedelta) -> Schedule:
    return interval_schedule(
        IntegrationHealthCheckAll.run,
        HealthCheckAllInput(),
        workflow_id="health-check-all",
        process="integration-health-check-all",
        task_queue=task_queue,
        interval=interval,
    )


async def ensure_schedules(client: Client, task_queue: str, health_every: timedelta) -> None:
    await keep(
        client,
        HEALTH_SCHEDULE_ID,
        health_schedule(task_queue, health_every),
        trigger_immediately=True,
    )
