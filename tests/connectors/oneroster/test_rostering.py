"""Reading the roster: pagination, filters, sort, fields, nested routes, errors, mapping."""

from __future__ import annotations

import time

import pytest

from connectors import canonical
from connectors.errors import InvalidRequest, MalformedResponse, NotFound
from connectors.oneroster import OneRosterClient, models
from connectors.oneroster.mapping import to_canonical
from connectors.oneroster.pages import page_records
from tests.connectors.oneroster.conftest import CountingTransport, mutate, vault_like


async def test_pagination_follows_links_to_the_end(oneroster_url: str, sandbox_url: str) -> None:
    transport = CountingTransport()
    async with OneRosterClient(
        oneroster_url, vault_like(sandbox_url), transport=transport
    ) as client:
        first = await client.page("enrollments", limit=400)
        ids = [e.sourced_id async for e in client.iter_enrollments(page_size=400)]
    assert first.total == 1560 and first.next_offset == 400
    assert len(ids) == first.total == len(set(ids))
    assert transport.count("/enrollments") == 1 + 4  # the probe page, then ceil(1560 / 400)


async def test_last_page_has_no_next(oneroster: OneRosterClient) -> None:
    page = await oneroster.page("enrollments", offset=1500, limit=100)
    assert len(page.records) == 60 and page.next_offset is None


async def test_filter_equality_and_and(oneroster: OneRosterClient) -> None:
    teachers = [e async for e in oneroster.iter_enrollments(filter="role='teacher'")]
    assert len(teachers) == 60 and all(e.role == "teacher" for e in teachers)
    one_class = "role='student' AND class.sourcedId='cls-000001'"
    students = [e async for e in oneroster.iter_enrollments(filter=one_class)]
    assert len(students) == 25
    assert {e.class_.sourced_id for e in students if e.class_} == {"cls-000001"}


async def test_filter_or_and_contains(oneroster: OneRosterClient) -> None:
    either = "sourcedId='stu-0000001' OR sourcedId='tch-000001'"
    assert {u.sourced_id async for u in oneroster.iter_users(filter=either)} == {
        "stu-0000001",
        "tch-000001",
    }
    named = [u async for u in oneroster.iter_users(filter="familyName~'son'")]
    assert named and all("son" in (u.family_name or "").lower() for u in named)


async def test_incremental_filter_on_date_last_modified(
    oneroster: OneRosterClient, sandbox_url: str
) -> None:
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    changed = await mutate(
        sandbox_url, collection="enrollments", count=5, set={"endDate": "2027-01-31"}
    )
    query = f"dateLastModified>'{since}' AND status='active'"
    found = [e async for e in oneroster.iter_enrollments(filter=query)]
    assert {e.sourced_id for e in found} >= set(changed["sourcedIds"])
    assert all(
        e.end_date and e.end_date.isoformat() == "2027-01-31"
        for e in found
        if e.sourced_id in changed["sourcedIds"]
    )


async def test_sort_and_fields(oneroster: OneRosterClient) -> None:
    users = [u async for u in oneroster.iter_students(sort="familyName", order_by="desc")]
    names = [u.family_name or "" for u in users]
    assert len(users) == 300 and names == sorted(names, reverse=True)
    slim = await oneroster.page("users", limit=5, fields=["sourcedId", "givenName"])
    assert all(u.given_name and u.family_name is None for u in slim.records)


async def test_nested_routes(oneroster: OneRosterClient) -> None:
    students = [u async for u in oneroster.iter_students(parent=("classes", "cls-000001"))]
    teachers = [u async for u in oneroster.iter_teachers(parent=("classes", "cls-000001"))]
    assert len(students) == 25 and len(teachers) == 1
    classes = [c async for c in oneroster.iter_classes(parent=("schools", "sch-0001"))]
    assert len(classes) == 30 and all(
        c.school and c.school.sourced_id == "sch-0001" for c in classes
    )
    terms = [t async for t in oneroster.iter_terms(parent=("schools", "sch-0001"))]
    assert {t.title for t in terms} == {"Fall 2026", "Spring 2027"}


async def test_bad_filter_is_invalid_request_naming_the_field(oneroster: OneRosterClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await oneroster.page("users", filter="shoeSize>'40'")
    assert caught.value.status == 400
    assert "invalid_filter_field" in caught.value.message and "shoeSize" in caught.value.message


async def test_unknown_sourced_id_is_not_found(oneroster: OneRosterClient) -> None:
    with pytest.raises(NotFound):
        await oneroster.get("users", "nobody")
    with pytest.raises(NotFound):
        await oneroster.page("students", parent=("classes", "no-such-class"))


async def test_records_map_to_canonical(oneroster: OneRosterClient) -> None:
    user = await oneroster.get("users", "stu-0000001")
    person = to_canonical(user)
    assert isinstance(person, canonical.Person) and person.role == canonical.Role.student
    assert person.org_ids and person.org_ids[0].startswith("sch-")
    page = await oneroster.page("enrollments", limit=3)
    for wire in page.records:
        assert isinstance(wire, models.Enrollment)
        enrollment = to_canonical(wire)
        assert isinstance(enrollment, canonical.Enrollment)
        assert enrollment.class_id == wire.class_.sourced_id  # type: ignore[union-attr]
    klass = to_canonical(await oneroster.get("classes", "cls-000001"))
    assert isinstance(klass, canonical.Class) and klass.term_ids == ["ses-2027-t1", "ses-2027-t2"]


async def test_raw_pages_give_a_bulk_reader_plain_records_in_sourced_id_order(
    oneroster: OneRosterClient,
) -> None:
    """The roster sync's path: undecoded pages and the total, then plain dicts, no models."""
    body, total = await oneroster.raw_page("enrollments", offset=0, limit=400)
    first = page_records("enrollments", body)
    body, _ = await oneroster.raw_page("enrollments", offset=1500, limit=400)
    last = page_records("enrollments", body)
    assert total == 1560 and (len(first), len(last)) == (400, 60)
    ids = [r["sourcedId"] for r in first + last]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert isinstance(first[0], dict) and first[0]["class"]["sourcedId"]
    either = "sourcedId='stu-0000001' OR sourcedId='tch-000001'"
    body, found = await oneroster.raw_page("users", offset=0, limit=5, filter=either)
    assert [u["sourcedId"] for u in page_records("users", body)] == ["stu-0000001", "tch-000001"]
    assert found == 2


def test_a_raw_page_without_its_collection_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="no 'users' collection"):
        page_records("students", b'{"students": []}')  # /students answers {"users": [...]}
    with pytest.raises(MalformedResponse):
        page_records("users", b"not json")
