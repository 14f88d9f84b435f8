"""Typed connector errors. Each says whether a retry can help."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every connector error."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, system: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.system = system


class AuthError(ConnectorError):
    """Credentials are missing, wrong or expired beyond refresh. Permanent until rotated."""


class NotFound(ConnectorError):
    """The record or route does not exist. Permanent."""


class InvalidRequest(ConnectorError):
    """The system rejected what we sent (validation, conflict). Permanent."""


class Conflict(InvalidRequest):
    """The record already exists (HTTP 409 and the like)."""


class MalformedResponse(ConnectorError):
    """The system answered with something that is not what its API promises. Permanent."""


class ServerError(ConnectorError):
    """5xx, a timeout or a dropped connection. Transient."""

    retryable = True


class RateLimited(ConnectorError):
    """The system asked us to slow down. Transient; wait ``retry_after`` seconds."""

    retryable = True

    def __init__(
        self, message: str, *, retry_after: float, status: int | None = None, system: str = ""
    ) -> None:
        super().__init__(message, status=status, system=system)
        self.retry_after = retry_after
