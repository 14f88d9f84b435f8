"""Roster sync SIS -> LMS (OneRoster -> Canvas or Moodle), full or incremental.

Pages move through activities a few at a time (page coordinates in, counts out: the history
stays small however big the school). Deletions are applied last, in reverse dependency order,
and only after the mass-deletion guard: a run that would deactivate more than
``max_delete_share`` of what it manages waits for the ``approve-deletions`` signal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.sync.contracts import (
        CursorInput,
        DeletionCount,
        DeletionCountInput,
        DeletionPageInput,
        PageInput,
        PageResult,
        PlanInput,
        PlanResult,
    )
    from activities.sync.roster import RosterActivities
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]*$"
PHASES: dict[str, list[list[str]]] = {
    "canvas": [["orgs", "academicSessions"], ["classes", "users"], ["enrollments"]],
    "moodle": [["classes", "users"], ["enrollments"]],
}
PAGE_CALL = timedelta(minutes=30)


class RosterSyncInput(BaseModel):
    integration: str = Field(pattern=NAME, max_length=63, description="the LMS written to")
    source: str = Field(pattern=NAME, max_length=63, description="the OneRoster SIS read from")
    target_system: Literal["canvas", "moodle"] = "canvas"
    mode: Literal["full", "incremental"] = "full"
    page_size: int = Field(5000, ge=1, le=50_000)
    concurrency: int = Field(3, ge=1, le=16)
    bulk_threshold: int = Field(200, ge=0, description="more changes than this go in bulk")
    max_delete_share: float = Field(0.2, ge=0.0, le=1.0)
    mappings: dict[str, str] = Field(default_factory=dict)
    heartbeat_seconds: int = Field(60, ge=2, le=600, description="a silent page is retried after")
    package: int | None = Field(
        None, ge=1, description="for a CSV source: the staged package to read (default: newest)"
    )


class ApproveDeletions(BaseModel):
    approve: bool = True
    by: str = Field("administrator", max_length=255)


class TypeTotals(BaseModel):
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    quarantined: int = 0


class RosterSyncResult(BaseModel):
    mode: str
    totals: dict[str, TypeTotals]
    deletions_pending: int = 0
    deletions_share: float = 0.0
    deletions_approved: bool | None = None


class RosterSyncStatus(BaseModel):
    phase: str
    pages_done: int
    pages_total: int
    awaiting_approval: bool
    deletions_pending: int


async def run_pages(
    jobs: list[PageInput],
    concurrency: int,
    heartbeat: timedelta,
    done: Callable[[PageResult], None],
) -> None:
    """Run the pages, ``concurrency`` at a time; ``done`` sees each result as it arrives."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: PageInput) -> None:
        async with gate:
            page = await workflow.execute_activity_method(
                RosterActivities.sync_page,
                job,
                start_to_close_timeout=PAGE_CALL,
                heartbeat_timeout=heartbeat,
                retry_policy=EXTERNAL_CALL,
            )
        done(page)

    await asyncio.gather(*(one(job) for job in jobs))


