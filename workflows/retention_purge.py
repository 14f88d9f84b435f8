"""The retention purge of Atrium's own data (atrium/privacy/retention.py), run by the
``privacy-retention`` schedule (workflows/privacy_schedule.py) and on demand."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.privacy_erasure import ErasureActivities, PurgeInput, PurgeResult
    from workflows.policies import LOCAL_STORE, SHORT_CALL


class RetentionPurgeInput(BaseModel):
    pass


@workflow.defn(name="retention-purge")
class RetentionPurge:
    @workflow.run
    async def run(self, input: RetentionPurgeInput) -> PurgeResult:
        return await workflow.execute_activity_method(
            ErasureActivities.purge,
            PurgeInput(),
            start_to_close_timeout=SHORT_CALL * 10,
            retry_policy=LOCAL_STORE,
        )
