"""Financial hold: while the bursar holds a student, their LMS access and library borrowing are
paused; lifting the hold restores both. One run lives as long as the hold (id
``financial-hold-{student}-{type}``); the ``lift`` signal ends it. If pausing fails for good
midway, what was already paused is restored (a saga) and the run reports it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.finance import FinanceActivities, StudentRef
    from activities.library import LibraryActivities, RestrictionInput
    from activities.lms import LmsAccessChange, LmsAccessInput, LmsActivities
    from activities.notify import NotifyInput
    from workflows.notify import send
    from workflows.policies import EXTERNAL_CALL, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
HoldType = Literal["registration", "transcript", "graduation", "library", "financial"]


class FinancialHoldInput(BaseModel):
    student_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    hold_type: HoldType = "financial"
    reason: str = Field("", max_length=500)
    source: str = Field("event", max_length=255, description="event, or file:line of a batch")
    finance: str = Field("finance", pattern=NAME)
    lms: str = Field("canvas", pattern=NAME)
    library: str = Field("library", pattern=NAME)
    comms: str = Field("comms", pattern=NAME)


class LiftHold(BaseModel):
    reason: str = Field("", max_length=500)
    source: str = Field("event", max_length=255)


class FinancialHoldResult(BaseModel):
    student_id: str
    status: Literal["lifted", "compensated"]
    lms_enrollments_paused: int = 0
    library_restricted: bool = False
    restored: list[str] = Field(default_factory=list)  # what was put back, in order
    not_restored: dict[str, str] = Field(default_factory=dict)  # system -> why (needs a person)
    notified: list[str] = Field(default_factory=list)
    error: str | None = None


def hold_workflow_id(student_id: str, hold_type: str) -> str:
    return f"financial-hold-{student_id}-{hold_type}"


@workflow.defn(name="financial-hold")
class FinancialHold:
    def __init__(self) -> None:
        self._lift: LiftHold | None = None
        self._state = "placing"

    @workflow.signal
    def lift(self, signal: LiftHold) -> None:
        self._lift = signal

    @workflow.query
    def state(self) -> str:
        return self._state

    async def _restore(
        self,
        input: FinancialHoldInput,
        lms: LmsAccessChange | None,
        library: bool,
        result: FinancialHoldResult,
    ) -> None:
        """Undo in reverse order of doing: library first, then the LMS. A step that cannot be
        undone is reported and the others are still undone."""
        steps: list[tuple[str, Any, Any]] = []
        if library:
            steps.append(("library", LibraryActivities.unrestrict, self._restriction(input)))
        if lms is not None:
            steps.append(("lms", LmsActivities.restore, lms))
        for name, method, arg in steps:
            try:
                await workflow.execute_activity_method(
                    method, arg, start_to_close_timeout=SHORT_CALL, retry_policy=EXTERNAL_CALL
                )
                result.restored.append(name)
            except ActivityError as err:
                result.not_restored[name] = str(err.cause or err)[:500]

    def _restriction(self, input: FinancialHoldInput) -> RestrictionInput:
        return RestrictionInput(
            library=input.library,
            cardnumber=input.student_id,
            hold_key=f"{input.student_id}/{input.hold_type}",
            comment=input.reason,
        )

    async def _notify(
        self, input: FinancialHoldInput, template: str, result: FinancialHoldResult
    ) -> None:
        """Best effort: no email on file, or a mail outage, never undoes a hold."""
        try:
            account = await workflow.execute_activity_method(
                FinanceActivities.account,
                StudentRef(finance=input.finance, student_id=input.student_id),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            )
            if not account.email:
                return
            info = workflow.info()
            sent = await send(
                NotifyInput(
                    message_key=f"{info.workflow_id}/{info.run_id}/{template}",
                    recipient=account.email,
                    template=template,
                    integration=input.comms,
                    values={
                        "name": account.name or input.student_id,
                        "hold_type": input.hold_type,
                        "reason": input.reason or "see the bursar",
                    },
                )
            )
            result.notified.append(f"{template}:{sent.status}")
        except ActivityError as err:
            workflow.logger.warning("hold notification not sent: %s", err.cause or err)
            result.notified.append(f"{template}:failed")

    @workflow.run
    async def run(self, input: FinancialHoldInput) -> FinancialHoldResult:
        result = FinancialHoldResult(student_id=input.student_id, status="lifted")
        lms: LmsAccessChange | None = None
        library_tried = False  # a restriction may exist even if the call then timed out
        try:
            lms = await workflow.execute_activity_method(
                LmsActivities.restrict,
                LmsAccessInput(lms=input.lms, student_id=input.student_id),
                start_to_close_timeout=SHORT_CALL * 4,
                heartbeat_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            )
            result.lms_enrollments_paused = len(lms.enrollment_ids) + (
                1 if lms.moodle_user_id else 0
            )
            library_tried = True
            await workflow.execute_activity_method(
                LibraryActivities.restrict,
                self._restriction(input),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            )
            result.library_restricted = True
        except ActivityError as err:
            self._state = "compensating"
            result.status, result.error = "compensated", str(err.cause or err)[:1000]
            await self._restore(input, lms, library_tried, result)
            self._state = "compensated"
            return result
        self._state = "held"
        await self._notify(input, "financial-hold-placed", result)
        await workflow.wait_condition(lambda: self._lift is not None)
        self._state = "lifting"
        await self._restore(input, lms, True, result)
        await self._notify(input, "financial-hold-lifted", result)
        self._state = "lifted"
        return result
