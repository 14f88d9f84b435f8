"""Enrollments: create, list (by course, section or user), end and reactivate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from connectors.actions import action
from connectors.canvas.models import Enrollment, EnrollmentTask, NewEnrollment
from connectors.canvas.requester import CanvasRequester, ref, sis


def _filters(states: list[str] | None, types: list[str] | None) -> list[tuple[str, Any]]:
    return [("state[]", s) for s in states or []] + [("type[]", t) for t in types or []]


class EnrollmentsApi(CanvasRequester):
    @action("canvas.enroll", effect="write", idempotent=True)
    async def enroll(self, course: int | str, new: NewEnrollment) -> Enrollment:
        """Enroll a user in a course; Canvas upserts on (user, section, type), so a repeat
        answers the same enrollment."""
        body = {"enrollment": new.model_dump(exclude_none=True)}
        return await self._one(Enrollment, "POST", f"/courses/{ref(course)}/enrollments", json=body)

    @action("canvas.enroll_in_section", effect="write", idempotent=True)
    async def enroll_in_section(self, section: int | str, new: NewEnrollment) -> Enrollment:
        """Enroll a user in a section (and so its course); an upsert, like ``canvas.enroll``."""
        body = {"enrollment": new.model_dump(exclude_none=True, exclude={"course_section_id"})}
        return await self._one(
            Enrollment, "POST", f"/sections/{ref(section)}/enrollments", json=body
        )

    @action("canvas.list_course_enrollments", effect="read")
    def list_course_enrollments(
        self, course: int | str, *, states: list[str] | None = None, types: list[str] | None = None
    ) -> AsyncIterator[Enrollment]:
        """A course's enrollments; Canvas returns active and invited ones unless ``states``
        says otherwise."""
        return self._pages(
            Enrollment, f"/courses/{ref(course)}/enrollments", _filters(states, types)
        )

    @action("canvas.list_section_enrollments", effect="read")
    def list_section_enrollments(
        self, section: int | str, *, states: list[str] | None = None, types: list[str] | None = None
    ) -> AsyncIterator[Enrollment]:
        """A section's enrollments, filtered by ``states`` and ``types``."""
        return self._pages(
            Enrollment, f"/sections/{ref(section)}/enrollments", _filters(states, types)
        )

    @action("canvas.list_user_enrollments", effect="read")
    def list_user_enrollments(
        self, user: int | str, *, states: list[str] | None = None, types: list[str] | None = None
    ) -> AsyncIterator[Enrollment]:
        """A user's enrollments across courses, filtered by ``states`` and ``types``."""
        return self._pages(Enrollment, f"/users/{ref(user)}/enrollments", _filters(states, types))

    @action("canvas.end_enrollment", effect="destructive", key="enrollment_id")
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

    @action("canvas.conclude_enrollment", effect="write", key="enrollment_id")
    async def conclude_enrollment(self, course: int | str, enrollment_id: int) -> Enrollment:
        """Conclude an enrollment (kept, marked completed); enrolling again restores it."""
        return await self.end_enrollment(course, enrollment_id, "conclude")

    @action("canvas.conclude_section_enrollment", effect="write", idempotent=True)
    async def conclude_section_enrollment(
        self, sis_section_id: str, sis_user_id: str
    ) -> Enrollment | None:
        """Conclude the active (or invited) enrollment of a user in a section, both named by SIS
        id; None when there is none left to conclude (so a repeat changes nothing)."""
        async for found in self.list_section_enrollments(
            sis("section", sis_section_id), states=["active", "invited"]
        ):
            if sis_user_id in (found.sis_user_id, found.user.sis_user_id if found.user else None):
                return await self.conclude_enrollment(found.course_id, found.id)
        return None

    @action("canvas.reactivate_enrollment", effect="write", key="enrollment_id")
    async def reactivate_enrollment(self, course: int | str, enrollment_id: int) -> Enrollment:
        """Make an inactive enrollment active again."""
        return await self._one(
            Enrollment, "PUT", f"/courses/{ref(course)}/enrollments/{enrollment_id}/reactivate"
        )
