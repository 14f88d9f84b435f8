"""The shared bounded types: what they let through, what they refuse, and how they normalise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from atrium.bounds import (
    MAX_JSON_DEPTH,
    MAX_ROW_ID,
    BoundedDatetime,
    JsonObject,
    Limit,
    Line,
    Offset,
    RowId,
    Text,
)


class Sample(BaseModel):
    id: RowId = 1
    offset: Offset = 0
    limit: Limit = 1
    when: BoundedDatetime | None = None
    data: JsonObject = {}
    name: Line = ""
    text: Text = ""


def _refused(field: str, **values: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        Sample(**values)
    errors = caught.value.errors()
    assert [e["loc"][0] for e in errors] == [field], errors
    return str(errors[0]["msg"])


def _nested(levels: int) -> dict[str, Any]:
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[no-any-return]


def test_numbers_stay_within_what_a_row_and_a_page_can_hold() -> None:
    assert Sample(id=MAX_ROW_ID, offset=MAX_ROW_ID, limit=500).id == MAX_ROW_ID
    for field, value in (("id", 0), ("id", 2**63), ("offset", -1), ("offset", 2**63),
                         ("limit", 0), ("limit", 501)):  # fmt: skip
        _refused(field, **{field: value})


def test_dates_are_bounded_before_conversion_and_come_out_in_utc() -> None:
    assert "between years" in _refused("when", when="9999-12-31T23:59:59-23:59")
    assert "between years" in _refused("when", when="0001-01-01T00:00:00+23:59")
    assert "between years" in _refused("when", when="1969-12-31T23:59:59Z")
    naive = Sample(when="2030-05-01T12:00:00").when
    assert naive == datetime(2030, 5, 1, 12, tzinfo=UTC) and naive.tzinfo is UTC
    shifted = Sample(when=datetime(2030, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))).when
    assert shifted == datetime(2030, 5, 1, 10, tzinfo=UTC) and shifted.tzinfo is UTC


def test_json_is_bounded_in_depth_and_size_and_names_where_it_fails() -> None:
    assert Sample(data=_nested(MAX_JSON_DEPTH)).data == _nested(MAX_JSON_DEPTH)
    assert "deeper than" in _refused("data", data=_nested(MAX_JSON_DEPTH + 1))
    assert "deeper than" in _refused("data", data={"list": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]})
    assert "more than" in _refused("data", data={f"k{i}": i for i in range(10_001)})
    assert "outer.inner[1]" in _refused("data", data={"outer": {"inner": ["ok", "b\x00d"]}})
    assert "key" in _refused("data", data={"bad\nkey": 1})
    assert Sample(data={"multi": "line\n\ttext"}).data == {"multi": "line\n\ttext"}
    assert "2^53" in _refused("data", data={"n": [2**63]})
    assert "finite" in _refused("data", data={"x": float("nan")})
    assert "finite" in _refused("data", data={"x": float("-inf")})
    assert Sample(data={"n": 2**53 - 1, "f": 1.5, "b": True}).data["n"] == 2**53 - 1


@pytest.mark.parametrize("bad", ["\x00", "\x1f", "\x7f", "\x85", "\ud800"])
def test_text_refuses_control_characters_and_lone_surrogates(bad: str) -> None:
    _refused("name", name=f"a{bad}b")
    _refused("text", text=f"a{bad}b")


def test_tab_and_newline_are_text_but_not_a_line() -> None:
    assert Sample(text="one\n\ttwo").text == "one\n\ttwo"
    _refused("name", name="one\ntwo")
    _refused("name", name="one\ttwo")
    assert Sample(name="Zoë Ångström – ok").name == "Zoë Ångström – ok"
