"""Assignments, submissions and bulk grade updates (which answer a Progress to poll)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from connectors.canvas.models import Assignment, NewAssignment, Progress, Submission
from connectors.canvas.requester import CanvasRequester, ref


class SubmissionsApi(CanvasRequester):
    def list_assignments(self, course: int | str) -> AsyncIterator[Assignment]:
        return self._pages(Assignment, f"/courses/{ref(course)}/assignments")

    async def create_assignment(self, course: int | str, new: NewAssignment) -> Assignment:
        body = {"assignment": new.model_dump(exclude_none=True)}
        return await self._one(Assignment, "POST", f"/courses/{ref(course)}/assignments", json=body)

    def list_submissions(
        self,
        course: int | str,
        *,
        student_ids: list[str] | None = None,
        assignment_ids: list[int] | None = None,
    ) -> AsyncIterator[Submission]:
        """Submissions of ``student_ids`` (default: every student) in a course."""
        params: list[tuple[str, Any]] = [("student_ids[]", s) for s in student_ids or ["all"]]
        params += [("assignment_ids[]", a) for a in assignment_ids or []]
        return self._pages(Submission, f"/courses/{ref(course)}/students/submissions", params)

    async def update_grades(
        self, course: int | str, grades: Mapping[int, Mapping[str, str]]
    ) -> Progress:
        """``grades[assignment_id][student] = posted_grade``; student is an id or"
        " ``sis_user_id:..``."""
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

    async def get_progress(self, progress_id: int) -> Progress:
        return await self._one(Progress, "GET", f"/progress/{progress_id}")
