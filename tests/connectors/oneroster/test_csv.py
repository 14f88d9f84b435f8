"""CSV: the emulator's export read back by the reader (packages as schools send them are in
test_csv_packages.py)."""

from __future__ import annotations

import time

from connectors import canonical
from connectors.oneroster import CsvRoster, OneRosterClient, read_csv_zip
from tests.connectors.oneroster.conftest import mutate


def _clean(roster: CsvRoster) -> None:
    """No row refused; tolerated: 1.1's role administrator in the emulator's roles.csv."""
    assert roster.report.errors == [] and roster.report.of("waiting") == []
    odd = {(i.file, i.column_name, i.value) for i in roster.issues}
    assert odd <= {("roles.csv", "role", "administrator")}


async def test_bulk_export_round_trips_through_the_reader(oneroster: OneRosterClient) -> None:
    roster = read_csv_zip(await oneroster.download_csv())
    _clean(roster)
    assert roster.mode("enrollments") == "bulk" and roster.mode("lineItems") == "absent"
    active_users = (await oneroster.page("users", limit=1, filter="status='active'")).total
    active_enrollments = await oneroster.page("enrollments", limit=1, filter="status='active'")
    assert len(roster.persons) == active_users
    assert len(roster.enrollments) == active_enrollments.total
    assert len(roster.classes) == 60 and len(roster.orgs) == 3
    student = next(p for p in roster.persons if p.source_id == "stu-0000001")
    api = await oneroster.get("users", "stu-0000001")
    assert (student.given_name, student.email) == (api.given_name, api.email)
    assert student.role == canonical.Role.student


async def test_delta_export_carries_changes_and_tombstones(
    oneroster: OneRosterClient, sandbox_url: str
) -> None:
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    gone = await mutate(
        sandbox_url, collection="users", count=2, status="tobedeleted", filter="role='teacher'"
    )
    roster = read_csv_zip(await oneroster.download_csv(since=since))
    _clean(roster)
    assert roster.mode("users") == "delta" and roster.mode("courses") == "absent"
    by_id = {p.source_id: p for p in roster.persons}
    assert set(gone["sourcedIds"]) <= set(by_id)
    assert all(by_id[s].status == canonical.Status.tobedeleted for s in gone["sourcedIds"])
