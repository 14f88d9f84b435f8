"""The bursar's nightly holds batch: read each CSV from SFTP, quarantine the lines that cannot be
used, start one ``financial-hold`` run per ``place`` line (it outlives the batch), signal ``lift``
to the run of each ``lift`` line, then acknowledge the file (idempotent: a rerun finds it done)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.finance import BatchRef, FinanceActivities, QuarantineInput
    from connectors.finance.models import HoldInstruction
    from workflows.financial_hold import (
        FinancialHold,
        FinancialHoldInput,
        LiftHold,
        hold_workflow_id,
    )
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
KNOWN_TYPES = {"registration", "transcript", "graduation", "library", "financial"}


class HoldBatchInput(BaseModel):
    finance: str = Field("finance", pattern=NAME)
    lms: str = Field("canvas", pattern=NAME)
    library: str = Field("library", pattern=NAME)
    comms: str = Field("comms", pattern=NAME)
    file: str | None = Field(
        None, pattern=r"^holds-\d{8}\.csv$", description="one file; all if empty"
    )


class FileReport(BaseModel):
    file: str
    placed: list[str] = Field(default_factory=list)  # workflow ids started
    already_held: list[str] = Field(default_factory=list)
    lifted: list[str] = Field(default_factory=list)
    nothing_to_lift: list[str] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list)  # "file:line[:column]: why"
    quarantined: int = 0
    already_acknowledged: bool = False


class HoldBatchResult(BaseModel):
    files: list[FileReport]


@workflow.defn(name="financial-hold-batch")
class FinancialHoldBatch:
    @workflow.run
    async def run(self, input: HoldBatchInput) -> HoldBatchResult:
        files = (
            [input.file]
            if input.file
            else await workflow.execute_activity_method(
                FinanceActivities.list_batches,
                input.finance,
                start_to_close_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            )
        )
        return HoldBatchResult(files=[await self._file(input, name) for name in files])

    async def _file(self, input: HoldBatchInput, name: str) -> FileReport:
        batch = await workflow.execute_activity_method(
            FinanceActivities.fetch_batch,
            BatchRef(finance=input.finance, file=name),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        report = FileReport(file=name, rejected=[str(e) for e in batch.errors])
        good = []
        for line in batch.instructions:
            if line.hold_type in KNOWN_TYPES:
                good.append(line)
            else:  # the CSV parser accepts any type; the hold process knows five
                report.rejected.append(
                    f"{name}:{line.line}:2: unknown hold_type {line.hold_type!r}"
                )
        store = QuarantineInput(
            finance=input.finance, batch=batch, run_id=f"{name}@{batch.sha256[:16]}"
        )
        report.quarantined = await workflow.execute_activity_method(
            FinanceActivities.quarantine,
            store,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        for line in good:
            await (
                self._place(input, line, report)
                if line.action == "place"
                else self._lift(line, report)
            )
        ack = await workflow.execute_activity_method(
            FinanceActivities.acknowledge,
            store,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        report.already_acknowledged = ack.already_acknowledged
        return report

    async def _place(
        self, input: HoldBatchInput, line: HoldInstruction, report: FileReport
    ) -> None:
        child_id = hold_workflow_id(line.student_id, line.hold_type)
        hold = FinancialHoldInput(
            student_id=line.student_id,
            hold_type=line.hold_type,  # type: ignore[arg-type]
            reason=line.reason,
            source=f"{line.file}:{line.line}",
            finance=input.finance,
            lms=input.lms,
            library=input.library,
            comms=input.comms,
        )
        try:
            await workflow.start_child_workflow(
                FinancialHold.run, hold, id=child_id, parent_close_policy=ParentClosePolicy.ABANDON
            )
            report.placed.append(child_id)
        except (
            WorkflowAlreadyStartedError
        ):  # the hold is already in force (or a rerun of this batch)
            report.already_held.append(child_id)

    async def _lift(self, line: HoldInstruction, report: FileReport) -> None:
        target = hold_workflow_id(line.student_id, line.hold_type)
        try:
            await workflow.get_external_workflow_handle(target).signal(
                FinancialHold.lift, LiftHold(reason=line.reason, source=f"{line.file}:{line.line}")
            )
            report.lifted.append(target)
        except ApplicationError:  # no hold run: Atrium never paused anything for it
            report.nothing_to_lift.append(target)
