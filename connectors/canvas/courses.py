"""Courses and sections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from connectors.canvas.models import Course, CourseUpdate, NewCourse, NewSection, Section
from connectors.canvas.requester import CanvasRequester, ref, sis


class CoursesApi(CanvasRequester):
    def list_courses(
        self,
        account: int | str = "self",
        *,
        search_term: str | None = None,
        states: list[str] | None = None,
    ) -> AsyncIterator[Course]:
        params: list[tuple[str, Any]] = [("state[]", s) for s in states or []]
        if search_term:
            params.append(("search_term", search_term))
        return self._pages(Course, f"/accounts/{ref(account)}/courses", params)

    async def get_course(self, course: int | str) -> Course:
        return await self._one(Course, "GET", f"/courses/{ref(course)}")

    async def get_course_by_sis_id(self, sis_course_id: str) -> Course:
        return await self.get_course(sis("course", sis_course_id))

    async def create_course(self, new: NewCourse, account: int | str = "self") -> Course:
        fields = new.model_dump(exclude_none=True, exclude={"offer"})
        body = {"course": fields, "offer": new.offer}
        return await self._one(Course, "POST", f"/accounts/{ref(account)}/courses", json=body)

    async def update_course(self, course: int | str, update: CourseUpdate) -> Course:
        body = {"course": update.model_dump(exclude_none=True)}
        return await self._one(Course, "PUT", f"/courses/{ref(course)}", json=body)

    def list_sections(self, course: int | str) -> AsyncIterator[Section]:
        return self._pages(Section, f"/courses/{ref(course)}/sections")

    async def get_section(self, section: int | str) -> Section:
        return await self._one(Section, "GET", f"/sections/{ref(section)}")

    async def create_section(self, course: int | str, new: NewSection) -> Section:
        body = {"course_section": new.model_dump(exclude_none=True)}
        return await self._one(Section, "POST", f"/courses/{ref(course)}/sections", json=body)
