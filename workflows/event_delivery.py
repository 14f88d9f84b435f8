"""Delivering one event to one subscriber: signed POST retried with backoff, and a dead letter
after the last try (redelivered later from the API)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

with workflow.unsafe.imports_passed_through():
    from activities.events import DeadLetterInput, DeliverInput, EventActivities
    from atrium.events.delivery import DeliveryRetry, EventDeliveryInput
    from workflows.policies import LOCAL_STORE, SHORT_CALL


__all__ = ["EventDelivery", "EventDeliveryInput", "EventDeliveryResult"]


class EventDeliveryResult(BaseModel):
    delivered: bool
    attempts: int
    status_code: int | None = None
    dead_letter_id: int | None = None
    error: str = ""


def retry_policy(retry: DeliveryRetry) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=retry.initial_interval_seconds),
        backoff_coefficient=retry.backoff,
        maximum_interval=timedelta(seconds=retry.max_interval_seconds),
        maximum_attempts=retry.max_attempts,
        non_retryable_error_types=["SubscriptionGone"],
    )


@workflow.defn(name="event-delivery")
class EventDelivery:
    @workflow.run
    async def run(self, input: EventDeliveryInput) -> EventDeliveryResult:
        try:
            result = await workflow.execute_activity_method(
                EventActivities.deliver,
                DeliverInput(
                    subscription_id=input.subscription_id,
                    event=input.event,
                    dead_letter_id=input.dead_letter_id,
                ),
                start_to_close_timeout=timedelta(seconds=input.retry.timeout_seconds + 5),
                retry_policy=retry_policy(input.retry),
            )
            return EventDeliveryResult(
                delivered=True, attempts=result.attempt, status_code=result.status_code
            )
        except ActivityError as err:
            cause = err.cause
            error = str(cause) if cause else str(err)
            attempts = 1
            if isinstance(cause, ApplicationError) and cause.details:
                attempts = int(cause.details[0])  # the activity reports its attempt number
            elif err.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED:
                attempts = input.retry.max_attempts
            workflow.logger.warning("delivery failed for good: %s", error)
        dead_letter_id = await workflow.execute_activity_method(
            EventActivities.record_dead_letter,
            DeadLetterInput(
                subscription_id=input.subscription_id,
                event=input.event,
                attempts=attempts,
                last_error=error,
            ),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        return EventDeliveryResult(
            delivered=False, attempts=attempts, dead_letter_id=dead_letter_id, error=error
        )
