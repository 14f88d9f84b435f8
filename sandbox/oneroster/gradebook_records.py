"""What a gradebook write may contain, checked before anything is stored.

Each writable collection declares its members as the 1.2 schema does (text, number, date,
date-time, ``"true"``/``"false"`` flag, GUIDRef to an existing record, list) and which of them a
client must send. A body that the schema would refuse, or that points at a record that does not
exist, is a 422 ``invaliddata`` naming the member; what is stored can therefore always be answered
as the schema requires. ``status`` defaults to ``active``; ``dateLastModified`` is the server's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sandbox.oneroster.errors import invalid_data
from sandbox.oneroster.schema import TABLES

MAX_TEXT = 10_000  # characters of one text member
MAX_LIST = 1_000  # items of one list member


def _text(name: str, value: Any) -> Any:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise invalid_data(f"{name} must be a string of at most {MAX_TEXT} characters")
    return value


def _number(name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise invalid_data(f"{name} must be a number")
    return float(value)


def _date(name: str, value: Any) -> Any:
    try:
        date.fromisoformat(_text(name, value))
        if len(value) != 10:
            raise ValueError
    except ValueError:
        raise invalid_data(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None
    return value


def _datetime(name: str, value: Any) -> Any:
    try:
        moment = datetime.fromisoformat(_text(name, value).replace("Z", "+00:00"))
    except ValueError:
        raise invalid_data(f"{name} must be an ISO 8601 date-time, not {value!r}") from None
    if moment.tzinfo is None or "T" not in value:
        raise invalid_data(f"{name} must be a date-time with a time zone, not {value!r}")
    return value


def _flag(name: str, value: Any) -> Any:
    if value not in ("true", "false"):
        raise invalid_data(f"{name} must be the string 'true' or 'false'")
    return value


def _status(name: str, value: Any) -> Any:
    if value not in ("active", "tobedeleted"):
        raise invalid_data(f"{name} must be 'active' or 'tobedeleted'")
    return value


def _score_status(name: str, value: Any) -> Any:
    statuses = {"exempt", "fully graded", "not submitted", "partially graded", "submitted"}
    if value in statuses or (isinstance(value, str) and _is_ext(value)):
        return value
    raise invalid_data(f"{name} must be one of {sorted(statuses)} or ext:...")


def _is_ext(value: str) -> bool:
    rest = value.removeprefix("ext:")
    return value.startswith("ext:") and bool(rest) and all(c.isalnum() or c in ".-_" for c in rest)


def _objects(name: str, value: Any) -> Any:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise invalid_data(f"{name} must be a list of at most {MAX_LIST} items")
    if not all(isinstance(item, dict) for item in value):
        raise invalid_data(f"{name} must be a list of objects")
    return value


def _scale_values(name: str, value: Any) -> Any:
    for i, item in enumerate(_objects(name, value)):
        if set(item) != {"itemValueLHS", "itemValueRHS"}:
            raise invalid_data(f"{name}[{i}] must have exactly itemValueLHS and itemValueRHS")
        _text(f"{name}[{i}].itemValueLHS", item["itemValueLHS"])
        _text(f"{name}[{i}].itemValueRHS", item["itemValueRHS"])
    return value


def _metadata(name: str, value: Any) -> Any:
    if not isinstance(value, dict):
        raise invalid_data(f"{name} must be an object")
    return value


Check = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Ref:
    collection: str  # the table it must exist in
    kind: str  # the GUIDRef type
    where: str = ""  # an extra SQL condition on that table (a student is a user with that role)


@dataclass(frozen=True)
class Shape:
    """The members of one writable collection and which are required."""

    checks: dict[str, Check]
    refs: dict[str, Ref] = field(default_factory=dict)
    required: frozenset[str] = frozenset()


COMMON: dict[str, Check] = {"status": _status, "metadata": _metadata, "dateLastModified": _datetime}
RESULT_FLAGS = {"inProgress": _flag, "incomplete": _flag, "late": _flag, "missing": _flag}
STUDENT = Ref("users", "user", "role = 'student'")
SCALE = Ref("scoreScales", "scoreScale")

SHAPES: dict[str, Shape] = {
    "categories": Shape({"title": _text, "weight": _number}, required=frozenset({"title"})),
    "scoreScales": Shape(
        {"title": _text, "type": _text, "scoreScaleValue": _scale_values},
        {"class": Ref("classes", "class"), "course": Ref("courses", "course")},
        frozenset({"title", "type", "class", "scoreScaleValue"}),
    ),
    "lineItems": Shape(
        {
            "title": _text,
            "description": _text,
            "assignDate": _datetime,
            "dueDate": _datetime,
            "resultValueMin": _number,
            "resultValueMax": _number,
            "learningObjectiveSet": _objects,
        },
        {
            "class": Ref("classes", "class"),
            "school": Ref("orgs", "org", "type = 'school'"),
            "category": Ref("categories", "category"),
            "gradingPeriod": Ref("academicSessions", "academicSession"),
            "academicSession": Ref("academicSessions", "academicSession"),
            "scoreScale": SCALE,
        },
        # ``school`` is required too, but follows from the class: a PUT without it gets the
        # class's school (see gradebook_store.prepare); ``category`` cannot be guessed.
        frozenset({"title", "assignDate", "dueDate", "class", "category"}),
    ),
    "results": Shape(
        {
            "scoreStatus": _score_status,
            "score": _number,
            "textScore": _text,
            "scoreDate": _date,
            "comment": _text,
            "learningObjectiveSet": _objects,
            **RESULT_FLAGS,
        },
        {
            "lineItem": Ref("lineItems", "lineItem"),
            "student": STUDENT,
            "class": Ref("classes", "class"),
            "scoreScale": SCALE,
        },
        frozenset({"lineItem", "student", "scoreStatus", "scoreDate"}),
    ),
    "assessmentLineItems": Shape(
        {
            "title": _text,
            "resultValueMin": _number,
            "resultValueMax": _number,
            "learningObjectiveSet": _objects,
        },
        {
            "class": Ref("classes", "class"),
            "parentAssessmentLineItem": Ref("assessmentLineItems", "assessmentLineItem"),
            "scoreScale": SCALE,
        },
        frozenset({"title"}),
    ),
    "assessmentResults": Shape(
        {
            "score": _number,
            "textScore": _text,
            "scoreDate": _date,
            "scorePercentile": _number,
            "scoreStatus": _score_status,
            "comment": _text,
            "learningObjectiveSet": _objects,
            **RESULT_FLAGS,
        },
        {
            "assessmentLineItem": Ref("assessmentLineItems", "assessmentLineItem"),
            "student": STUDENT,
            "scoreScale": SCALE,
        },
        frozenset({"assessmentLineItem", "student", "scoreDate", "scoreStatus"}),
    ),
}


def ref_id(record: dict[str, Any], name: str) -> str:
    ref = record.get(name)
    sid = ref.get("sourcedId") if isinstance(ref, dict) else None
    if not isinstance(sid, str) or not sid or len(sid) > 255:
        raise invalid_data(f"{name}.sourcedId is required and must be a non-empty string")
    return sid


def check(
    table: str, sid: str, record: dict[str, Any], exists: Callable[[Ref, str], bool]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The record as it will be stored (refs rebuilt, hrefs ours) and the ids of its refs."""
    shape = SHAPES[table]
    singular = TABLES[table].singular
    unknown = sorted(
        set(record) - set(shape.checks) - set(shape.refs) - set(COMMON) - {"sourcedId"}
    )
    if unknown:
        raise invalid_data(f"{singular}: unknown member(s) {', '.join(unknown)}")
    if record.get("sourcedId", sid) != sid:
        raise invalid_data(f"{singular}.sourcedId differs from the sourcedId in the path")
    missing = sorted(n for n in shape.required if record.get(n) is None)
    if missing:
        raise invalid_data(f"{singular}: required member(s) missing: {', '.join(missing)}")
    stored: dict[str, Any] = {"sourcedId": sid, "status": "active"}
    ids: dict[str, str] = {}
    for name, value in record.items():
        if name in ("sourcedId", "dateLastModified") or value is None:
            continue
        if name in shape.refs:
            target = shape.refs[name]
            ids[name] = ref_id(record, name)
            if not exists(target, ids[name]):
                raise invalid_data(f"{singular}.{name}: {target.kind} {ids[name]!r} does not exist")
            continue
        stored[name] = (shape.checks.get(name) or COMMON[name])(f"{singular}.{name}", value)
    return stored, ids
