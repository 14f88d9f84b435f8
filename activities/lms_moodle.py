"""The campus processes' LMS steps done in Moodle: the account is a user whose ``idnumber`` is
the SIS id, courses are found by their ``idnumber``, an exam is an activity's grade item (its id
is the ``assignment_id``) and its grades are set with core_grades_update_grades."""

from __future__ import annotations

from activities.lms_models import (
    EnrollInput,
    ExamContext,
    GradesInput,
    LmsAccessChange,
    LmsAccount,
    LmsAccountInput,
    RosterInput,
    RosterStudent,
)
from connectors.errors import NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import (
    STUDENT,
    Course,
    Enrolment,
    GradeItem,
    NewGrade,
    NewUser,
    Unenrolment,
    User,
)


async def _user(moodle: MoodleClient, student_id: str) -> User | None:
    users = [u async for u in moodle.users_by_field("idnumber", [student_id])]
    return users[0] if users else None


async def _course(moodle: MoodleClient, sis_course_id: str) -> Course:
    courses = await moodle.courses_by_field("idnumber", sis_course_id)
    if not courses:
        raise NotFound(f"moodle: no course with idnumber {sis_course_id!r}", system="moodle")
    return courses[0]


async def create_account(moodle: MoodleClient, input: LmsAccountInput) -> LmsAccount:
    first, _, last = input.name.partition(" ")
    new = NewUser(
        username=input.login.lower(),
        firstname=input.given_name or first,
        lastname=input.family_name or last or first,
        email=input.email or input.login,
        idnumber=input.student_id,
        createpassword=True,
    )
    ensured = await moodle.ensure_user(new)
    return LmsAccount(lms=input.lms, user_id=ensured.id, created=ensured.created, system="moodle")


async def delete_account(moodle: MoodleClient, account: LmsAccount) -> None:
    try:
        await moodle.delete_users([account.user_id])
    except NotFound:
        return  # deleted by an earlier attempt


async def enroll(moodle: MoodleClient, input: EnrollInput) -> list[tuple[int, int]]:
    """Enrol as a student in each course (re-enrolling is harmless); (course, user) pairs."""
    user = await _user(moodle, input.student_id)
    if user is None:
        raise NotFound(f"moodle: no user with idnumber {input.student_id!r}", system="moodle")
    courses = [await _course(moodle, course) for course in input.courses]
    await moodle.enrol([Enrolment(roleid=STUDENT, userid=user.id, courseid=c.id) for c in courses])
    return [(c.id, user.id) for c in courses]


async def drop(moodle: MoodleClient, change: LmsAccessChange) -> None:
    if change.enrollment_ids:
        await moodle.unenrol([Unenrolment(courseid=c, userid=u) for c, u in change.enrollment_ids])


async def _grade_item(moodle: MoodleClient, course: Course, item_id: int) -> GradeItem:
    for report in await moodle.grade_items(course.id):
        for item in report.gradeitems:
            if item.id == item_id and item.itemtype == "mod":
                return item
    raise NotFound(
        f"moodle: course {course.idnumber!r} has no graded activity {item_id}", system="moodle"
    )


async def exam_context(moodle: MoodleClient, input: RosterInput) -> ExamContext:
    course = await _course(moodle, input.course)
    item = await _grade_item(moodle, course, input.assignment_id)
    students = [
        RosterStudent(student_id=u.idnumber, name=u.fullname)
        async for u in moodle.enrolled_users(course.id, only_active=True)
        if u.idnumber and any(r.roleid == STUDENT for r in u.roles)
    ]
    return ExamContext(
        course_id=course.id,
        assignment_title=item.itemname or f"grade item {item.id}",
        points_possible=item.grademax,
        students=students,
    )


async def post_grades(moodle: MoodleClient, input: GradesInput) -> None:
    """Grades go to the activity behind the grade item (its course module and module name)."""
    course = await _course(moodle, input.course)
    item = await _grade_item(moodle, course, input.assignment_id)
    if item.cmid is None or not item.itemmodule:
        raise NotFound(f"moodle: grade item {item.id} is not an activity's", system="moodle")
    ids = {u.idnumber: u.id async for u in moodle.users_by_field("idnumber", list(input.grades))}
    missing = sorted(set(input.grades) - set(ids))
    if missing:
        raise NotFound(f"moodle: no user with idnumber {', '.join(missing)}", system="moodle")
    grades = [NewGrade(studentid=ids[s], grade=float(g)) for s, g in input.grades.items()]
    await moodle.update_grades(course.id, f"mod_{item.itemmodule}", item.cmid, grades)
