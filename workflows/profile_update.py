"""A person's contact details changed somewhere (usually a webhook): push them into the LMS.

Eager-start friendly: one local activity (a single idempotent PUT) so that, on a worker sharing
the starter's client, the whole run completes in one workflow task round trip. It runs outside
Temporal's sandbox: building a sandboxed instance re-imports the module for every run, about a
third of the run's cost in the worker (bench/README.md), and this code (one local activity,
workflow.now() and workflow.info() only) has nothing the sandbox would catch.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401 - EmailStr validates inside the sandbox; load it once

    from activities.profile import (
        PERSON_ID,
        ProfileActivities,
        ProfileFields,
        UpdateProfileInput,
        UpdateProfileResult,
    )
    from workflows.policies import EXTERNAL_CALL

from workflows.announce import announce, event


class ProfileUpdateInput(BaseModel):
    person_id: str = Field(pattern=PERSON_ID, description="the person's SIS id")
    fields: ProfileFields
    integration: str = Field("canvas", pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")


@workflow.defn(name="profile-update", sandboxed=False)
class ProfileUpdate:
    @workflow.run
    async def run(self, input: ProfileUpdateInput) -> UpdateProfileResult:
        result = await workflow.execute_local_activity_method(
            ProfileActivities.update_profile,
            UpdateProfileInput(
                integration=input.integration, person_id=input.person_id, fields=input.fields
            ),
            start_to_close_timeout=timedelta(seconds=15),
            retry_policy=EXTERNAL_CALL,
        )
        record = {"system": "canvas", "person_id": input.person_id, "fields": result.applied}
        await announce(event("record.synced", record))  # run.completed: workflows/announce.py
        return result
