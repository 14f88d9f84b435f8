"""A course's gradebook structure: assignment groups (the categories its assignments are filed
in) and grading standards (the letter schemes ``letter_grade`` assignments are graded on)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal

from connectors.actions import action
from connectors.canvas.models import AssignmentGroup, GradingSchemeEntry, GradingStandard
from connectors.canvas.requester import CanvasRequester, ref

# What "List assignment groups" documents for include[].
GroupInclude = Literal[
    "assignments",
    "discussion_topic",
    "all_dates",
    "assignment_visibility",
    "overrides",
    "submission",
    "observed_users",
    "can_edit",
    "score_statistics",
]


class GradebookApi(CanvasRequester):
    @action("canvas.list_assignment_groups", effect="read")
    def list_assignment_groups(
        self, course: int | str, *, include: Sequence[GroupInclude] = ("assignments",)
    ) -> AsyncIterator[AssignmentGroup]:
        """Groups with their assignments nested (``include[]=assignments``): one listing gives
        both the categories and the assignments of a course."""
        params = [("include[]", i) for i in include]
        return self._pages(AssignmentGroup, f"/courses/{ref(course)}/assignment_groups", params)

    @action("canvas.create_assignment_group", effect="write")
    async def create_assignment_group(
        self, course: int | str, name: str, *, group_weight: float | None = None
    ) -> AssignmentGroup:
        """Add an assignment group (a gradebook category) to a course; Canvas allows two of the
        same name, so a repeat makes a second one."""
        body: dict[str, object] = {"name": name}
        if group_weight is not None:
            body["group_weight"] = group_weight
        return await self._one(
            AssignmentGroup, "POST", f"/courses/{ref(course)}/assignment_groups", json=body
        )

    @action("canvas.list_grading_standards", effect="read")
    def list_grading_standards(self, course: int | str) -> AsyncIterator[GradingStandard]:
        """The grading standards (letter schemes) a course can use."""
        return self._pages(GradingStandard, f"/courses/{ref(course)}/grading_standards")

    @action("canvas.create_grading_standard", effect="write")
    async def create_grading_standard(
        self, course: int | str, title: str, scheme: Sequence[GradingSchemeEntry]
    ) -> GradingStandard:
        """Add a grading standard (letter scheme) to a course.

        ``scheme`` values are fractions (0.9) as Canvas answers them; it takes percents."""
        entries = [{"name": e.name, "value": round(e.value * 100, 2)} for e in scheme]
        return await self._one(
            GradingStandard,
            "POST",
            f"/courses/{ref(course)}/grading_standards",
            json={"title": title, "grading_scheme_entry": entries},
        )
