"""A person's contact details changed somewhere (usually a webhook): push them into the LMS.

Eager-start friendly: one local activity (a single idempotent PUT) so that, on a worker sharing
the starter's client, the whole run completes in one workflow task round trip.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401 - EmailStr validates inside the sandbox; load it once

    from activities.events import EventActivities, EventEnvelope, PublishInput
    from activities.profile import (
        PERSON_ID,
        ProfileActivities,
        ProfileFields,
        UpdateProfileInput,
        UpdateProfileResult,
    )
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE


class ProfileUpdateInput(BaseModel):
    person_id: str = Field(pattern=PERSON_ID, description="the person's SIS id")
    fields: ProfileFields
    integration: str = Field("canvas", pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")


def _event(kind: str, data: dict) -> EventEnvelope:
    info = workflow.info()
    return EventEnvelope(
        id=f"{kind}:{info.workflow_id}:{info.run_id}",  # stable across retries of the publish
        type=kind,
        created_at=workflow.now(),
        data={
            "workflow_id": info.workflow_id,
            "run_id": info.run_id,
            "process": "profile-update",
            **data,
        },
    )


async def _publish(*events: EventEnvelope) -> None:
    await workflow.execute_local_activity_method(
        EventActivities.publish_events,
        PublishInput(events=list(events)),
        start_to_close_timeout=timedelta(seconds=10),
        retry_policy=LOCAL_STORE,
    )


@workflow.defn(name="profile-update")
class ProfileUpdate:
    @workflow.run
    async def run(self, input: ProfileUpdateInput) -> UpdateProfileResult:
        try:
            result = await workflow.execute_local_activity_method(
                ProfileActivities.update_profile,
                UpdateProfileInput(
                    integration=input.integration, person_id=input.person_id, fields=input.fields
                ),
                start_to_close_timeout=timedelta(seconds=15),
                retry_policy=EXTERNAL_CALL,
            )
        except ActivityError as err:
            await _publish(_event("run.failed", {"error": str(err.cause or err)[:500]}))
            raise
        record = {"system": "canvas", "person_id": input.person_id, "fields": result.applied}
        await _publish(_event("record.synced", record), _event("run.completed", {}))
        return result
