"""What the LMS activities take and give, whatever the LMS behind the connection."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

LmsSystem = Literal["canvas", "moodle"]


class LmsAccessInput(BaseModel):
    lms: str
    student_id: str  # the SIS id the LMS knows the student by


class LmsAccessChange(BaseModel):
    lms: str
    system: LmsSystem
    student_id: str
    # Canvas: (course, enrollment); Moodle: (course, user), what unenrolling needs.
    enrollment_ids: list[tuple[int, int]] = Field(default_factory=list)
    moodle_user_id: int | None = None
    found: bool = True


class LmsAccountInput(BaseModel):
    lms: str
    student_id: str
    login: str
    name: str
    email: str | None = None
    given_name: str | None = None  # Moodle keeps first and last names apart
    family_name: str | None = None


class LmsAccount(BaseModel):
    lms: str
    user_id: int
    created: bool  # False: the account existed before, compensation must leave it alone
    system: LmsSystem = "canvas"


class EnrollInput(BaseModel):
    lms: str
    student_id: str
    courses: list[str]  # SIS course ids


class RosterInput(BaseModel):
    lms: str
    course: str  # SIS course id
    assignment_id: int  # Canvas: an assignment; Moodle: an activity's grade item id


class RosterStudent(BaseModel):
    student_id: str
    name: str | None = None


class ExamContext(BaseModel):
    course_id: int
    assignment_title: str
    points_possible: float | None
    students: list[RosterStudent]


class GradesInput(BaseModel):
    lms: str
    course: str
    assignment_id: int
    grades: dict[str, str]  # SIS user id -> posted grade
