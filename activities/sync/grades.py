"""Grade passback LMS -> SIS: Canvas assignments and scores written to the OneRoster gradebook.

Every write is an idempotent PUT keyed by a stable sourcedId derived from the LMS's own ids
(``{lms}-{class}-a{assignment}`` for a line item, ``{line item}-{student}`` for a result), so a
retried or repeated passback replaces a record with itself and never creates a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio import activity

from activities.sync.context import SyncContext
from activities.sync.errors import translate
from connectors.canvas import CanvasClient, sis
from connectors.canvas.models import Assignment


class PassbackInput(BaseModel):
    lms: str
    sis: str
    class_id: str


class PassbackResult(BaseModel):
    class_id: str
    line_items: int = 0
    results: int = 0


def stamp(value: str | None = None) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def line_item_id(lms: str, class_id: str, assignment: Assignment) -> str:
    return f"{lms}-{class_id}-a{assignment.id}"


class GradeActivities:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    @activity.defn(name="grade_passback_class")
    async def passback_class(self, input: PassbackInput) -> PassbackResult:
        found = self.ctx.integration(input.lms)
        result = PassbackResult(class_id=input.class_id)
        course = sis("course", input.class_id)
        async with (
            CanvasClient(found.base_url, self.ctx.secret(input.lms)) as lms,
            self.ctx.borrow_source(input.sis) as gradebook,
        ):
            with translate():
                students = {
                    e.user_id: e.sis_user_id or (e.user.sis_user_id if e.user else None)
                    async for e in lms.list_course_enrollments(course, types=["StudentEnrollment"])
                }
                assignments = {a.id: a async for a in lms.list_assignments(course)}
                for assignment in assignments.values():
                    due = stamp(assignment.due_at)
                    await gradebook.put_gradebook(
                        "lineItems",
                        "lineItem",
                        {
                            "sourcedId": line_item_id(input.lms, input.class_id, assignment),
                            "status": "active",
                            "title": assignment.name,
                            "assignDate": due,
                            "dueDate": due,
                            "class": {"sourcedId": input.class_id},
                            "resultValueMin": 0.0,
                            "resultValueMax": float(assignment.points_possible or 100.0),
                        },
                    )
                    result.line_items += 1
                    activity.heartbeat(f"{input.class_id}: line item {assignment.id}")
                async for submission in lms.list_submissions(course):
                    student = students.get(submission.user_id)
                    graded = assignments.get(submission.assignment_id)
                    if submission.score is None or not student or graded is None:
                        continue  # ungraded, or not a SIS student: nothing to pass back
                    item = line_item_id(input.lms, input.class_id, graded)
                    await gradebook.put_gradebook(
                        "results",
                        "result",
                        {
                            "sourcedId": f"{item}-{student}",
                            "status": "active",
                            "lineItem": {"sourcedId": item},
                            "student": {"sourcedId": student},
                            "scoreStatus": "fully graded",
                            "score": submission.score,
                            "scoreDate": stamp()[:10],
                        },
                    )
                    result.results += 1
        return result
