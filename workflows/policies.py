"""Named retry policies and timeouts shared by the workflows."""

from datetime import timedelta

from temporalio.common import RetryPolicy

EXTERNAL_CALL = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=8,
    non_retryable_error_types=["NotFound", "InvalidRequest", "AuthError", "MalformedResponse"],
)
LOCAL_STORE = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_attempts=5)
SHORT_CALL = timedelta(seconds=30)
