"""Enrollments: create, list (by course, section or user), end and reactivate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from connectors.canvas.models import Enrollment, EnrollmentTask, NewEnrollment
from connectors.canvas.requester import CanvasRequester, ref


def _filters(states: list[str] | None, types: list[str] | None) -> list[tuple[str, Any]]:
    return [("state[]", s) for s in states or []] + [("type[]", t) for t in types or []]


class EnrollmentsApi(CanvasRequester):
    async def enroll(self, course: int | str, new: NewEnrollment) -> Enrollment:
        body = {"enrollment": new.model_dump(exclude_none=True)}
        return await self._one(Enrollment, "POST", f"/courses/{ref(course)}/enrollments", json=body)

    async def enroll_in_section(self, section: int | str, new: NewEnrollment) -> Enrollment:
        body = {"enrollment": new.model_dump(exclude_none=True, exclude={"course_section_id"})}
        return await self._one(
            Enrollment, "POST", f"/sections/{ref(section)}/enrollments", json=body
        )

    def list_course_enrollments(
        self, course: int | str, *, states: list[str] | None = None, types: list[str] | None = None
    ) -> AsyncIterator[Enrollment]:
        """Canvas returns active and invited enrollments unless ``states`` says otherwise."""
        return self._pages(
            Enrollment, f"/courses/{ref(course)}/enrollments", _filters(states, types)
        )

    def list_section_enrollments(
        self, section: int | str, *, states: list[str] | None = None, types: list[str] | None = None
    ) -> AsyncIterator[Enrollment]:
        return self._pages(
            Enrollment, f"/sections/{ref(section)}/enrollments", _filters(states, types)
        )

    def list_user_enrollments(
        self, user: int | str, *, states: list[str] | None = None, types: list[str] | None = None
    ) -> AsyncIterator[Enrollment]:
        return self._pages(Enrollment, f"/users/{ref(user)}/enrollments", _filters(states, types))

    async def end_enrollment(
        self, course: int | str, enrollment_id: int, task: EnrollmentTask = "conclude"
    ) -> Enrollment:
        """Conclude (completed), delete, or inactivate an enrollment."""
        return await self._one(
            Enrollment,
            "DELETE",
            f"/courses/{ref(course)}/enrollments/{enrollment_id}",
            params={"task": task},
        )

    async def conclude_enrollment(self, course: int | str, enrollment_id: int) -> Enrollment:
        return await self.end_enrollment(course, enrollment_id, "conclude")

    async def reactivate_enrollment(self, course: int | str, enrollment_id: int) -> Enrollment:
        return await self._one(
            Enrollment, "PUT", f"/courses/{ref(course)}/enrollments/{enrollment_id}/reactivate"
        )
