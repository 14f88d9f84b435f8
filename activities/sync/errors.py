"""Connector errors -> Temporal failures: permanent ones fail fast, rate limits wait as asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from temporalio.exceptions import ApplicationError

from connectors.errors import ConnectorError, RateLimited


@contextmanager
def translate() -> Iterator[None]:
    try:
        yield
    except RateLimited as exc:
        raise ApplicationError(
            exc.message,
            type="RateLimited",
            next_retry_delay=timedelta(seconds=max(exc.retry_after, 0.1)),
        ) from exc
    except ConnectorError as exc:
        raise ApplicationError(
            exc.message, type=type(exc).__name__, non_retryable=not exc.retryable
        ) from exc
