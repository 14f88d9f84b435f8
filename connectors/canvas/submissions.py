"""Assignments, submissions and bulk grade updates (which answer a Progress to poll)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal

from connectors.actions import action
from connectors.canvas.models import Assignment, NewAssignment, Progress, Submission
from connectors.canvas.requester import CanvasRequester, ref

# What "List submissions for multiple assignments" documents for include[].
SubmissionInclude = Literal[
    "submission_history",
    "submission_comments",
    "rubric_assessment",
    "assignment",
    "total_scores",
    "visibility",
    "course",
    "user",
]


class SubmissionsApi(CanvasRequester):
    @action("canvas.list_assignments", effect="read")
    def list_assignments(self, course: int | str) -> AsyncIterator[Assignment]:
        """A course's assignments."""
        return self._pages(Assignment, f"/courses/{ref(course)}/assignments")

    @action("canvas.create_assignment", effect="write")
    async def create_assignment(self, course: int | str, new: NewAssignment) -> Assignment:
        """Add an assignment to a course (Canvas has no key against a second one)."""
        body = {"assignment": new.model_dump(exclude_none=True)}
        return await self._one(Assignment, "POST", f"/courses/{ref(course)}/assignments", json=body)

    @action("canvas.list_submissions", effect="read")
    def list_submissions(
        self,
        course: int | str,
        *,
        student_ids: list[str] | None = None,
        assignment_ids: list[int] | None = None,
        include: Sequence[SubmissionInclude] = ("user",),
    ) -> AsyncIterator[Submission]:
        """Submissions of ``student_ids`` (default: every student) in a course; ``include[]=user``
        (the default) brings each student's ``sis_user_id`` along, so no enrollment lookup is
        needed to know who a score belongs to."""
        params: list[tuple[str, Any]] = [("student_ids[]", s) for s in student_ids or ["all"]]
        params += [("assignment_ids[]", a) for a in assignment_ids or []]
        params += [("include[]", i) for i in include]
        return self._pages(Submission, f"/courses/{ref(course)}/students/submissions", params)

    @action("canvas.update_grades", effect="write", idempotent=True)
    async def update_grades(
        self, course: int | str, grades: Mapping[int, Mapping[str, str]]
    ) -> Progress:
        """Post grades for several assignments of a course at once; posting a grade sets it.

        ``grades[assignment_id][student] = posted_grade``; student is an id or
        ``sis_user_id:..``. Canvas answers a Progress to poll."""
        grade_data = {
            str(assignment): {
                student: {"posted_grade": grade} for student, grade in by_student.items()
            }
            for assignment, by_student in grades.items()
        }
        return await self._one(
            Progress,
            "POST",
            f"/courses/{ref(course)}/submissions/update_grades",
            json={"grade_data": grade_data},
        )

    @action("canvas.update_assignment_grades", effect="write", idempotent=True)
    async def update_assignment_grades(
        self, course: int | str, assignment_id: int, grades: Mapping[str, str]
    ) -> Progress:
        """One assignment's grades: ``grades[student] = posted_grade`` (student: an id or
        ``sis_user_id:..``), through the assignment-level bulk endpoint. Canvas answers a
        Progress; posting a grade sets it, so a retried call writes the same values."""
        grade_data = {student: {"posted_grade": grade} for student, grade in grades.items()}
        return await self._one(
            Progress,
            "POST",
            f"/courses/{ref(course)}/assignments/{assignment_id}/submissions/update_grades",
            json={"grade_data": grade_data},
        )

    @action("canvas.get_progress", effect="read")
    async def get_progress(self, progress_id: int) -> Progress:
        """The state of a bulk job (a grade update) Canvas answered a Progress for."""
        return await self._one(Progress, "GET", f"/progress/{progress_id}")
