"""One run applying many webhook events (the intake's batch mode under load): one local
activity, so the whole batch runs where the run runs: started eagerly in the API process that
claimed it, or on a worker (the main queue) when a large backlog waits (``batch_in_api_below``).
Its workflow id names the intake rows it applies; the activity applies each at most once
(activities/intake.py), so a retried or repeated batch writes nothing twice."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.intake import BatchInput, BatchResult, IntakeActivities
    from workflows.policies import EXTERNAL_CALL

WORKFLOW_TYPE = "event-batch"


def batch_workflow_id(process: str, ids: list[int]) -> str:
    """Names the intake rows the batch applies (a repeated batch of them is refused)."""
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return f"intake-batch:{process}:{ids[0]}-{ids[-1]}:{digest}"


@workflow.defn(name=WORKFLOW_TYPE, sandboxed=False)
class EventBatch:
    @workflow.run
    async def run(self, batch: BatchInput) -> BatchResult:
        return await workflow.execute_local_activity_method(
            IntakeActivities.apply_batch,
            batch,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=EXTERNAL_CALL,
        )
