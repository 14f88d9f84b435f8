"""Gradebook writes: PUT is create-or-replace and idempotent; delete; canonical round trip."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from connectors import canonical
from connectors.errors import InvalidRequest, NotFound
from connectors.oneroster import OneRosterClient, models
from connectors.oneroster.mapping import line_item_to_wire, result_to_wire, to_canonical


def _item(sid: str) -> canonical.LineItem:
    return canonical.LineItem(
        source_id=sid,
        date_last_modified=datetime(2026, 11, 1, tzinfo=UTC),
        title="Atrium quiz",
        class_id="cls-000001",
        category_id="cat-01",  # one of the sandbox gradebook's categories
        due_date=datetime(2026, 11, 20, 23, 59, tzinfo=UTC),
        result_value_max=20.0,
    )


async def test_put_line_item_twice_is_idempotent(oneroster: OneRosterClient) -> None:
    sid = f"atrium-li-{uuid.uuid4().hex[:8]}"
    first = await oneroster.put_line_item(line_item_to_wire(_item(sid)))
    second = await oneroster.put_line_item(line_item_to_wire(_item(sid)))
    assert first.to_wire() == second.to_wire()  # same record, same dateLastModified
    fetched = await oneroster.get_line_item(sid)
    assert fetched.school and fetched.school.sourced_id == "sch-0001"  # derived from the class
    back = to_canonical(fetched)
    assert isinstance(back, canonical.LineItem) and back.result_value_max == 20.0
    listed = [
        li.sourced_id async for li in oneroster.iter_line_items(parent=("classes", "cls-000001"))
    ]
    assert listed.count(sid) == 1


async def test_put_result_replaces_and_delete_removes(oneroster: OneRosterClient) -> None:
    item_id = f"atrium-li-{uuid.uuid4().hex[:8]}"
    await oneroster.put_line_item(line_item_to_wire(_item(item_id)))
    sid = f"atrium-res-{uuid.uuid4().hex[:8]}"
    result = canonical.Result(
        source_id=sid,
        date_last_modified=datetime(2026, 11, 21, tzinfo=UTC),
        line_item_id=item_id,
        person_id="stu-0000003",
        score=17.5,
        comment="well done",
    )
    created = await oneroster.put_result(result_to_wire(result))
    again = await oneroster.put_result(result_to_wire(result))
    assert created.to_wire() == again.to_wire()
    changed = await oneroster.put_result(result_to_wire(result.model_copy(update={"score": 19.0})))
    assert changed.score == 19.0 and changed.date_last_modified != created.date_last_modified
    assert (await oneroster.get_result(sid)).score == 19.0
    for_item = [r async for r in oneroster.iter_results(parent=("lineItems", item_id))]
    assert [r.sourced_id for r in for_item] == [sid]
    await oneroster.delete_result(sid)
    with pytest.raises(NotFound):
        await oneroster.get_result(sid)
    await oneroster.delete_line_item(item_id)
    with pytest.raises(NotFound):
        await oneroster.delete_line_item(item_id)


async def test_result_for_unknown_line_item_is_rejected(oneroster: OneRosterClient) -> None:
    bad = models.Result(
        sourced_id="atrium-res-orphan",
        line_item=models.GUIDRef(sourced_id="no-such-item"),
        student=models.GUIDRef(sourced_id="stu-0000001"),
        score_status="fully graded",
        score_date=datetime(2026, 11, 1).date(),
    )
    with pytest.raises(InvalidRequest) as caught:
        await oneroster.put_result(bad)
    assert caught.value.status == 422 and "no-such-item" in caught.value.message
