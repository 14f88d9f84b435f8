"""Library patron provisioning from the SIS (OneRoster) into Koha, on the real Temporal server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from connectors.credentials import static_credentials
from connectors.koha import KohaClient
from connectors.oneroster.client import OneRosterClient
from tests.sandbox.control import credentials_of
from tests.workflows.conftest import Campus, unique
from workflows.library_provisioning import (
    LibraryProvisioning,
    LibraryProvisioningInput,
    LibraryProvisioningResult,
)

SCHOOL = "sch-0002"
LAST_TERM_END = date(2027, 5, 28)  # the sandbox SIS's spring term


@asynccontextmanager
async def leaver(sandbox_url: str, sourced_id: str) -> AsyncIterator[None]:
    """Mark one SIS user as deleted (a student who left), then put them back."""
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/oneroster/_control") as http:
        body = {"collection": "users", "sourcedIds": [sourced_id]}
        (await http.post("/mutate", json={**body, "status": "tobedeleted"})).raise_for_status()
        try:
            yield
        finally:
            await http.post("/mutate", json={**body, "status": "active"})


async def _run(
    client: Client, worker: Worker, input: LibraryProvisioningInput
) -> LibraryProvisioningResult:
    return await client.execute_workflow(
        LibraryProvisioning.run,
        input,
        id=unique("library-provisioning-test-"),
        task_queue=worker.task_queue,
        execution_timeout=timedelta(seconds=120),
    )


async def test_every_active_person_gets_a_patron_and_leavers_expire(
    campus: Campus, temporal_client: Client, worker: Worker
) -> None:
    async with OneRosterClient(
        f"{campus.sandbox_url}/oneroster",
        static_credentials(await credentials_of(campus.sandbox_url, "oneroster")),
    ) as sis:
        # Active ones: the sandbox is the session's, and other tests mark random people as left.
        active = "status='active'"
        school = ("schools", SCHOOL)
        students = (await sis.page("students", parent=school, limit=2, filter=active)).records
        teacher = (await sis.page("teachers", parent=school, limit=1, filter=active)).records[0]
    stays, leaves = students
    input = LibraryProvisioningInput(sis=campus.sis, library=campus.library, school=SCHOOL)

    first = await _run(temporal_client, worker, input)
    assert first.expiry == LAST_TERM_END and first.failed == {} and first.skipped == []
    assert first.seen > 100 and first.created + first.updated + first.unchanged == first.seen

    async with KohaClient(
        f"{campus.sandbox_url}/koha",
        static_credentials(await credentials_of(campus.sandbox_url, "koha")),
    ) as koha:
        student = await koha.find_patron_by_cardnumber(str(stays.identifier))
        staff = await koha.find_patron_by_cardnumber(str(teacher.identifier))
        assert student is not None and staff is not None
        assert (student.category_id, student.expiry_date, student.userid) == (
            "ST",
            LAST_TERM_END,
            stays.username,
        )
        assert (staff.category_id, staff.expiry_date) == ("S", LAST_TERM_END)

        async with leaver(campus.sandbox_url, leaves.sourced_id):
            second = await _run(temporal_client, worker, input)
        # Nothing is created twice; only the leaver changes, and is expired rather than deleted.
        assert (second.created, second.updated, second.expired) == (0, 0, [leaves.identifier])
        assert second.unchanged == first.seen - 1
        gone = await koha.find_patron_by_cardnumber(str(leaves.identifier))
        assert (
            gone is not None and gone.expiry_date is not None and gone.expiry_date < LAST_TERM_END
        )
