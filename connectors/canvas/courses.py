"""Courses and sections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from connectors.actions import action
from connectors.canvas.models import Course, CourseUpdate, NewCourse, NewSection, Section
from connectors.canvas.requester import CanvasRequester, ref, sis


class CoursesApi(CanvasRequester):
    @action("canvas.list_courses", effect="read")
    def list_courses(
        self,
        account: int | str = "self",
        *,
        search_term: str | None = None,
        states: list[str] | None = None,
    ) -> AsyncIterator[Course]:
        """The account's courses, optionally filtered by ``states`` and a ``search_term``."""
        params: list[tuple[str, Any]] = [("state[]", s) for s in states or []]
        if search_term:
            params.append(("search_term", search_term))
        return self._pages(Course, f"/accounts/{ref(account)}/courses", params)

    @action("canvas.get_course", effect="read")
    async def get_course(self, course: int | str) -> Course:
        """One course by Canvas id or ``sis_course_id:...`` reference."""
        return await self._one(Course, "GET", f"/courses/{ref(course)}")

    @action("canvas.get_course_by_sis_id", effect="read")
    async def get_course_by_sis_id(self, sis_course_id: str) -> Course:
        """One course by its SIS id."""
        return await self.get_course(sis("course", sis_course_id))

    @action("canvas.create_course", effect="write", key="new.sis_course_id")
    async def create_course(self, new: NewCourse, account: int | str = "self") -> Course:
        """Create a course in an account; Canvas refuses a second course with the same SIS id."""
        fields = new.model_dump(exclude_none=True, exclude={"offer"})
        body = {"course": fields, "offer": new.offer}
        return await self._one(Course, "POST", f"/accounts/{ref(account)}/courses", json=body)

    @action("canvas.update_course", effect="write", idempotent=True)
    async def update_course(self, course: int | str, update: CourseUpdate) -> Course:
        """Change a course's name, code or SIS id, or move it through an ``event`` (offer,
        conclude, ...); the same update twice leaves the same course."""
        body = {"course": update.model_dump(exclude_none=True)}
        return await self._one(Course, "PUT", f"/courses/{ref(course)}", json=body)

    @action("canvas.list_sections", effect="read")
    def list_sections(self, course: int | str) -> AsyncIterator[Section]:
        """A course's sections."""
        return self._pages(Section, f"/courses/{ref(course)}/sections")

    @action("canvas.get_section", effect="read")
    async def get_section(self, section: int | str) -> Section:
        """One section by Canvas id or ``sis_section_id:...`` reference."""
        return await self._one(Section, "GET", f"/sections/{ref(section)}")

    @action("canvas.create_section", effect="write", key="new.sis_section_id")
    async def create_section(self, course: int | str, new: NewSection) -> Section:
        """Add a section to a course; Canvas refuses a second section with the same SIS id."""
        body = {"course_section": new.model_dump(exclude_none=True)}
        return await self._one(Section, "POST", f"/courses/{ref(course)}/sections", json=body)
