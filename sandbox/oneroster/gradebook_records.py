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
from typing import Any

from sandbox.oneroster.errors import invalid_data
from sandbox.oneroster.member_checks import (
    flag,
    iso_date,
    iso_datetime,
    metadata,
    number,
    objective_ids,
    objective_scores,
    scale_values,
    score_status,
    status,
    text,
)
from sandbox.oneroster.schema import TABLES

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


COMMON: dict[str, Check] = {
    "status": status,
    "metadata": metadata,
    "dateLastModified": iso_datetime,
}
RESULT_FLAGS = {"inProgress": flag, "incomplete": flag, "late": flag, "missing": flag}
STUDENT = Ref("users", "user", "role = 'student'")
SCALE = Ref("scoreScales", "scoreScale")

SHAPES: dict[str, Shape] = {
    "categories": Shape({"title": text, "weight": number}, required=frozenset({"title"})),
    "scoreScales": Shape(
        {"title": text, "type": text, "scoreScaleValue": scale_values},
        {"class": Ref("classes", "class"), "course": Ref("courses", "course")},
        frozenset({"title", "type", "class", "scoreScaleValue"}),
    ),
    "lineItems": Shape(
        {
            "title": text,
            "description": text,
            "assignDate": iso_datetime,
            "dueDate": iso_datetime,
            "resultValueMin": number,
            "resultValueMax": number,
            "learningObjectiveSet": objective_ids,
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
            "scoreStatus": score_status,
            "score": number,
            "textScore": text,
            "scoreDate": iso_date,
            "comment": text,
            "learningObjectiveSet": objective_scores,
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
            "title": text,
            "resultValueMin": number,
            "resultValueMax": number,
            "learningObjectiveSet": objective_ids,
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
            "score": number,
            "textScore": text,
            "scoreDate": iso_date,
            "scorePercentile": number,
            "scoreStatus": score_status,
            "comment": text,
            "learningObjectiveSet": objective_scores,
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
