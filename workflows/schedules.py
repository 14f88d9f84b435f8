"""Temporal Schedules Atrium keeps, created or updated at worker start-up."""

from __future__ import annotations

from datetime import timedelta

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


def health_schedule(task_queue: str, every: timedelta) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            IntegrationHealthCheckAll.run,
            HealthCheckAllInput(),
            id="health-check-all",
            task_queue=task_queue,
            typed_search_attributes=TypedSearchAttributes(
                [SearchAttributePair(PROCESS, "integration-health-check-all")]
            ),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_schedules(client: Client, task_queue: str, health_every: timedelta) -> None:
    schedule = health_schedule(task_queue, health_every)
    try:
        await client.create_schedule(HEALTH_SCHEDULE_ID, schedule, trigger_immediately=True)
    except ScheduleAlreadyRunningError:

        async def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(HEALTH_SCHEDULE_ID).update(update)
