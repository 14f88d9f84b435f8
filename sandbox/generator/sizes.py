"""How big each named institution is.

Every size keeps the same shape (students take one class per period, classes of a fixed size, a
teacher teaches five sections), so counts follow from a few numbers. ``1m`` is sized so that
enrollments total exactly 1,000,000: 50 schools x 3,840 students x 5 classes = 960,000 student
enrollments plus 40,000 teacher enrollments.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SizeSpec:
    schools: int
    students_per_school: int
    periods: int = 5  # classes per student, one per period
    class_size: int = 25
    sections_per_course: int = 5
    sections_per_teacher: int = 5
    line_items_per_class: int = 3
    # Share of (student, line item) pairs that already have a result; keeps 1m loadable quickly.
    graded_share: float = 1.0

    @property
    def classes_per_school(self) -> int:
        return max(self.periods, self.students_per_school * self.periods // self.class_size)

    @property
    def students(self) -> int:
        return self.schools * self.students_per_school

    @property
    def classes(self) -> int:
        return self.schools * self.classes_per_school

    @property
    def enrollments(self) -> int:
        """Student enrollments plus one primary teacher enrollment per class."""
        return self.students * self.periods + self.classes


SIZES: dict[str, SizeSpec] = {
    "demo": SizeSpec(schools=2, students_per_school=150),
    "small": SizeSpec(schools=4, students_per_school=750),
    "medium": SizeSpec(schools=10, students_per_school=3000, line_items_per_class=2),
    "1m": SizeSpec(
        schools=50,
        students_per_school=3840,
        class_size=24,
        sections_per_course=10,
        line_items_per_class=1,
        graded_share=0.25,
    ),
}


def size_spec(size: str) -> SizeSpec:
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown size {size!r}; known: {sorted(SIZES)}") from None
