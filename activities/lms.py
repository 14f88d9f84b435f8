"""LMS activities for the campus processes: pause and restore a student's course access (Canvas
enrollments inactivated, or the Moodle account suspended), create an account with enrollments
and undo it, read a class roster and post grades. Each change reports exactly what it changed, so
restoring or compensating touches only that. Every step works with Canvas and with Moodle (the
connection named in the input decides; ``activities/lms_moodle.py`` holds the Moodle side), and a
connection that is neither fails the first step of a process, naming it."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from temporalio import activity

from activities import lms_moodle
from activities.connections import integration, limited, translate
from activities.lms_models import (
    EnrollInput,
    ExamContext,
    GradesInput,
    LmsAccessChange,
    LmsAccessInput,
    LmsAccount,
    LmsAccountInput,
    RosterInput,
    RosterStudent,
)
from atrium.credentials import Credentials
from connectors.canvas import CanvasClient
from connectors.canvas.models import NewEnrollment, NewUser, User
from connectors.canvas.requester import sis
from connectors.errors import Conflict, ConnectorError, NotFound
from connectors.moodle import MoodleClient
from connectors.moodle.models import UserUpdate

__all__ = [
    "EnrollInput",
    "ExamContext",
    "GradesInput",
    "LmsAccessChange",
    "LmsAccessInput",
    "LmsAccount",
    "LmsAccountInput",
    "LmsActivities",
    "RosterInput",
    "RosterStudent",
]


class _Canvas(CanvasClient):
    async def delete_user(self, user_id: int) -> User:
        """``DELETE /accounts/self/users/:id`` (the connector has no method for it yet)."""
        return await self._one(User, "DELETE", f"/accounts/self/users/{user_id}")


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
            async with await self._client(input.lms) as client:
                if isinstance(client, MoodleClient):
                    return await lms_moodle.create_account(client, input)
                try:
                    return LmsAccount(
                        lms=input.lms,
                        user_id=(await client.get_user_by_sis_id(input.student_id)).id,
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
                    user = await client.create_user(new)
                except Conflict:  # an earlier attempt created it after all
                    user = await client.get_user_by_sis_id(input.student_id)
        except ConnectorError as exc:
            raise translate(exc) from None
        return LmsAccount(lms=input.lms, user_id=user.id, created=True)

    @activity.defn(name="delete_lms_account")
    async def delete_account(self, account: LmsAccount) -> None:
        if not account.created:
            return
        try:
            async with await self._client(account.lms) as client:
                if isinstance(client, MoodleClient):
                    await lms_moodle.delete_account(client, account)
                else:
                    await client.delete_user(account.user_id)
        except NotFound:
            return
        except ConnectorError as exc:
            raise translate(exc) from None

    @activity.defn(name="enroll_in_courses")
    async def enroll(self, input: EnrollInput) -> list[tuple[int, int]]:
        """Enroll in each course (Canvas upserts an enrollment, Moodle re-enrols in place, so a
        retry is harmless)."""
        made: list[tuple[int, int]] = []
        try:
            async with await self._client(input.lms) as client:
                if isinstance(client, MoodleClient):
                    return await lms_moodle.enroll(client, input)
                for course in input.courses:
                    enrollment = await client.enroll(
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
            async with await self._client(input.lms) as client:
                if isinstance(client, MoodleClient):
                    await lms_moodle.drop(client, input)
                    return
                for course_id, enrollment_id in input.enrollment_ids:
                    try:
                        await client.end_enrollment(course_id, enrollment_id, "delete")
                    except NotFound:
                        continue
        except ConnectorError as exc:
            raise translate(exc) from None

    @activity.defn(name="lms_exam_context")
    async def exam_context(self, input: RosterInput) -> ExamContext:
        try:
            async with await self._client(input.lms) as client:
                if isinstance(client, MoodleClient):
                    return await lms_moodle.exam_context(client, input)
                course = await client.get_course_by_sis_id(input.course)
                assignments = [a async for a in client.list_assignments(course.id)]
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
                    async for e in client.list_course_enrollments(
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
        """Posting a grade sets it (no increment), so a retry writes the same values. Canvas
        answers the id of the Progress of its one-assignment bulk update; Moodle applies the
        grades at once (0)."""
        if not input.grades:
            return 0
        try:
            async with await self._client(input.lms) as client:
                if isinstance(client, MoodleClient):
                    await lms_moodle.post_grades(client, input)
                    return 0
                grades = {
                    sis("user", k) if not k.isdigit() else k: v for k, v in input.grades.items()
                }
                progress = await client.update_assignment_grades(
                    sis("course", input.course), input.assignment_id, grades
                )
        except ConnectorError as exc:
            raise translate(exc) from None
        return progress.id
