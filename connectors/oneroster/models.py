"""OneRoster 1.2 wire models (REST/JSON binding), camelCase on the wire, snake_case in Python.

Only ``sourcedId`` is required everywhere: a ``fields=`` selection may return partial records.
Types are still checked, so a record with a broken date or without a sourcedId fails validation
and is reported, never passed on. Unknown members are kept (``extra="allow"``): vendors add
``metadata`` and extensions, and a PUT must not lose them.

Every record the published 1.2 schemas accept parses (held by tests/connectors/oneroster/
test_spec_records.py): booleans come as the spec's strings ``"true"``/``"false"`` or as JSON
booleans (older servers), GUIDRef ``href``s absolute or relative, enumerations with ``ext:``
values are plain strings, and ``email`` is any string. Whether Atrium can *use* a record is
decided downstream, where an unusable one is quarantined with its reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel


def wire_instant(value: datetime) -> str:
    """A date-time as the 1.2 binding writes it: UTC with milliseconds, ``...T00:00:00.000Z``
    (a naive value is taken as UTC)."""
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


Instant = Annotated[datetime, PlainSerializer(wire_instant, return_type=str, when_used="json")]


class Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class GUIDRef(Wire):
    sourced_id: str
    type: str | None = None
    href: str | None = None


class Base(Wire):
    sourced_id: str
    status: str | None = None  # active | tobedeleted
    date_last_modified: Instant | None = None
    metadata: dict[str, Any] | None = None


class Org(Base):
    name: str | None = None
    type: str | None = None
    identifier: str | None = None
    parent: GUIDRef | None = None
    children: list[GUIDRef] | None = None


class AcademicSession(Base):
    title: str | None = None
    type: str | None = None  # schoolYear | term | semester | gradingPeriod
    start_date: date | None = None
    end_date: date | None = None
    school_year: str | None = None
    parent: GUIDRef | None = None
    org: GUIDRef | None = None


class Course(Base):
    title: str | None = None
    course_code: str | None = None
    grades: list[str] | None = None
    subjects: list[str] | None = None
    org: GUIDRef | None = None
    school_year: GUIDRef | None = None


class Class(Base):
    title: str | None = None
    class_code: str | None = None
    class_type: str | None = None
    location: str | None = None
    grades: list[str] | None = None
    subjects: list[str] | None = None
    course: GUIDRef | None = None
    school: GUIDRef | None = None
    terms: list[GUIDRef] | None = None
    periods: list[str] | None = None


class RoleAssignment(Wire):
    role_type: str  # primary | secondary
    role: str
    org: GUIDRef
    begin_date: date | None = None
    end_date: date | None = None


class UserId(Wire):
    type: str
    identifier: str


class User(Base):
    username: str | None = None
    user_master_identifier: str | None = None
    user_ids: list[UserId] | None = None
    enabled_user: bool | None = None
    given_name: str | None = None
    family_name: str | None = None
    middle_name: str | None = None
    preferred_first_name: str | None = None
    roles: list[RoleAssignment] | None = None
    primary_org: GUIDRef | None = None
    identifier: str | None = None
    email: str | None = None
    sms: str | None = None
    phone: str | None = None
    grades: list[str] | None = None
    agents: list[GUIDRef] | None = None


class Enrollment(Base):
    user: GUIDRef | None = None
    class_: GUIDRef | None = Field(None, alias="class")
    school: GUIDRef | None = None
    role: str | None = None
    primary: bool | None = None
    begin_date: date | None = None
    end_date: date | None = None


class Demographics(Base):
    birth_date: date | None = None
    sex: str | None = None


class Category(Base):
    """A gradebook category (a Canvas assignment group, a Moodle grade category)."""

    title: str | None = None
    weight: float | None = None


class ScoreScaleValue(Wire):
    item_value_lhs: str = Field(alias="itemValueLHS")  # the text score, e.g. "A"
    item_value_rhs: str = Field(alias="itemValueRHS")  # what it stands for, e.g. "90"


class ScoreScale(Base):
    title: str | None = None
    type: str | None = None
    class_: GUIDRef | None = Field(None, alias="class")
    course: GUIDRef | None = None
    score_scale_value: list[ScoreScaleValue] | None = None


class LineItem(Base):
    title: str | None = None
    description: str | None = None
    assign_date: Instant | None = None
    due_date: Instant | None = None
    class_: GUIDRef | None = Field(None, alias="class")
    school: GUIDRef | None = None
    grading_period: GUIDRef | None = None
    category: GUIDRef | None = None
    score_scale: GUIDRef | None = None
    result_value_min: float | None = None
    result_value_max: float | None = None


class Result(Base):
    line_item: GUIDRef | None = None
    student: GUIDRef | None = None
    class_: GUIDRef | None = Field(None, alias="class")
    score_status: str | None = None
    score: float | None = None
    text_score: str | None = None
    score_date: date | None = None
    comment: str | None = None
