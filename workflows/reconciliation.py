"""Reconciliation: report drift between the SIS and the LMS without writing; with ``repair`` the
drifted records are handed to a roster sync (a child run) that rewrites them."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.sync.reconcile import Drift, ForgetInput, ReconcileActivities, ReconcileInput
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL
    from workflows.roster_sync import RosterSync, RosterSyncInput

NAME = r"^[a-z0-9][a-z0-9._-]*$"
RECONCILE_ATTEMPT = timedelta(hours=6)  # a backstop: the heartbeat timeout finds a lost worker


class ReconciliationInput(BaseModel):
    integration: str = Field(pattern=NAME, max_length=63, description="the LMS compared")
    source: str = Field(pattern=NAME, max_length=63, description="the OneRoster SIS")
    record_types: list[str] = Field(default_factory=lambda: ["users", "enrollments"])
    repair: bool = False


class ReconciliationResult(BaseModel):
    drift: list[Drift]
    repair_run: str | None = None


@workflow.defn(name="reconciliation")
class Reconciliation:
    @workflow.run
    async def run(self, input: ReconciliationInput) -> ReconciliationResult:
        drift = []
        for record_type in input.record_types:
            drift.append(
                await workflow.execute_activity_method(
                    ReconcileActivities.reconcile,
                    ReconcileInput(
                        source=input.source, target=input.integration, record_type=record_type
                    ),
                    # One Canvas listing per section: 40,000 at 1M enrollments, ~35 min at the
                    # default outbound rate (20/s). A lost worker is found by the heartbeat, and
                    # the retry resumes from the last checkpoint (activities/sync/reconcile.py).
                    start_to_close_timeout=RECONCILE_ATTEMPT,
                    heartbeat_timeout=timedelta(seconds=60),
                    retry_policy=EXTERNAL_CALL,
                )
            )
        result = ReconciliationResult(drift=drift)
        to_fix = {d.record_type: d.missing + [x.source_id for x in d.different] for d in drift}
        if not input.repair or not any(to_fix.values()):
            return result
        for record_type, ids in to_fix.items():
            await workflow.execute_activity_method(
                ReconcileActivities.forget,
                ForgetInput(target=input.integration, record_type=record_type, source_ids=ids),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=LOCAL_STORE,
            )
        child = f"roster-sync-{input.integration}-repair-{workflow.info().run_id[:8]}"
        await workflow.execute_child_workflow(
            RosterSync.run,
            RosterSyncInput(integration=input.integration, source=input.source, mode="full"),
            id=child,
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
        result.repair_run = child
        return result
