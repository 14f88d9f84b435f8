"""Backfill / historical migration: a resumable full copy of a whole institution.

Pages are copied in order, a few at a time; after ``pages_per_run`` pages the run continues as
new with its checkpoint (phase, record type, offset) so the history stays small however many
pages there are, and a crash at any moment resumes from the last checkpoint. The idempotency
prefix is fixed by the first run, so pages redone after a crash are no-ops in the target.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.sync.contracts import PageInput, PageResult, PlanInput, PlanResult
    from activities.sync.roster import RosterActivities
    from workflows.policies import EXTERNAL_CALL, SHORT_CALL
    from workflows.roster_sync import PHASES, run_pages

NAME = r"^[a-z0-9][a-z0-9._-]*$"


class Checkpoint(BaseModel):
    type_index: int = 0
    offset: int = 0


class BackfillInput(BaseModel):
    integration: str = Field(pattern=NAME, max_length=63)
    source: str = Field(pattern=NAME, max_length=63)
    target_system: Literal["canvas", "moodle"] = "canvas"
    page_size: int = Field(5000, ge=1, le=50_000)
    concurrency: int = Field(3, ge=1, le=16)
    pages_per_run: int = Field(50, ge=1, le=1000)
    # Carried across continue-as-new; not for callers.
    checkpoint: Checkpoint = Field(default_factory=Checkpoint)
    run_key: str | None = None
    copied: int = 0
    runs: int = 0
    totals: dict[str, int] | None = None


class BackfillResult(BaseModel):
    copied: int
    runs: int


@workflow.defn(name="backfill")
class Backfill:
    def __init__(self) -> None:
        self.checkpoint = Checkpoint()

    @workflow.query(name="checkpoint")
    def current_checkpoint(self) -> Checkpoint:
        return self.checkpoint

    @workflow.run
    async def run(self, input: BackfillInput) -> BackfillResult:
        info = workflow.info()
        run_key = input.run_key or f"{info.workflow_id}:{info.run_id}"
        types = [t for phase in PHASES[input.target_system] for t in phase]
        totals = input.totals
        if totals is None:
            plan: PlanResult = await workflow.execute_activity_method(
                RosterActivities.plan,
                PlanInput(source=input.source, target=input.integration, record_types=types),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            )
            totals = plan.totals
        self.checkpoint = input.checkpoint.model_copy()
        copied, budget = input.copied, input.pages_per_run
        while self.checkpoint.type_index < len(types) and budget > 0:
            kind = types[self.checkpoint.type_index]
            offsets = list(range(self.checkpoint.offset, totals[kind], input.page_size))
            batch = offsets[: min(budget, input.concurrency)]
            if not batch:
                self.checkpoint = Checkpoint(type_index=self.checkpoint.type_index + 1)
                continue
            jobs = [
                PageInput(
                    run=run_key,
                    source=input.source,
                    target=input.integration,
                    record_type=kind,
                    offset=o,
                    limit=input.page_size,
                    full=False,
                    bulk=True,
                )
                for o in batch
            ]
            done: list[PageResult] = []
            await run_pages(jobs, input.concurrency, timedelta(seconds=60), done.append)
            copied += sum(p.created + p.updated + p.unchanged for p in done)
            budget -= len(batch)
            self.checkpoint = Checkpoint(
                type_index=self.checkpoint.type_index, offset=batch[-1] + input.page_size
            )
        if self.checkpoint.type_index >= len(types):
            return BackfillResult(copied=copied, runs=input.runs + 1)
        workflow.continue_as_new(
            input.model_copy(
                update={
                    "checkpoint": self.checkpoint,
                    "run_key": run_key,
                    "copied": copied,
                    "runs": input.runs + 1,
                    "totals": totals,
                }
            )
        )
