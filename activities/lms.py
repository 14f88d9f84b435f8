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
from activities.privacy_tombstones import refuse_erased
from activities.runtime import Runtime
from atrium.credentials import Credentials
from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import NewEnrollment, NewUser
from connectors.errors import NotFound
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


class LmsActivities:
    def __init__(
        self, engine: Engine, credentials: Credentials, runtime: Runtime | None = None
    ) -> None:
        self.runtime = runtime or Runtime(engine, credentials)

    async def _client(self, name: str) -> CanvasClient | MoodleClient:
        """The runtime's kept client of connection ``name`` (not closed by the caller)."""
        row = await self.runtime.aconnection(name, "canvas", "moodle")
        if row.system == "canvas":
            return self.runtime.client(row, CanvasClient)
        return self.runtime.client(row, MoodleClient)

    @activity.defn(name="restrict_lms_access")
    async def restrict(self, input: LmsAccessInput) -> LmsAccessChange:
        # A retry resumes from what the last attempt reported as done (heartbeat details).
        done: list[tuple[int, int]] = [
            tuple(p) for p in (activity.info().heartbeat_details or [[]])[0]
        ]  # type: ignore[misc]
        client = await self._client(input.lms)
        with self.runtime.translate(input.lms):
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
        return LmsAccessChange(
            lms=input.lms,
            system="canvas",
            student_id=input.student_id,
            enrollment_ids=sorted(set(done)),
        )

    @activity.defn(name="restore_lms_access")
    async def restore(self, change: LmsAccessChange) -> LmsAccessChange:
        client = await self._client(change.lms)
        with self.runtime.translate(change.lms):
            if isinstance(client, MoodleClient):
                if change.moodle_user_id is not None:
                    await client.update_users(
                        [UserUpdate(id=change.moodle_user_id, suspended=False)]
                    )
                return change
            for course_id, enrollment_id in change.enrollment_ids:
                await client.reactivate_enrollment(course_id, enrollment_id)  # idempotent
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
        # onboarding knows the person by one id: the SIS id here, the person number elsewhere
        await refuse_erased(
            self.runtime.engine, "LMS account", sourced_id=input.student_id, number=input.student_id
        )
        client = await self._client(input.lms)
        with self.runtime.translate(input.lms):
            if isinstance(client, MoodleClient):
                return await lms_moodle.create_account(client, input)
            new = NewUser(
                name=input.name,
                unique_id=input.login,
                sis_user_id=input.student_id,
                email=input.email,
            )
            ensured = await client.ensure_user(new)
        return LmsAccount(lms=input.lms, user_id=ensured.user.id, created=ensured.created)

    @activity.defn(name="delete_lms_account")
    async def delete_account(self, account: LmsAccount) -> None:
        if not account.created:
            return
        client = await self._client(account.lms)
        with self.runtime.translate(account.lms):
            try:
                if isinstance(client, MoodleClient):
                    await lms_moodle.delete_account(client, account)
                else:
                    await client.delete_user(account.user_id)
            except NotFound:
                return  # deleted by an earlier attempt

    @activity.defn(name="enroll_in_courses")
    async def enroll(self, input: EnrollInput) -> list[tuple[int, int]]:
        """Enroll in each course (Canvas upserts an enrollment, Moodle re-enrols in place, so a
        retry is harmless)."""
        made: list[tuple[int, int]] = []
        client = await self._client(input.lms)
        with self.runtime.translate(input.lms):
            if isinstance(client, MoodleClient):
                return await lms_moodle.enroll(client, input)
            for course in input.courses:
                enrollment = await client.enroll(
                    sis("course", course),
                    NewEnrollment(user_id=sis("user", input.student_id), type="StudentEnrollment"),
                )
                made.append((enrollment.course_id, enrollment.id))
        return made

    @activity.defn(name="drop_enrollments")
    async def drop(self, input: LmsAccessChange) -> None:
        client = await self._client(input.lms)
        with self.runtime.translate(input.lms):
            if isinstance(client, MoodleClient):
                await lms_moodle.drop(client, input)
                return
            for course_id, enrollment_id in input.enrollment_ids:
                try:
                    await client.end_enrollment(course_id, enrollment_id, "delete")
                except NotFound:
                    continue

    @activity.defn(name="lms_exam_context")
    async def exam_context(self, input: RosterInput) -> ExamContext:
        client = await self._client(input.lms)
        with self.runtime.translate(input.lms):
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
        client = await self._client(input.lms)
        with self.runtime.translate(input.lms):
            if isinstance(client, MoodleClient):
                await lms_moodle.post_grades(client, input)
                return 0
            grades = {sis("user", k) if not k.isdigit() else k: v for k, v in input.grades.items()}
            progress = await client.update_assignment_grades(
                sis("course", input.course), input.assignment_id, grades
            )
        return progress.id
