"""Library patron provisioning: every active student and teacher in the SIS has a Koha patron
with the right category and an expiry at the end of their last term; leavers are expired, never
deleted (their loans and fines stay on record); people erased on request (a privacy tombstone)
are not provisioned again. Safe to rerun: each write looks first."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.library import (
        LibraryActivities,
        ProvisionInput,
        ProvisionOutcome,
        Role,
        SisPageInput,
    )
    from workflows.policies import EXTERNAL_CALL, SHORT_CALL

NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"


class LibraryProvisioningInput(BaseModel):
    sis: str = Field("sis", pattern=NAME)
    library: str = Field("library", pattern=NAME)
    school: str | None = Field(
        None, max_length=255, description="a SIS school sourcedId; all if empty"
    )
    library_id: str = Field(
        "CPL", min_length=1, max_length=10, description="home library of new patrons"
    )
    student_category: str = Field("ST", min_length=1, max_length=10)
    teacher_category: str = Field("S", min_length=1, max_length=10)
    page_size: int = Field(100, ge=1, le=500)


class LibraryProvisioningResult(BaseModel):
    expiry: date
    seen: int
    created: int
    updated: int
    unchanged: int
    expired: list[str]
    erased: int = 0  # people erased on request (tombstoned): not provisioned again
    skipped: list[str]  # SIS records without an identifier or a family name
    failed: dict[str, str]  # cardnumber -> why Koha refused it


@workflow.defn(name="library-provisioning")
class LibraryProvisioning:
    @workflow.run
    async def run(self, input: LibraryProvisioningInput) -> LibraryProvisioningResult:
        expiry = await workflow.execute_activity_method(
            LibraryActivities.last_term_end,
            input.sis,
            start_to_close_timeout=SHORT_CALL,
            retry_policy=EXTERNAL_CALL,
        )
        total, skipped, seen = ProvisionOutcome(), [], 0
        categories = {"student": input.student_category, "teacher": input.teacher_category}
        roles: tuple[Role, ...] = ("student", "teacher")
        for role in roles:
            offset: int | None = 0
            while offset is not None:
                page = await workflow.execute_activity_method(
                    LibraryActivities.people_page,
                    SisPageInput(
                        sis=input.sis,
                        role=role,
                        school=input.school,
                        offset=offset,
                        limit=input.page_size,
                    ),
                    start_to_close_timeout=SHORT_CALL,
                    retry_policy=EXTERNAL_CALL,
                )
                skipped += page.skipped
                seen += len(page.people)
                if page.people:
                    outcome = await workflow.execute_activity_method(
                        LibraryActivities.provision,
                        ProvisionInput(
                            library=input.library,
                            people=page.people,
                            library_id=input.library_id,
                            categories=categories,
                            expiry=expiry,
                            today=workflow.now().date(),
                        ),
                        start_to_close_timeout=SHORT_CALL * 10,
                        heartbeat_timeout=SHORT_CALL,
                        retry_policy=EXTERNAL_CALL,
                    )
                    for name in ("created", "updated", "unchanged", "expired", "erased"):
                        getattr(total, name).extend(getattr(outcome, name))
                    total.failed.update(outcome.failed)
                offset = page.next_offset
        return LibraryProvisioningResult(
            expiry=expiry,
            seen=seen,
            created=len(total.created),
            updated=len(total.updated),
            unchanged=len(total.unchanged),
            expired=total.expired,
            erased=len(total.erased),
            skipped=skipped,
            failed=total.failed,
        )
