"""Canonical records. ``source_id`` is the stable key (OneRoster sourcedId / SIS id).

The model accepts whatever OneRoster 1.2 allows (no username, a course without an org, an
extension role ``ext:...``, an email that is not an address): a spec-valid record is never
refused here. Whether a target system can *use* it is decided when writing
(``connectors.canonical.requirements``), where an unusable record is quarantined with a reason.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Status(StrEnum):
    active = "active"
    tobedeleted = "tobedeleted"


class Role(StrEnum):
    student = "student"
    teacher = "teacher"
    administrator = "administrator"
    aide = "aide"
    guardian = "guardian"
    parent = "parent"
    proctor = "proctor"


# OneRoster 1.2's user-role vocabulary, collapsed onto the canonical roles.
ROLE_SYNONYMS = {
    "districtAdministrator": "administrator",
    "siteAdministrator": "administrator",
    "systemAdministrator": "administrator",
    "principal": "administrator",
    "counselor": "administrator",
    "relative": "guardian",
}
# The spec's pattern for extension values, as published: JSON Schema patterns are unanchored,
# so this is a search (any value containing ``ext:`` + a name is spec-valid), as in pydantic.
EXTENSION = r"(ext:)[a-zA-Z0-9\.\-_]+"
ExtensionValue = Annotated[str, Field(pattern=EXTENSION, max_length=255)]


def _role_synonym(value: Any) -> Any:
    return ROLE_SYNONYMS.get(value, value) if isinstance(value, str) else value


# A canonical role or a OneRoster extension role (``ext:mentor``), kept as the source said it.
AnyRole = Annotated[Role | ExtensionValue, BeforeValidator(_role_synonym)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)

    source_id: str = Field(min_length=1, max_length=255)
    status: Status = Status.active
    date_last_modified: datetime


class Org(Record):
    name: str = Field(min_length=1)
    type: str = "school"  # department | school | district | local | state | national
    identifier: str | None = None
    parent_id: str | None = None


class AcademicSession(Record):
    title: str = Field(min_length=1)
    type: str = "term"  # gradingPeriod | semester | schoolYear | term
    start_date: date
    end_date: date
    school_year: str
    parent_id: str | None = None


class Person(Record):
    username: str | None = None  # optional in OneRoster 1.2
    given_name: str = Field(min_length=1)
    family_name: str = Field(min_length=1)
    preferred_first_name: str | None = None
    email: str | None = None  # the spec types it as a string: "n/a" is valid here
    phone: str | None = None
    role: AnyRole
    identifier: str | None = None  # e.g. student number
    org_ids: list[str] = Field(default_factory=list)
    enabled: bool = True


class Course(Record):
    title: str = Field(min_length=1)
    course_code: str | None = None
    org_id: str | None = None  # optional in OneRoster 1.2
    school_year_id: str | None = None


class Class(Record):
    """A section of a course taught in given terms."""

    title: str = Field(min_length=1)
    class_code: str | None = None
    course_id: str
    school_id: str
    term_ids: list[str] = Field(default_factory=list)


class Enrollment(Record):
    person_id: str
    class_id: str
    school_id: str
    role: AnyRole
    primary: bool = False
    begin_date: date | None = None
    end_date: date | None = None


class LineItem(Record):
    """A gradebook column: an assignment or a final grade."""

    title: str = Field(min_length=1)
    class_id: str
    category_id: str | None = None  # the gradebook category (OneRoster 1.2 requires one)
    due_date: datetime | None = None
    result_value_min: float = 0.0
    result_value_max: float = 100.0


class Result(Record):
    line_item_id: str
    person_id: str
    score: float | None = None
    score_status: str = "fully graded"  # exempt | fully graded | not submitted | partially graded
    comment: str | None = None
