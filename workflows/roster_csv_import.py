"""Roster sync from OneRoster CSV packages: the SIS's SFTP drop, polled, or one uploaded package.

Each package is received once (by source, name and SHA-256), read and staged; a package that
fails validation is filed under ``rejected/`` with its report and synced nowhere. A good one is
synced into each target LMS by a ``roster-sync`` child reading that package (a bulk package as a
full sync, so what it lacks is deactivated behind the mass-deletion guard; a delta one as an
incremental sync), then filed under ``processed/`` with a report of what each sync did. A package
whose sync could not finish stays in the drop and is taken up again by the next poll.

With ``every_minutes`` the run sleeps, then continues as new: one polling run per SIS for as long
as the school wants it (the workflow id is the business key, so a second start joins it), as the
samples-python ``polling/periodic_sequence`` pattern does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ChildWorkflowError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from activities.sync.csv_source import (
        CsvSourceActivities,
        DropRef,
        FileInput,
        FinishInput,
        Received,
    )
    from atrium.temporal import INTEGRATION, PROCESS, SUBJECT
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL
    from workflows.roster_sync import NAME, RosterSync, RosterSyncInput, RosterSyncResult

STAGE_CALL = timedelta(minutes=30)


class CsvTarget(BaseModel):
    integration: str = Field(pattern=NAME, max_length=63, description="the LMS written to")
    target_system: Literal["canvas", "moodle"] = "canvas"


class RosterCsvImportInput(BaseModel):
    source: str = Field(
        pattern=NAME, max_length=63, description="the OneRoster SIS connection (source=csv)"
    )
    targets: list[CsvTarget] = Field(min_length=1, max_length=8)
    package: int | None = Field(
        None, ge=1, description="an uploaded package to process; none: poll the SFTP drop"
    )
    every_minutes: int | None = Field(
        None, ge=1, le=1440, description="poll the drop again after this long (none: once)"
    )
    page_size: int = Field(5000, ge=1, le=50_000)
    max_delete_share: float = Field(0.2, ge=0.0, le=1.0)


class PackageOutcome(BaseModel):
    name: str
    package: int
    outcome: str  # processed | rejected | duplicate | waiting (a sync did not finish)
    problem_count: int = 0
    syncs: dict[str, dict[str, object]] = Field(default_factory=dict)


class RosterCsvImportResult(BaseModel):
    packages: list[PackageOutcome] = Field(default_factory=list)


@workflow.defn(name="roster-csv-import")
class RosterCsvImport:
    @workflow.run
    async def run(self, input: RosterCsvImportInput) -> RosterCsvImportResult:
        result = RosterCsvImportResult()
        if input.package is not None:
            received = await workflow.execute_activity_method(
                CsvSourceActivities.stage_upload,
                input.package,
                start_to_close_timeout=STAGE_CALL,
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=LOCAL_STORE,
            )
            result.packages.append(await self._process(input, received, drop_name=None))
            return result
        names = await workflow.execute_activity_method(
            CsvSourceActivities.list_drop,
            input.source,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        for name in names:
            received = await workflow.execute_activity_method(
                CsvSourceActivities.receive_drop,
                DropRef(source=input.source, name=name),
                start_to_close_timeout=STAGE_CALL,
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=EXTERNAL_CALL,
            )
            result.packages.append(await self._process(input, received, drop_name=name))
        if input.every_minutes:
            await workflow.sleep(timedelta(minutes=input.every_minutes))
            workflow.continue_as_new(input)
        return result

    async def _process(
        self, input: RosterCsvImportInput, received: Received, drop_name: str | None
    ) -> PackageOutcome:
        outcome = PackageOutcome(
            name=received.name, package=received.package, outcome=received.status
        )
        outcome.problem_count = received.problem_count
        if received.duplicate:
            outcome.outcome = "duplicate"
            first = received.status  # filed where the first copy went
            await self._file(input, drop_name, received, first, outcome, duplicate=True)
            return outcome
        if received.status == "rejected":
            await self._file(input, drop_name, received, "rejected", outcome)
            return outcome
        for target in input.targets:
            outcome.syncs[target.integration] = await self._sync(input, target, received)
        if any(s.get("status") != "completed" for s in outcome.syncs.values()):
            outcome.outcome = "waiting"  # left in the drop (or staged): the next run resumes
            return outcome
        await workflow.execute_activity_method(
            CsvSourceActivities.finish,
            FinishInput(package=received.package, status="processed"),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        outcome.outcome = "processed"
        await self._file(input, drop_name, received, "processed", outcome)
        return outcome

    async def _sync(
        self, input: RosterCsvImportInput, target: CsvTarget, received: Received
    ) -> dict[str, object]:
        sync = RosterSyncInput(
            integration=target.integration,
            source=input.source,
            target_system=target.target_system,
            mode="full" if received.mode == "bulk" else "incremental",
            page_size=input.page_size,
            max_delete_share=input.max_delete_share,
            package=received.package,
        )
        try:
            done: RosterSyncResult = await workflow.execute_child_workflow(
                RosterSync.run,
                sync,
                # the roster-sync business key: never two syncs into one LMS at once
                id=f"roster-sync-{target.integration}",
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(PROCESS, "roster-sync"),
                        SearchAttributePair(INTEGRATION, target.integration),
                        SearchAttributePair(SUBJECT, input.source),
                    ]
                ),
            )
        except WorkflowAlreadyStartedError:
            return {"status": "busy", "detail": "another roster sync into it is running"}
        except ChildWorkflowError as exc:
            return {"status": "failed", "detail": str(exc.cause or exc)[:500]}
        return {
            "status": "completed",
            "totals": {k: v.model_dump() for k, v in done.totals.items()},
            "deletions_pending": done.deletions_pending,
            "deletions_approved": done.deletions_approved,
        }

    async def _file(
        self,
        input: RosterCsvImportInput,
        drop_name: str | None,
        received: Received,
        status: str,
        outcome: PackageOutcome,
        *,
        duplicate: bool = False,
    ) -> None:
        if status == "rejected" and not duplicate:
            await workflow.execute_activity_method(
                CsvSourceActivities.finish,
                FinishInput(package=received.package, status="rejected"),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=LOCAL_STORE,
            )
        if drop_name is None:  # an upload: its report is the package's row in the store
            return
        await workflow.execute_activity_method(
            CsvSourceActivities.file_drop,
            FileInput(
                source=input.source,
                name=drop_name,
                package=received.package,
                outcome=status,
                again_as=workflow.info().run_id,
                duplicate=duplicate,
                syncs=outcome.syncs,
            ),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
