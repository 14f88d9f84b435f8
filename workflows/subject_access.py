"""Data-subject access export: everything every connected system and Atrium hold about one
person, as a zip with a manifest and a per-system report (JSON and CSV), sealed at rest.

Started by ``POST /api/v1/privacy/exports`` (which creates the export's row); downloaded through
``GET /api/v1/privacy/exports/{id}/download``, audited. Each system's section is read and sealed
by its own activity: no personal record passes through this history but the request itself.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.privacy import (
        ATRIUM,
        AssembleInput,
        CollectInput,
        ExportFailedInput,
        IdentifyInput,
        PrivacyActivities,
    )
    from atrium.privacy.subjects import Person
    from workflows.policies import EXTERNAL_CALL, LOCAL_STORE, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"


class SubjectAccessInput(BaseModel):
    export_id: int = Field(ge=1)
    token: str = Field(
        "", pattern=r"^[a-f0-9]{0,32}$", description="makes the run's id unique across databases"
    )
    person: Person
    sis: str | None = Field(None, pattern=NAME, description="the SIS that knows the person")
    connections: list[str] = Field(
        default_factory=list, max_length=20, description="the systems to read (besides Atrium)"
    )


class SubjectAccessResult(BaseModel):
    status: str  # ready | failed
    records: dict[str, dict[str, int]] = Field(default_factory=dict)
    size: int = 0
    sha256: str = ""
    error: str | None = None


@workflow.defn(name="subject-access")
class SubjectAccess:
    @workflow.run
    async def run(self, input: SubjectAccessInput) -> SubjectAccessResult:
        records: dict[str, dict[str, int]] = {}
        try:
            person = await workflow.execute_activity_method(
                PrivacyActivities.identify,
                IdentifyInput(person=input.person, sis=input.sis),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=EXTERNAL_CALL,
            )
            sections = list(
                dict.fromkeys([*([input.sis] if input.sis else []), *input.connections])
            )
            emails = set(person.emails)
            for connection in sections:
                got = await workflow.execute_activity_method(
                    PrivacyActivities.collect,
                    CollectInput(export_id=input.export_id, connection=connection, person=person),
                    start_to_close_timeout=SHORT_CALL * 4,
                    retry_policy=EXTERNAL_CALL,
                )
                records[connection] = got.records
                emails |= set(got.emails)
            everyone = person.model_copy(update={"emails": sorted(emails)})
            own = await workflow.execute_activity_method(
                PrivacyActivities.collect,
                CollectInput(export_id=input.export_id, connection=ATRIUM, person=everyone),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=LOCAL_STORE,
            )
            records[ATRIUM] = own.records
            done = await workflow.execute_activity_method(
                PrivacyActivities.assemble,
                AssembleInput(export_id=input.export_id),
                start_to_close_timeout=SHORT_CALL * 2,
                retry_policy=LOCAL_STORE,
            )
        except ActivityError as exc:
            error = str(exc.cause or exc)[:1000]
            await workflow.execute_activity_method(
                PrivacyActivities.failed,
                ExportFailedInput(export_id=input.export_id, error=error),
                start_to_close_timeout=SHORT_CALL,
                retry_policy=LOCAL_STORE,
            )
            return SubjectAccessResult(status="failed", records=records, error=error)
        return SubjectAccessResult(
            status="ready", records=records, size=done.size, sha256=done.sha256
        )
