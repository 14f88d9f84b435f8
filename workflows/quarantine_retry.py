"""Retry one quarantined record (started by ``POST /api/v1/quarantine/{id}/retry``)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.sync.quarantine_retry import QuarantineActivities, RetryInput, RetryResult
    from workflows.policies import EXTERNAL_CALL, SHORT_CALL


@workflow.defn(name="quarantine-retry")
class QuarantineRetry:
    @workflow.run
    async def run(self, input: RetryInput) -> RetryResult:
        return await workflow.execute_activity_method(
            QuarantineActivities.retry,
            input,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
