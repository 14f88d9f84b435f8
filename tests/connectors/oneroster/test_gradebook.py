"""Gradebook writes: PUT is create-or-replace and idempotent; delete; canonical round trip."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from connectors import canonical
from connectors.catalog import catalog
from connectors.errors import InvalidRequest, NotFound
from connectors.oneroster import OneRosterClient, models
from connectors.oneroster.mapping import line_item_to_wire, result_to_wire, to_canonical
from tests.connectors.oneroster.conftest import CountingTransport, vault_like


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


async def test_categories_and_score_scales_are_put_and_read_back_when_asked(
    oneroster_url: str, sandbox_url: str
) -> None:
    transport = CountingTransport()
    tag = uuid.uuid4().hex[:8]
    klass = models.GUIDRef(sourced_id="cls-000001", type="class")
    category = models.Category(sourced_id=f"atrium-cat-{tag}", title="Exams", weight=40.0)
    scale = models.ScoreScale(
        sourced_id=f"atrium-scale-{tag}",
        title="Letters",
        type="letter",
        class_=klass,
        score_scale_value=[
            models.ScoreScaleValue(item_value_lhs="A", item_value_rhs="90"),
            models.ScoreScaleValue(item_value_lhs="B", item_value_rhs="80"),
        ],
    )
    async with OneRosterClient(
        oneroster_url, vault_like(sandbox_url), transport=transport
    ) as client:
        sent = await client.put_category(category, read_back=False)
        assert sent is category and transport.count(f"/categories/{category.sourced_id}") == 1
        stored = await client.put_score_scale(scale)  # PUT, then the stored record
        assert transport.count(f"/scoreScales/{scale.sourced_id}") == 2
        read = await client.get("categories", category.sourced_id)
    assert (read.title, read.weight) == ("Exams", 40.0) and read.date_last_modified
    assert [v.item_value_lhs for v in stored.score_scale_value or []] == ["A", "B"]
    assert stored.class_ and stored.class_.sourced_id == "cls-000001"


def test_gradebook_writes_are_catalog_actions_keyed_by_sourced_id() -> None:
    """A PUT replaces the record named by its sourcedId: harmless to repeat, keyed by it."""
    entries = catalog()
    for name, key in [
        ("oneroster.put_line_item", "item.sourced_id"),
        ("oneroster.put_result", "result.sourced_id"),
        ("oneroster.put_category", "category.sourced_id"),
        ("oneroster.put_score_scale", "scale.sourced_id"),
    ]:
        spec = entries[name].spec
        assert (spec.effect, spec.key, spec.idempotent) == ("write", key, True), name
    assert entries["oneroster.delete_result"].spec.effect == "destructive"
    assert not entries["oneroster.delete_result"].spec.idempotent
    assert entries["oneroster.read_raw_page"].spec.effect == "read"
