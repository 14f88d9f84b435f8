"""LMS activities for the campus processes: pause and restore a student's course access (Canvas
enrollments inactivated, or the Moodle account suspended), create an account with enrollments
and undo it, read a class roster and post grades. Each change reports exactly what it changed, so
restoring or compensating touches only that."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from temporalio import activity

from activities.connections import integration, limited, translate
from atrium.credentials import Credentials
from connectors.canvas import CanvasClient
from connectors.canvas.models import NewEnrollment, NewUser, User
from connectors.canvas.requester import sis
from connectors.errors import Conflict, ConnectorError, NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import UserUpdate


class _Canvas(CanvasClient):
    async def delete_user(self, user_id: int) -> User:
        """``DELETE /accounts/self/users/:id`` (the connector has no method for it yet)."""
        return await self._one(User, "DELETE", f"/accounts/self/users/{user_id}")


class LmsAccessInput(BaseModel):
    lms: str
    student_id: str  # the SIS id the LMS knows the student by


class LmsAccessChange(BaseModel):
    lms: str
    system: Literal["canvas", "moodle"]
    student_id: str
    enrollment_ids: list[tuple[int, int]] = Field(default_factory=list)  # (course, enrollment)
    moodle_user_id: int | None = None
    found: bool = True


class LmsAccountInput(BaseModel):
    lms: str
    student_id: str
    login: str
    name: str
    email: str | None = None


class LmsAccount(BaseModel):
    lms: str
    user_id: int
    created: bool  # False: the account existed before, compensation must leave it alone


class EnrollInput(BaseModel):
    lms: str
    student_id: str
    courses: list[str]  # SIS course ids


class RosterInput(BaseModel):
    lms: str
    course: str  # SIS course id
    assignment_id: int


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


class LmsActivities:
    def __init__(self, engine: Engine, credentials: Credentials) -> None:
        self.engine = engine
        self.credentials = credentials

    async def _client(self, name: str) -> _Canvas | MoodleClient:
        row = await integration(self.engine, name, "canvas", "moodle")
        source = self.credentials.source(name)
        client = (
            _Canvas(row.base_url, source)
            if row.system == "canvas"
            else MoodleClient(row.base_url, source)
        )
        return limited(client, name)

    async def _canvas(self, name: str) -> _Canvas:
        client = await self._client(name)
        if not isinstance(client, _Canvas):
            await client.aclose()
            raise translate(
                NotFound(f"{name}: this step needs a Canvas connection", system="moodle")
            )
        return client

    @activity.defn(name="restrict_lms_access")
    async def restrict(self, input: LmsAccessInput) -> LmsAccessChange:
        # A retry resumes from what the last attempt reported as done (heartbeat details).
        done: list[tuple[int, int]] = [
            tuple(p) for p in (activity.info().heartbeat_details or [[]])[0]
        ]  # type: ignore[misc]
        try:
            async with await self._client(input.lms) as client:
                if isinstance(client, MoodleClient):
                    return await self._suspend(client, input, True)
                try:
                    enrollments = [
                        e
                        async for e in client.list_user_enrollments(
                            sis("user", input.student_id), states=["active"]
                        )
                    ]
                except NotFound:
                    return LmsAccessChange(
                        lms=input.lms, system="canvas", student_id=input.student_id, found=False
                    )
                for enrollment in enrollments:
                    await client.end_enrollment(enrollment.course_id, enrollment.id, "inactivate")
                    done.append((enrollment.course_id, enrollment.id))
                    activity.heartbeat(done)
        except ConnectorError as exc:
            raise translate(exc) from None
        return LmsAccessChange(
            lms=input.lms,
            system="canvas",
            student_id=input.student_id,
            enrollment_ids=sorted(set(done)),
        )

    @activity.defn(name="restore_lms_access")
    async def restore(self, change: LmsAccessChange) -> LmsAccessChange:
        try:
            async with await self._client(change.lms) as client:
                if isinstance(client, MoodleClient):
                    if change.moodle_user_id is not None:
                        await client.update_users(
                            [UserUpdate(id=change.moodle_user_id, suspended=False)]
                        )
                    return change
                for course_id, enrollment_id in change.enrollment_ids:
                    await client.reactivate_enrollment(course_id, enrollment_id)  # idempotent
        except ConnectorError as exc:
            raise translate(exc) from None
        return change

    async def _suspend(
        self, client: MoodleClient, input: LmsAccessInput, suspend: bool
    ) -> LmsAccessChange:
        users = [u async for u in client.users_by_field("idnumber", [input.student_id])]
        change = LmsAccessChange(
            lms=input.lms, system="moodle", student_id=input.student_id, found=bool(users)
        )
        if users and users[0].suspended != suspend:  # only an account we suspended is restored
            await client.update_users([UserUpdate(id=users[0].id, suspended=suspend)])
            change.moodle_user_id = users[0].id
        return change

    @activity.defn(name="create_lms_account")
    async def create_account(self, input: LmsAccountInput) -> LmsAccount:
        try:
            async with await self._canvas(input.lms) as canvas:
                try:
                    return LmsAccount(
                        lms=input.lms,
                        user_id=(await canvas.get_user_by_sis_id(input.student_id)).id,
                        created=False,
                    )
                except NotFound:
                    pass
                new = NewUser(
                    name=input.name,
                    unique_id=input.login,
                    sis_user_id=input.student_id,
                    email=input.email,
                )
                try:
                    user = await canvas.create_user(new)
                except Conflict:  # an earlier attempt created it after all
                    user = await canvas.get_user_by_sis_id(input.student_id)
        except ConnectorError as exc:
            raise translate(exc) from None
        return LmsAccount(lms=input.lms, user_id=user.id, created=True)

    @activity.defn(name="delete_lms_account")
    async def delete_account(self, account: LmsAccount) -> None:
        if not account.created:
            return
        try:
            async with await self._canvas(account.lms) as canvas:
                await canvas.delete_user(account.user_id)
        except NotFound:
            return
        except ConnectorError as exc:
            raise translate(exc) from None

    @activity.defn(name="enroll_in_courses")
    async def enroll(self, input: EnrollInput) -> list[tuple[int, int]]:
        """Enroll in each course (Canvas upserts an enrollment, so a retry is harmless)."""
        made: list[tuple[int, int]] = []
        try:
            async with await self._canvas(input.lms) as canvas:
                for course in input.courses:
                    enrollment = await canvas.enroll(
                        sis("course", course),
                        NewEnrollment(
                            user_id=sis("user", input.student_id), type="StudentEnrollment"
                        ),
                    )
                    made.append((enrollment.course_id, enrollment.id))
        except ConnectorError as exc:
            raise translate(exc) from None
        return made

    @activity.defn(name="drop_enrollments")
    async def drop(self, input: LmsAccessChange) -> None:
        try:
            async with await self._canvas(input.lms) as canvas:
                for course_id, enrollment_id in input.enrollment_ids:
                    try:
                        await canvas.end_enrollment(course_id, enrollment_id, "delete")
                    except NotFound:
                        continue
        except ConnectorError as exc:
            raise translate(exc) from None

    @activity.defn(name="lms_exam_context")
    async def exam_context(self, input: RosterInput) -> ExamContext:
        try:
            async with await self._canvas(input.lms) as canvas:
                course = await canvas.get_course_by_sis_id(input.course)
                assignments = [a async for a in canvas.list_assignments(course.id)]
                assignment = next((a for a in assignments if a.id == input.assignment_id), None)
                if assignment is None:
                    raise NotFound(
                        f"canvas: course {input.course} has no assignment {input.assignment_id}",
                        system="canvas",
                    )
                students = [
                    RosterStudent(
                        student_id=e.sis_user_id or str(e.user_id),
                        name=e.user.name if e.user else None,
                    )
                    async for e in canvas.list_course_enrollments(
                        course.id, states=["active"], types=["StudentEnrollment"]
                    )
                ]
        except ConnectorError as exc:
            raise translate(exc) from None
        return ExamContext(
            course_id=course.id,
            assignment_title=assignment.name,
            points_possible=assignment.points_possible,
            students=students,
        )

    @activity.defn(name="post_lms_grades")
    async def post_grades(self, input: GradesInput) -> int:
        """Posting a grade sets it (no increment), so a retry writes the same values."""
        if not input.grades:
            return 0
        try:
            async with await self._canvas(input.lms) as canvas:
                grades = {
                    sis("user", k) if not k.isdigit() else k: v for k, v in input.grades.items()
                }
                progress = await canvas.update_grades(
                    sis("course", input.course), {input.assignment_id: grades}
                )
        except ConnectorError as exc:
            raise translate(exc) from None
        return progress.id
