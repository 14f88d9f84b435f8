"""Why a run failed, in words a user can act on: the innermost cause of the failure chain (a
workflow failure wraps an activity failure that wraps the connector's error), the step it
happened in and the school system involved, instead of "ActivityError: Activity task failed"."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    FailureError,
)


class RunFailure(BaseModel):
    message: str  # the innermost cause's own message
    type: str | None = None  # its type: NotFound, RateLimited, AuthError, ... or an exception's
    step: str | None = None  # the activity (or child process) in which it happened
    system: str | None = None  # the school system, when the failure names one
    retryable: bool | None = None  # whether Temporal would have tried again

    def line(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"step {self.step}" if self.step else "",
                f"system {self.system}" if self.system else "",
            )
            if part
        )
        return f"{self.type or 'Error'}: {self.message}" + (f" ({where})" if where else "")


def _system(error: ApplicationError) -> str | None:
    for detail in error.details:
        if isinstance(detail, dict) and isinstance(detail.get("system"), str):
            return str(detail["system"])
    return None


def explain(error: BaseException) -> RunFailure:
    """The failure chain of ``error`` (a WorkflowFailureError's cause, say), explained."""
    step: str | None = None
    system: str | None = None
    current: BaseException = error
    seen = 0
    while seen < 32:  # a chain is a few links long; bounded all the same
        seen += 1
        if isinstance(current, ActivityError):
            step = current.activity_type or step
        elif isinstance(current, ChildWorkflowError):
            step = f"child {current.workflow_type}" if step is None else step
        if isinstance(current, ApplicationError):
            system = _system(current) or system
        following: Any = current.cause if isinstance(current, FailureError) else None
        following = following or current.__cause__
        if following is None:
            break
        current = following
    if isinstance(current, ApplicationError):
        return RunFailure(
            message=current.message,
            type=current.type or "ApplicationError",
            step=step,
            system=system,
            retryable=not current.non_retryable,
        )
    message = current.message if isinstance(current, FailureError) else str(current)
    return RunFailure(message=message, type=type(current).__name__, step=step, system=system)
