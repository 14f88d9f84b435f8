"""Typed records of Moodle's web service functions, in (what we send) and out (what it returns).

Answers ignore fields we do not use (Moodle adds some in every release); the ones we rely on are
required, so a record without them is reported as malformed instead of passing silently.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MoodleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoodleOut(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- users -------------------------------------------------------------------------------


class CustomField(MoodleIn):
    type: str  # the profile field's shortname
    value: str


class NewUser(MoodleIn):
    """One entry of core_user_create_users ``users[]``."""

    username: str = Field(min_length=1, pattern=r"^[-.@_a-z0-9]+$")
    firstname: str = Field(min_length=1)
    lastname: str = Field(min_length=1)
    email: str = Field(min_length=3)
    auth: str = "manual"
    password: str | None = None
    createpassword: bool | None = None
    idnumber: str = ""
    institution: str | None = None
    department: str | None = None
    phone1: str | None = None
    lang: str | None = None
    customfields: list[CustomField] | None = None


class UserUpdate(MoodleIn):
    """One entry of core_user_update_users ``users[]``: only the fields to change."""

    id: int
    username: str | None = Field(None, pattern=r"^[-.@_a-z0-9]+$")
    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    auth: str | None = None
    idnumber: str | None = None
    suspended: bool | None = None
    institution: str | None = None
    department: str | None = None
    phone1: str | None = None
    customfields: list[CustomField] | None = None


class CreatedUser(MoodleOut):
    id: int
    username: str


class EnsuredUser(MoodleOut):
    """What ``ensure_user`` answers: the user's id, and whether Atrium created it."""

    id: int
    created: bool


class UserCustomField(MoodleOut):
    shortname: str
    value: str | None = None


class User(MoodleOut):
    """A user as core_user_get_users_by_field returns it (empty optional fields are absent)."""

    id: int
    username: str
    firstname: str
    lastname: str
    fullname: str
    email: str = ""
    idnumber: str = ""
    auth: str = "manual"
    suspended: bool = False
    institution: str = ""
    department: str = ""
    phone1: str = ""
    customfields: list[UserCustomField] = Field(default_factory=list)


class RoleRef(MoodleOut):
    roleid: int
    shortname: str


class EnrolledUser(User):
    """A user as core_enrol_get_enrolled_users returns it: with their roles in the course."""

    roles: list[RoleRef] = Field(default_factory=list)


class Warning(MoodleOut):  # noqa: A001 - Moodle's own name for it (external_warnings)
    item: str | None = None
    itemid: int | None = None
    warningcode: str
    message: str


# --- courses -----------------------------------------------------------------------------


class NewCourse(MoodleIn):
    """One entry of core_course_create_courses ``courses[]``."""

    fullname: str = Field(min_length=1)
    shortname: str = Field(min_length=1)
    categoryid: int
    idnumber: str | None = None
    summary: str | None = None
    startdate: int | None = None  # unix time
    enddate: int | None = None
    visible: int | None = None


class CreatedCourse(MoodleOut):
    id: int
    shortname: str


class Course(MoodleOut):
    id: int
    fullname: str
    shortname: str
    categoryid: int
    idnumber: str = ""
    format: str = "topics"  # "site" for the front page course (id 1)
    visible: int = 1
    startdate: int = 0
    enddate: int = 0
    timemodified: int = 0


class UserCourse(MoodleOut):
    """A course a user is actively enrolled in (core_enrol_get_users_courses)."""

    id: int
    shortname: str
    fullname: str
    idnumber: str = ""
    visible: int = 1
    category: int | None = None
    startdate: int = 0
    enddate: int = 0


# --- enrolments --------------------------------------------------------------------------

STUDENT, NON_EDITING_TEACHER, EDITING_TEACHER = 5, 4, 3


class Enrolment(MoodleIn):
    """One entry of enrol_manual_enrol_users ``enrolments[]``."""

    roleid: int
    userid: int
    courseid: int
    timestart: int | None = None
    timeend: int | None = None
    suspend: int | None = None  # 1 to enrol suspended


class Unenrolment(MoodleIn):
    userid: int
    courseid: int
    roleid: int | None = None


# --- grades ------------------------------------------------------------------------------


class GradeItem(MoodleOut):
    id: int
    itemname: str | None = None  # None for the course total
    itemtype: str  # mod | manual | course | category
    itemmodule: str | None = None
    iteminstance: int | None = None  # for a category or the course total: the category it sums
    itemnumber: int | None = None
    cmid: int | None = None  # activity items only: the course module, as grade updates name it
    categoryid: int | None = None  # activity and manual items: the category they are filed in
    idnumber: str | None = None
    graderaw: float | None = None
    gradeformatted: str | None = None
    grademin: float = 0.0
    grademax: float = 100.0
    gradedategraded: int | None = None
    feedback: str | None = None


class CourseGradeItem(MoodleOut):
    """One entry of core_grades_get_gradeitems ``gradeItems`` (ids come as strings there)."""

    id: int
    itemname: str
    category: str | None = None


class NewGrade(MoodleIn):
    """One entry of core_grades_update_grades ``grades[]``."""

    studentid: int
    grade: float
    str_feedback: str | None = None


class UserGrades(MoodleOut):
    courseid: int
    userid: int
    userfullname: str
    useridnumber: str | None = None
    gradeitems: list[GradeItem]


# --- site --------------------------------------------------------------------------------


class FunctionRef(MoodleOut):
    name: str
    version: str


class SiteInfo(MoodleOut):
    sitename: str
    username: str
    userid: int
    siteurl: str
    release: str | None = None
    version: str | None = None
    functions: list[FunctionRef] = Field(default_factory=list)
