"""Reading from Canvas: pages followed to the end, filters, SIS id lookups, typed errors."""

from __future__ import annotations

import pytest

from connectors.canvas import CanvasClient, sis
from connectors.errors import MalformedResponse, NotFound
from tests.connectors.canvas.conftest import RecordingTransport
from tests.sandbox.control import MutableCredentials, injected_faults


async def test_pagination_follows_link_next_to_the_last_page(
    canvas_url: str, canvas_credentials: MutableCredentials
) -> None:
    transport = RecordingTransport()
    async with CanvasClient(canvas_url, canvas_credentials, transport=transport) as client:
        users = [u async for u in client.list_users(per_page=7)]
    ids = [u.id for u in users]
    assert len(ids) == len(set(ids)) >= 40  # the demo seed has 40+ users, no page repeated
    assert len(transport.seen) == -(-len(ids) // 7)  # one call per page of 7, none past the end


async def test_list_users_filters_by_search_term(canvas: CanvasClient) -> None:
    found = [u async for u in canvas.list_users(search_term="U00003")]
    assert [u.sis_user_id for u in found] == ["U00003"]
    assert found[0].email == "u00003@sandbox.edu"


async def test_sis_id_lookups_for_users_courses_and_sections(canvas: CanvasClient) -> None:
    user = await canvas.get_user_by_sis_id("U00002")
    assert user.sis_user_id == "U00002" and user.login_id == "u00002@sandbox.edu"
    course = await canvas.get_course_by_sis_id("C001")
    assert course.sis_course_id == "C001"
    section = await canvas.get_section(sis("section", "C001-S2"))
    assert section.course_id == course.id and section.sis_course_id == "C001"
    sections = [s.sis_section_id async for s in canvas.list_sections(course.id)]
    assert sections == ["C001-S1", "C001-S2"]


async def test_enrollment_lists_filter_by_type_and_state(canvas: CanvasClient) -> None:
    teachers = [
        e
        async for e in canvas.list_course_enrollments(
            "sis_course_id:C002", types=["TeacherEnrollment"]
        )
    ]
    assert len(teachers) == 1 and teachers[0].type == "TeacherEnrollment"
    students = [e async for e in canvas.list_section_enrollments(sis("section", "C002-S1"))]
    assert students and all(e.sis_section_id == "C002-S1" for e in students)
    mine = [e async for e in canvas.list_user_enrollments(teachers[0].user_id)]
    assert any(e.sis_course_id == "C002" for e in mine)


async def test_unknown_sis_id_is_not_found(canvas: CanvasClient) -> None:
    with pytest.raises(NotFound):
        await canvas.get_user_by_sis_id("nobody-has-this-id")


async def test_malformed_records_raise_malformed_response(
    canvas: CanvasClient, sandbox_url: str
) -> None:
    async with injected_faults(sandbox_url, "canvas", malformed_rate=1.0):
        with pytest.raises(MalformedResponse, match="User"):
            async for _ in canvas.list_users():
                pass


async def test_a_canvas_user_maps_to_a_canonical_person(canvas: CanvasClient) -> None:
    from connectors.canvas.mapping import user_to_person

    person = user_to_person(await canvas.get_user_by_sis_id("U00004"))
    assert person is not None
    assert (person.source_id, person.username, person.email) == (
        "U00004",
        "u00004@sandbox.edu",
        "u00004@sandbox.edu",
    )
    assert user_to_person(await canvas.get_user(1)) is None  # the admin is not SIS-managed
