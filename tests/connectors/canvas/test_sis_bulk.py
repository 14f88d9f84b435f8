"""Canonical records in bulk: one SIS Import zip per batch (deactivation concludes or suspends,
never deletes), and Canvas' messages traced back to the records of the batch (for quarantine)."""

from __future__ import annotations

import io
import zipfile

from connectors.canonical.models import Enrollment, Person
from connectors.canvas import CanvasClient
from connectors.canvas.models import SisImport
from connectors.canvas.sis_bulk import SisRow, failures, render_zip

WHEN = "2026-07-01T00:00:00Z"


def enrollment(sid: str, person: str, klass: str) -> SisRow:
    record = Enrollment(
        source_id=sid,
        person_id=person,
        class_id=klass,
        school_id="sch-1",
        role="student",
        date_last_modified=WHEN,
    )  # type: ignore[arg-type]
    return SisRow(record=record)


def test_enrollment_errors_name_the_enrollment_by_user_and_section() -> None:
    items = [enrollment("enr-1", "stu-1", "cls-1"), enrollment("enr-2", "stu-2", "cls-1")]
    result = SisImport(
        id=7,
        workflow_state="imported_with_messages",
        processing_errors=[
            [
                "enrollments.csv",
                "User not found for enrollment (User ID: stu-2, Course ID: cls-1,"
                " Section ID: cls-1, Role: student)",
            ]
        ],
    )
    assert list(failures("enrollments", items, result)) == ["enr-2"]


def test_user_warnings_and_failed_imports() -> None:
    person = Person(
        source_id="stu-9",
        username="x",
        given_name="A",
        family_name="B",
        role="student",
        date_last_modified=WHEN,
    )  # type: ignore[arg-type]
    items = [SisRow(record=person)]
    warned = SisImport(
        id=1,
        workflow_state="imported_with_messages",
        processing_warnings=[
            [
                "users.csv",
                "An existing Canvas user with the login x has already claimed user stu-9's"
                " requested login information, skipping",
            ]
        ],
    )
    assert "claimed" in failures("users", items, warned)["stu-9"]
    failed = SisImport(
        id=2, workflow_state="failed_with_messages", processing_errors=[["x", "broken zip"]]
    )
    assert "broken zip" in failures("users", items, failed)["stu-9"]


def test_deactivation_concludes_instead_of_deleting() -> None:
    item = enrollment("enr-1", "stu-1", "cls-1")
    item.deactivate = True
    with zipfile.ZipFile(io.BytesIO(render_zip("enrollments", [item]))) as archive:
        rows = archive.read("enrollments.csv").decode().splitlines()
    assert rows[1].endswith(",completed") and "deleted" not in rows[1]


async def test_import_records_deactivates_users_by_suspending(
    canvas: CanvasClient, unique: str
) -> None:
    person = Person(
        source_id=f"IR-{unique}",
        username=f"ir-{unique}",
        given_name="Ira",
        family_name="Import",
        role="student",
        date_last_modified=WHEN,
    )  # type: ignore[arg-type]
    started = await canvas.import_records("users", [SisRow(record=person)])
    done = await canvas.wait_sis_import(started.id, poll_interval=0.1, timeout=20)
    assert done.workflow_state == "imported" and failures("users", [], done) == {}
    assert (await canvas.get_user_by_sis_id(f"IR-{unique}")).login_id == f"ir-{unique}"
    suspended = await canvas.import_records("users", [SisRow(record=person, deactivate=True)])
    done = await canvas.wait_sis_import(suspended.id, poll_interval=0.1, timeout=20)
    assert done.workflow_state == "imported", done.processing_errors
