"""The institution the generator invents, in plain system-neutral records.

Emulators (OneRoster, LMSs, ...) turn these into their own wire shapes. Records are slotted
dataclasses because the ``1m`` size creates about two million of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class OrgRecord:
    source_id: str
    name: str
    type: str  # district | school
    identifier: str
    parent_id: str | None
    modified: str


@dataclass(slots=True)
class SessionRecord:
    source_id: str
    title: str
    type: str  # schoolYear | term | gradingPeriod
    start_date: str
    end_date: str
    school_year: str
    parent_id: str | None
    org_id: str
    modified: str


@dataclass(slots=True)
class CourseRecord:
    source_id: str
    title: str
    code: str
    grades: list[str]
    subject: str
    org_id: str
    school_year_id: str
    modified: str


@dataclass(slots=True)
class ClassRecord:
    source_id: str
    title: str
    code: str
    course_id: str
    school_id: str
    term_ids: list[str]
    period: str
    location: str
    grades: list[str]
    subject: str
    modified: str


@dataclass(slots=True)
class PersonRecord:
    source_id: str
    role: str  # student | teacher | administrator
    username: str
    given_name: str
    family_name: str
    middle_name: str
    identifier: str
    email: str
    school_id: str
    grade: str | None
    birth_date: str
    sex: str
    modified: str


@dataclass(slots=True)
class EnrollmentRecord:
    source_id: str
    person_id: str
    class_id: str
    school_id: str
    role: str  # student | teacher
    primary: bool
    begin_date: str
    end_date: str
    modified: str


@dataclass(slots=True)
class LineItemRecord:
    source_id: str
    title: str
    class_id: str
    school_id: str
    term_id: str
    assign_date: str
    due_date: str
    max_score: float
    category_id: str
    modified: str


@dataclass(slots=True)
class ResultRecord:
    source_id: str
    line_item_id: str
    student_id: str
    class_id: str
    score: float
    score_status: str
    score_date: str
    comment: str
    modified: str


@dataclass(slots=True)
class CategoryRecord:
    source_id: str
    title: str
    weight: float
    modified: str


@dataclass(slots=True)
class ScoreScaleRecord:
    source_id: str
    title: str
    class_id: str
    course_id: str
    values: list[tuple[str, str]]  # (left-hand side, right-hand side): "A" -> "90-100"
    modified: str


@dataclass(slots=True)
class ResourceRecord:
    source_id: str
    title: str
    vendor_resource_id: str
    vendor_id: str
    modified: str


@dataclass(slots=True)
class AssessmentItemRecord:
    source_id: str
    title: str
    school_id: str
    max_score: float
    modified: str


@dataclass(slots=True)
class AssessmentResultRecord:
    source_id: str
    item_id: str
    student_id: str
    score: float
    score_date: str
    modified: str


@dataclass
class Institution:
    """One district with its schools, calendar, timetable, people and grades."""

    seed: int
    size: str
    orgs: list[OrgRecord] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    courses: list[CourseRecord] = field(default_factory=list)
    classes: list[ClassRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    enrollments: list[EnrollmentRecord] = field(default_factory=list)
    line_items: list[LineItemRecord] = field(default_factory=list)
    results: list[ResultRecord] = field(default_factory=list)
    categories: list[CategoryRecord] = field(default_factory=list)
    score_scales: list[ScoreScaleRecord] = field(default_factory=list)
    resources: list[ResourceRecord] = field(default_factory=list)
    course_resources: list[tuple[str, str]] = field(default_factory=list)  # (course, resource)
    assessment_items: list[AssessmentItemRecord] = field(default_factory=list)
    assessment_results: list[AssessmentResultRecord] = field(default_factory=list)