@workflow.defn(name="roster-sync")
class RosterSync:
    def __init__(self) -> None:
        self.phase = "planning"
        self.pages_done = 0
        self.pages_total = 0
        self.pending = 0
        self.awaiting = False
        self.decision: ApproveDeletions | None = None

    @workflow.signal(name="approve-deletions")
    def approve_deletions(self, answer: ApproveDeletions) -> None:
        self.decision = answer

    @workflow.query(name="status")
    def status(self) -> RosterSyncStatus:
        return RosterSyncStatus(
            phase=self.phase,
            pages_done=self.pages_done,
            pages_total=self.pages_total,
            awaiting_approval=self.awaiting,
            deletions_pending=self.pending,
        )

    @workflow.run
    async def run(self, input: RosterSyncInput) -> RosterSyncResult:
        info = workflow.info()
        run_key = f"{info.workflow_id}:{info.run_id}"
        full = input.mode == "full"
        phases = PHASES[input.target_system]
        types = [t for phase in phases for t in phase]
        plan: PlanResult = await workflow.execute_activity_method(
            RosterActivities.plan,
            PlanInput(
                source=input.source,
                target=input.integration,
                record_types=types,
                incremental=not full,
                package=input.package,
            ),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        changes = sum(plan.totals.values())
        bulk = full or changes > input.bulk_threshold
        self.pages_total = sum(-(-n // input.page_size) for n in plan.totals.values())
        totals = {t: TypeTotals() for t in types}
        newest: dict[str, str] = {}
        for phase in phases:
            self.phase = "+".join(phase)
            jobs = [
                PageInput(
                    run=run_key,
                    source=input.source,
                    target=input.integration,
                    record_type=t,
                    offset=offset,
                    limit=input.page_size,
                    filter=plan.filters.get(t),
                    full=full,
                    bulk=bulk,
                    mappings=input.mappings,
                    package=plan.package,
                )
                for t in phase
                for offset in range(0, plan.totals[t], input.page_size)
            ]

            def done(page: PageResult) -> None:
                self.pages_done += 1
                add(totals[page.record_type], page)
                if page.max_modified and page.max_modified > newest.get(page.record_type, ""):
                    newest[page.record_type] = page.max_modified

            heartbeat = timedelta(seconds=input.heartbeat_seconds)
            await run_pages(jobs, input.concurrency, heartbeat, done)
        result = RosterSyncResult(mode=input.mode, totals=totals)
        await self._deletions(input, run_key, types, full, bulk, result)
        if newest:
            await workflow.execute_activity_method(
                RosterActivities.advance_cursors,
                CursorInput(target=input.integration, moved=newest),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=LOCAL_STORE,
            )
        self.phase = "done"
        return result

    async def _deletions(
        self,
        input: RosterSyncInput,
        run_key: str,
        types: list[str],
        full: bool,
        bulk: bool,
        result: RosterSyncResult,
    ) -> None:
        self.phase = "deletions"
        count: DeletionCount = await workflow.execute_activity_method(
            RosterActivities.count_deletions,
            DeletionCountInput(
                run=run_key, target=input.integration, record_types=types, full=full
            ),
            start_to_close_timeout=SHORT_CALL,
            retry_policy=LOCAL_STORE,
        )
        self.pending = result.deletions_pending = sum(count.pending.values())
        result.deletions_share = round(count.share, 4)
        if not self.pending:
            return
        if count.share > input.max_delete_share:
            self.awaiting = True
            workflow.logger.warning(
                "mass deletion guard: %d records (%.1f%%) wait for approval",
                self.pending,
                100 * count.share,
            )
            await workflow.wait_condition(lambda: self.decision is not None)
            self.awaiting = False
            assert self.decision is not None
            result.deletions_approved = self.decision.approve
            if not self.decision.approve:
                return
        for record_type in reversed(types):
            after: str | None = ""
            while after is not None:
                page = await workflow.execute_activity_method(
                    RosterActivities.deactivate_page,
                    DeletionPageInput(
                        run=run_key,
                        target=input.integration,
                        source=input.source,
                        record_type=record_type,
                        full=full,
                        after=after,
                        limit=input.page_size,
                        bulk=bulk,
                    ),
                    start_to_close_timeout=PAGE_CALL,
                    heartbeat_timeout=timedelta(seconds=input.heartbeat_seconds),
                    retry_policy=EXTERNAL_CALL,
                )
                result.totals[record_type].deactivated += page.deactivated
                result.totals[record_type].quarantined += page.quarantined
                after = page.next_after


def add(total: TypeTotals, page: PageResult) -> None:
    total.fetched += page.fetched
    total.created += page.created
    total.updated += page.updated
    total.unchanged += page.unchanged
    total.quarantined += page.quarantined
