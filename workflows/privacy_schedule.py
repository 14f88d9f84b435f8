"""The Temporal Schedule that purges Atrium's own data past its retention, daily by default;
created or updated at worker start-up, like the health checks' (workflows/schedules.py)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client, Schedule

from workflows.retention_purge import RetentionPurge, RetentionPurgeInput
from workflows.schedules import interval_schedule, keep

RETENTION_SCHEDULE_ID = "privacy-retention"


def retention_schedule(task_queue: str, interval: timedelta) -> Schedule:
    return interval_schedule(
        RetentionPurge.run,
        RetentionPurgeInput(),
        workflow_id="retention-purge",
        process="retention-purge",
        task_queue=task_queue,
        interval=interval,
    )


async def ensure_retention_schedule(
    client: Client, task_queue: str, every: timedelta = timedelta(days=1)
) -> None:
    await keep(client, RETENTION_SCHEDULE_ID, retention_schedule(task_queue, every))
