"""OneRoster 1.2 wire records <-> Atrium's canonical model.

The canonical model follows OneRoster's concepts, so this is mostly renaming. Everything the
1.2 schemas allow maps (no username, no course org, ``ext:`` roles, any email string). A record
the canonical model cannot hold at all (a field the schemas require is missing, as in a
``fields=`` selection, or an empty sourcedId) raises ``MalformedResponse`` naming the record and
the field: the caller quarantines it with that reason, never a half-filled canonical record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from connectors import canonical
from connectors.canonical.models import ROLE_SYNONYMS
from connectors.errors import MalformedResponse
from connectors.oneroster import models
from connectors.oneroster.errors import SYSTEM

# 1.2 role vocabulary -> canonical roles (the extra admin flavours collapse to administrator).
ROLES = ROLE_SYNONYMS


def _fail(record: models.Base, problem: str) -> MalformedResponse:
    kind = type(record).__name__
    return MalformedResponse(f"{SYSTEM}: {kind} {record.sourced_id}: {problem}", system=SYSTEM)


def _need(record: models.Base, value: Any, name: str) -> Any:
    if value is None:
        raise _fail(record, f"{name} is missing")
    return value


def _ref(record: models.Base, ref: models.GUIDRef | None, name: str) -> str:
    return str(_need(record, ref, name).sourced_id)


def _base(record: models.Base) -> dict[str, Any]:
    return {
        "source_id": record.sourced_id,
        "status": record.status or "active",
        "date_last_modified": _need(record, record.date_last_modified, "dateLastModified"),
    }


def _role(value: str) -> str:
    return ROLES.get(value, value)


def _build(record: models.Base, model: type[canonical.models.Record], **values: Any) -> Any:
    try:
        return model(**_base(record), **values)
    except ValidationError as exc:
        raise _fail(record, str(exc).replace("\n", " ")) from exc


def org(r: models.Org) -> canonical.Org:
    parent = r.parent.sourced_id if r.parent else None
    return _build(
        r,
        canonical.Org,
        name=r.name,
        type=r.type or "school",
        identifier=r.identifier,
        parent_id=parent,
    )


def academic_session(r: models.AcademicSession) -> canonical.AcademicSession:
    return _build(
        r,
        canonical.AcademicSession,
        title=r.title,
        type=r.type or "term",
        start_date=r.start_date,
        end_date=r.end_date,
        school_year=r.school_year,
        parent_id=r.parent.sourced_id if r.parent else None,
    )


def course(r: models.Course) -> canonical.Course:
    year = r.school_year.sourced_id if r.school_year else None
    return _build(
        r,
        canonical.Course,
        title=r.title,
        course_code=r.course_code,
        org_id=r.org.sourced_id if r.org else None,
        school_year_id=year,
    )


def klass(r: models.Class) -> canonical.Class:
    return _build(
        r,
        canonical.Class,
        title=r.title,
        class_code=r.class_code,
        course_id=_ref(r, r.course, "course"),
        school_id=_ref(r, r.school, "school"),
        term_ids=[t.sourced_id for t in r.terms or []],
    )


def person(r: models.User) -> canonical.Person:
    roles = r.roles or []
    primary = next((x for x in roles if x.role_type == "primary"), roles[0] if roles else None)
    role = _role(primary.role) if primary else _need(r, getattr(r, "role", None), "roles")
    org_ids = [x.org.sourced_id for x in roles]
    if r.primary_org and r.primary_org.sourced_id not in org_ids:
        org_ids.insert(0, r.primary_org.sourced_id)
    return _build(
        r,
        canonical.Person,
        username=r.username,
        given_name=r.given_name,
        family_name=r.family_name,
        preferred_first_name=r.preferred_first_name,
        email=r.email or None,
        phone=r.phone or None,
        role=role,
        identifier=r.identifier,
        org_ids=org_ids,
        enabled=True if r.enabled_user is None else r.enabled_user,
    )


def enrollment(r: models.Enrollment) -> canonical.Enrollment:
    return _build(
        r,
        canonical.Enrollment,
        person_id=_ref(r, r.user, "user"),
        class_id=_ref(r, r.class_, "class"),
        school_id=_ref(r, r.school, "school"),
        role=_role(_need(r, r.role, "role")),
        primary=bool(r.primary),
        begin_date=r.begin_date,
        end_date=r.end_date,
    )


def line_item(r: models.LineItem) -> canonical.LineItem:
    low = 0.0 if r.result_value_min is None else r.result_value_min
    high = 100.0 if r.result_value_max is None else r.result_value_max
    return _build(
        r,
        canonical.LineItem,
        title=r.title,
        class_id=_ref(r, r.class_, "class"),
        category_id=r.category.sourced_id if r.category else None,
        due_date=r.due_date,
        result_value_min=low,
        result_value_max=high,
    )


def result(r: models.Result) -> canonical.Result:
    return _build(
        r,
        canonical.Result,
        line_item_id=_ref(r, r.line_item, "lineItem"),
        person_id=_ref(r, r.student, "student"),
        score=r.score,
        score_status=r.score_status or "fully graded",
        comment=r.comment or None,
    )


TO_CANONICAL: dict[type[models.Base], Any] = {
    models.Org: org,
    models.AcademicSession: academic_session,
    models.Course: course,
    models.Class: klass,
    models.User: person,
    models.Enrollment: enrollment,
    models.LineItem: line_item,
    models.Result: result,
}


def to_canonical(record: models.Base) -> canonical.models.Record:
    try:
        convert = TO_CANONICAL[type(record)]
    except KeyError:
        raise TypeError(f"no canonical form for {type(record).__name__}") from None
    converted: canonical.models.Record = convert(record)
    return converted


# -- canonical -> OneRoster (gradebook writes) --


def _ref_out(kind: str, sourced_id: str) -> models.GUIDRef:
    return models.GUIDRef(sourced_id=sourced_id, type=kind)


def line_item_to_wire(
    item: canonical.LineItem, *, assign_date: datetime | None = None, school_id: str | None = None
) -> models.LineItem:
    """1.2 requires assignDate and dueDate; without them we use the due date / last change."""
    due = item.due_date or item.date_last_modified
    return models.LineItem(
        sourced_id=item.source_id,
        status=item.status.value,
        title=item.title,
        assign_date=assign_date or due,
        due_date=due,
        class_=_ref_out("class", item.class_id),
        school=_ref_out("org", school_id) if school_id else None,
        category=_ref_out("category", item.category_id) if item.category_id else None,
        result_value_min=item.result_value_min,
        result_value_max=item.result_value_max,
    )


def result_to_wire(res: canonical.Result) -> models.Result:
    return models.Result(
        sourced_id=res.source_id,
        status=res.status.value,
        line_item=_ref_out("lineItem", res.line_item_id),
        student=_ref_out("user", res.person_id),
        score=res.score,
        score_status=res.score_status,
        score_date=res.date_last_modified.date(),
        comment=res.comment,
    )
