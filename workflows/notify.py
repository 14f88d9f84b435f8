"""Send one notification: a workflow of its own for the API and alerting, and ``send`` for the
processes that notify as one of their steps."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.notify import NotifyActivities, NotifyInput, NotifyResult

# A rate limit answers with its own delay (next_retry_delay); a bad template or address stops.
NOTIFY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=10,
    non_retryable_error_types=["InvalidRequest", "AuthError", "NotFound"],
)


async def send(input: NotifyInput) -> NotifyResult:
    return await workflow.execute_activity_method(
        NotifyActivities.notify,
        input,
        start_to_close_timeout=timedelta(seconds=30),
        retry_policy=NOTIFY_RETRY,
    )


@workflow.defn(name="notify")
class Notify:
    @workflow.run
    async def run(self, input: NotifyInput) -> NotifyResult:
        return await send(input)
