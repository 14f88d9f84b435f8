"""Grade passback LMS -> SIS (Canvas or Moodle -> OneRoster gradebook: categories, score scales,
line items and results), one activity per class."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.sync.grades import GradeActivities, PassbackInput, PassbackResult
    from workflows.policies import EXTERNAL_CALL

NAME = r"^[a-z0-9][a-z0-9._-]*$"


class GradePassbackInput(BaseModel):
    lms: str = Field(pattern=NAME, max_length=63, description="a Canvas or Moodle connection")
    sis: str = Field(pattern=NAME, max_length=63, description="the OneRoster gradebook")
    class_ids: list[str] = Field(min_length=1, max_length=2000)
    concurrency: int = Field(4, ge=1, le=16)


class GradePassbackResult(BaseModel):
    classes: int
    line_items: int
    results: int
    categories: int = 0
    score_scales: int = 0


@workflow.defn(name="grade-passback")
class GradePassback:
    @workflow.run
    async def run(self, input: GradePassbackInput) -> GradePassbackResult:
        gate = asyncio.Semaphore(input.concurrency)

        async def one(class_id: str) -> PassbackResult:
            async with gate:
                return await workflow.execute_activity_method(
                    GradeActivities.passback_class,
                    PassbackInput(lms=input.lms, sis=input.sis, class_id=class_id),
                    start_to_close_timeout=timedelta(minutes=10),
                    heartbeat_timeout=timedelta(seconds=60),
                    retry_policy=EXTERNAL_CALL,
                )

        done = await asyncio.gather(*(one(c) for c in input.class_ids))
        return GradePassbackResult(
            classes=len(done),
            line_items=sum(d.line_items for d in done),
            results=sum(d.results for d in done),
            categories=sum(d.categories for d in done),
            score_scales=sum(d.score_scales for d in done),
        )
