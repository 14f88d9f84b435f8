"""SIS Imports through the connector: bad rows reported, good rows kept, 50,000 users round-trip."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx

from connectors.canonical import Person, Role
from connectors.canvas import CanvasClient
from connectors.canvas.sis_csv import USERS_HEADER, build_zip, csv_text


def people(prefix: str, count: int) -> list[Person]:
    stamp = datetime.now(UTC)
    return [
        Person.model_construct(  # trusted test data: skip per-field validation for speed
            source_id=f"{prefix}-{i}",
            username=f"{prefix}.{i}",
            given_name=f"Given{i}",
            family_name=f"Family{i}",
            email=None,
            role=Role.student,
            date_last_modified=stamp,
            preferred_first_name=None,
            identifier=None,
            enabled=True,
            status=Person.model_fields["status"].default,
            org_ids=[],
            phone=None,
        )
        for i in range(count)
    ]


async def test_bad_rows_are_reported_while_good_rows_import(
    canvas: CanvasClient, unique: str
) -> None:
    users = csv_text(
        USERS_HEADER,
        [
            [f"ok-{unique}", "", f"ok.{unique}", "Ok", "Person", "", "", "active"],
            [f"nologin-{unique}", "", "", "No", "Login", "", "", "active"],
            [f"odd-{unique}", "", f"odd.{unique}", "Odd", "Status", "", "", "sleeping"],
        ],
    )
    created = await canvas.create_sis_import(users.encode(), extension="csv")
    assert created.workflow_state in ("created", "importing", "imported_with_messages")
    done = await canvas.wait_sis_import(created.id, poll_interval=0.1, timeout=20)
    assert done.workflow_state == "imported_with_messages"
    assert done.counts["users"] == 1 and done.counts["error_count"] == 2
    assert [f"No login_id given for user nologin-{unique}"] == [
        m for _, m in done.processing_errors[:1]
    ]
    assert all(file == "sis_import.csv" for file, _ in done.processing_errors)
    assert (await canvas.get_user_by_sis_id(f"ok-{unique}")).name == "Ok Person"


async def test_enrollments_zip_with_an_unknown_user(canvas: CanvasClient, unique: str) -> None:
    from connectors.canonical import Class, Enrollment

    stamp = datetime.now(UTC)
    klass = Class(
        source_id=f"K-{unique}",
        title="Physics",
        course_id="PHY",
        school_id="",
        date_last_modified=stamp,
    )
    [student] = people(f"E{unique}", 1)
    enrollments = [
        Enrollment(
            source_id=f"{pid}-{klass.source_id}",
            person_id=pid,
            class_id=klass.source_id,
            school_id="",
            role=Role.student,
            date_last_modified=stamp,
        )
        for pid in (student.source_id, f"ghost-{unique}")
    ]
    data = build_zip(people=[student], classes=[klass], enrollments=enrollments)
    done = await canvas.wait_sis_import(
        (await canvas.create_sis_import(data)).id, poll_interval=0.1, timeout=20
    )
    assert done.workflow_state == "imported_with_messages"
    assert done.data is not None and set(done.data.supplied_batches) == {
        "course",
        "section",
        "user",
        "enrollment",
    }
    assert done.processing_errors == [
        [
            "enrollments.csv",
            f"User not found for enrollment (User ID: ghost-{unique}, Course ID: K-{unique},"
            f" Section ID: K-{unique}, Role: student)",
        ]
    ]
    [enrolled] = [e async for e in canvas.list_course_enrollments(f"sis_course_id:K-{unique}")]
    assert (enrolled.sis_user_id, enrolled.sis_section_id) == (student.source_id, f"K-{unique}")


async def test_fifty_thousand_users_round_trip(
    canvas: CanvasClient, sandbox_url: str, unique: str
) -> None:
    async with httpx.AsyncClient() as control:
        before = (await control.get(f"{sandbox_url}/canvas/_control/counts")).json()["users"][
            "total"
        ]
    started = time.monotonic()
    persons = people(f"P{unique}", 50_000)
    created = await canvas.create_sis_import(build_zip(people=persons))
    done = await canvas.wait_sis_import(created.id, poll_interval=0.25, timeout=60)
    elapsed = time.monotonic() - started
    assert done.workflow_state == "imported", done.processing_errors[:5]
    assert done.counts["users"] == 50_000 and done.progress == 100
    async with httpx.AsyncClient() as control:
        after = (await control.get(f"{sandbox_url}/canvas/_control/counts")).json()["users"][
            "total"
        ]
    assert after - before == 50_000
    for i in (0, 1234, 49_999):
        user = await canvas.get_user_by_sis_id(f"P{unique}-{i}")
        assert (user.name, user.login_id, user.sortable_name) == (
            f"Given{i} Family{i}",
            f"P{unique}.{i}",
            f"Family{i}, Given{i}",
        )
    assert elapsed < 20
