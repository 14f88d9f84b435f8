"""Typed Canvas API objects (the fields Atrium reads; unknown fields are kept, not rejected)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CanvasModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Account(CanvasModel):
    id: int
    name: str
    parent_account_id: int | None = None
    root_account_id: int | None = None
    sis_account_id: str | None = None
    workflow_state: str | None = None


class User(CanvasModel):
    id: int
    name: str
    sortable_name: str | None = None
    short_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    sis_user_id: str | None = None
    integration_id: str | None = None
    login_id: str | None = None
    email: str | None = None
    created_at: str | None = None


class EnsuredUser(CanvasModel):
    """What ``ensure_user`` answers: the user, and whether Atrium created it."""

    user: User
    created: bool


class Login(CanvasModel):
    id: int
    user_id: int
    account_id: int | None = None
    unique_id: str
    sis_user_id: str | None = None
    integration_id: str | None = None
    workflow_state: str | None = None


class Course(CanvasModel):
    id: int
    name: str
    course_code: str | None = None
    account_id: int | None = None
    enrollment_term_id: int | None = None
    sis_course_id: str | None = None
    workflow_state: str | None = None
    start_at: str | None = None
    end_at: str | None = None


class Section(CanvasModel):
    id: int
    name: str
    course_id: int
    sis_section_id: str | None = None
    sis_course_id: str | None = None
    start_at: str | None = None
    end_at: str | None = None


EnrollmentType = Literal[
    "StudentEnrollment",
    "TeacherEnrollment",
    "TaEnrollment",
    "ObserverEnrollment",
    "DesignerEnrollment",
]
EnrollmentTask = Literal["conclude", "delete", "inactivate", "deactivate"]


class EnrollmentUser(CanvasModel):
    id: int
    name: str | None = None
    sis_user_id: str | None = None
    login_id: str | None = None


class Enrollment(CanvasModel):
    id: int
    user_id: int
    course_id: int
    course_section_id: int | None = None
    type: str
    role: str | None = None
    enrollment_state: str
    sis_user_id: str | None = None
    sis_course_id: str | None = None
    sis_section_id: str | None = None
    user: EnrollmentUser | None = None


class Assignment(CanvasModel):
    id: int
    name: str
    course_id: int
    points_possible: float | None = None
    due_at: str | None = None
    published: bool | None = None
    assignment_group_id: int | None = None
    grading_type: str | None = None  # points | percent | letter_grade | gpa_scale | pass_fail ...
    grading_standard_id: int | None = None


class AssignmentGroup(CanvasModel):
    id: int
    name: str
    position: int | None = None
    group_weight: float | None = None
    assignments: list[Assignment] = Field(default_factory=list)  # with include[]=assignments


class GradingSchemeEntry(CanvasModel):
    name: str
    value: float  # the lower bound, as a fraction of the points (0.9 = 90 %)


class GradingStandard(CanvasModel):
    id: int
    title: str
    context_type: str | None = None
    context_id: int | None = None
    grading_scheme: list[GradingSchemeEntry] = Field(default_factory=list)


class Submission(CanvasModel):
    id: int
    assignment_id: int
    user_id: int
    score: float | None = None
    grade: str | None = None
    workflow_state: str
    excused: bool | None = None
    user: EnrollmentUser | None = None  # with include[]=user


class Progress(CanvasModel):
    id: int
    workflow_state: Literal["queued", "running", "completed", "failed"]
    completion: float | None = None
    message: str | None = None
    tag: str | None = None


SisImportState = Literal[
    "initializing",
    "created",
    "importing",
    "cleanup_batch",
    "imported",
    "imported_with_messages",
    "aborted",
    "failed",
    "failed_with_messages",
    "restoring",
    "partially_restored",
    "restored",
]
SIS_IMPORT_DONE = frozenset(
    {"imported", "imported_with_messages", "aborted", "failed", "failed_with_messages", "restored"}
)


class SisImportData(CanvasModel):
    import_type: str | None = None
    supplied_batches: list[str] = Field(default_factory=list)
    counts: dict[str, int] | None = None


class SisImport(CanvasModel):
    id: int
    workflow_state: SisImportState
    progress: int | float | None = None
    data: SisImportData | None = None
    processing_errors: list[list[str]] = Field(default_factory=list)
    processing_warnings: list[list[str]] = Field(default_factory=list)
    diffing_data_set_identifier: str | None = None
    diffed_against_import_id: int | None = None
    created_at: str | None = None
    ended_at: str | None = None

    @property
    def finished(self) -> bool:
        return self.workflow_state in SIS_IMPORT_DONE

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.data.counts or {}) if self.data else {}


# What we send. Canvas reads nested parameters (user[name], pseudonym[unique_id], ...).


class NewUser(CanvasModel):
    name: str
    unique_id: str  # the login
    sis_user_id: str | None = None
    integration_id: str | None = None
    short_name: str | None = None
    sortable_name: str | None = None
    email: str | None = None


class UserUpdate(CanvasModel):
    name: str | None = None
    short_name: str | None = None
    sortable_name: str | None = None
    email: str | None = None


class NewCourse(CanvasModel):
    name: str
    course_code: str | None = None
    sis_course_id: str | None = None
    term_id: str | None = None  # a Canvas id or "sis_term_id:..."
    start_at: str | None = None
    end_at: str | None = None
    offer: bool = False


class CourseUpdate(CanvasModel):
    name: str | None = None
    course_code: str | None = None
    sis_course_id: str | None = None
    event: Literal["offer", "claim", "conclude", "delete", "undelete"] | None = None


class NewSection(CanvasModel):
    name: str
    sis_section_id: str | None = None
    start_at: str | None = None
    end_at: str | None = None


class NewEnrollment(CanvasModel):
    user_id: str  # a Canvas id or "sis_user_id:..."
    type: EnrollmentType
    enrollment_state: Literal["active", "invited", "inactive"] = "active"
    course_section_id: str | None = None
    notify: bool = False


class NewAssignment(CanvasModel):
    name: str
    points_possible: float | None = None
    due_at: str | None = None
    published: bool = True
    submission_types: list[str] = Field(default_factory=lambda: ["none"])
    assignment_group_id: int | None = None
    grading_type: str | None = None
    grading_standard_id: int | None = None
