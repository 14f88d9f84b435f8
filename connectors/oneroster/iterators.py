"""Typed iterators over every OneRoster collection, all thin wrappers of ``iterate``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from typing import Any, TypedDict

from typing_extensions import Unpack

from connectors.oneroster import models


class ListOptions(TypedDict, total=False):
    parent: tuple[str, str] | None  # ("classes", "cls-1") for /classes/cls-1/students
    filter: str | None  # OneRoster filter, e.g. "dateLastModified>'2026-01-01T00:00:00Z'"
    sort: str | None
    order_by: str | None  # asc | desc
    fields: Sequence[str] | None
    page_size: int


class TypedIterators(ABC):
    """Typed iterators over every collection, for a client that knows how to ``iterate``."""

    @abstractmethod
    def iterate(self, name: str, **options: Unpack[ListOptions]) -> AsyncIterator[Any]: ...

    def iter_orgs(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.Org]:
        return self.iterate("orgs", **o)

    def iter_schools(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.Org]:
        return self.iterate("schools", **o)

    def iter_academic_sessions(
        self, **o: Unpack[ListOptions]
    ) -> AsyncIterator[models.AcademicSession]:
        return self.iterate("academicSessions", **o)

    def iter_terms(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.AcademicSession]:
        return self.iterate("terms", **o)

    def iter_grading_periods(
        self, **o: Unpack[ListOptions]
    ) -> AsyncIterator[models.AcademicSession]:
        return self.iterate("gradingPeriods", **o)

    def iter_courses(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.Course]:
        return self.iterate("courses", **o)

    def iter_classes(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.Class]:
        return self.iterate("classes", **o)

    def iter_users(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.User]:
        return self.iterate("users", **o)

    def iter_students(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.User]:
        return self.iterate("students", **o)

    def iter_teachers(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.User]:
        return self.iterate("teachers", **o)

    def iter_enrollments(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.Enrollment]:
        return self.iterate("enrollments", **o)

    def iter_demographics(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.Demographics]:
        return self.iterate("demographics", **o)

    def iter_line_items(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.LineItem]:
        return self.iterate("lineItems", **o)

    def iter_results(self, **o: Unpack[ListOptions]) -> AsyncIterator[models.Result]:
        return self.iterate("results", **o)
