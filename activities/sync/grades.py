"""Grade passback LMS -> SIS: a class's categories, score scales, graded items and scores, from
Canvas or Moodle, written to the OneRoster gradebook.

Every write is an idempotent PUT keyed by a stable sourcedId derived from the LMS's own ids
(``{lms}-{class}-a{assignment}`` or ``-i{grade item}`` for a line item, ``-c{group or category}``,
``-s{grading standard}``, ``{line item}-{student}`` for a result), so a retried or repeated
passback replaces a record with itself and never creates a second one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.sync.context import SyncContext
from activities.sync.errors import translate
from activities.sync.grade_sources import ClassGradebook, read_canvas, read_moodle, stamp
from activities.sync.oneroster_pages import GRADEBOOK, ROSTERING, OneRosterPages
from connectors.canvas import CanvasClient
from connectors.errors import NotFound
from connectors.moodle import MoodleClient

PASSBACK_SYSTEMS = ("canvas", "moodle")


class PassbackInput(BaseModel):
    lms: str
    sis: str
    class_id: str


class PassbackResult(BaseModel):
    class_id: str
    line_items: int = 0
    results: int = 0
    categories: int = 0
    score_scales: int = 0
    # False when the SIS's gradebook does not serve categories/scoreScales (a 404 on PUT, as
    # from a service that implements only lineItems and results): items go without them.
    structure_accepted: bool = True


class _Refs:
    """GUIDRefs as the 1.2 schemas want them: an absolute ``href``, the ``sourcedId``, a
    ``type``."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __call__(self, service: str, collection: str, kind: str, sid: str) -> dict[str, str]:
        return {"href": f"{self.base}{service}/{collection}/{sid}", "sourcedId": sid, "type": kind}


async def _structure(
    gradebook: OneRosterPages, collection: str, singular: str, record: dict[str, Any]
) -> bool:
    """PUT a category or score scale; False when the gradebook has no such collection."""
    try:
        await gradebook.put_gradebook(collection, singular, record)
    except NotFound:
        return False
    return True


class GradeActivities:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    async def _read(self, lms: str, class_id: str) -> ClassGradebook:
        found = self.ctx.integration(lms)
        if found.system == "canvas":
            async with CanvasClient(found.base_url, self.ctx.secret(lms)) as canvas:
                return await read_canvas(canvas, class_id)
        if found.system == "moodle":
            async with MoodleClient(found.base_url, self.ctx.secret(lms)) as moodle:
                return await read_moodle(moodle, class_id)
        raise ApplicationError(
            f"grade passback reads Canvas or Moodle, not {found.system} ({lms!r})",
            type="InvalidRequest",
            non_retryable=True,
        )

    @activity.defn(name="grade_passback_class")
    async def passback_class(self, input: PassbackInput) -> PassbackResult:
        result = PassbackResult(class_id=input.class_id)
        prefix = f"{input.lms}-{input.class_id}"
        now = stamp()
        with translate():
            book = await self._read(input.lms, input.class_id)
            async with self.ctx.borrow_source(input.sis) as gradebook:
                ref = _Refs(gradebook.base_url)
                klass = ref(ROSTERING, "classes", "class", input.class_id)
                school_id = (await gradebook.one("classes", "class", input.class_id))["school"][
                    "sourcedId"
                ]
                categories: set[str] = set()
                for category in book.categories:
                    record: dict[str, Any] = {
                        "sourcedId": f"{prefix}-c{category.key}",
                        "status": "active",
                        "dateLastModified": now,
                        "title": category.title,
                    }
                    if category.weight:
                        record["weight"] = category.weight
                    if not await _structure(gradebook, "categories", "category", record):
                        result.structure_accepted = False
                        break
                    categories.add(category.key)
                    result.categories += 1
                scales: set[str] = set()
                for scale in book.scales if result.structure_accepted else []:
                    record = {
                        "sourcedId": f"{prefix}-s{scale.key}",
                        "status": "active",
                        "dateLastModified": now,
                        "title": scale.title,
                        "type": "letter",
                        "class": klass,
                        "scoreScaleValue": [
                            {"itemValueLHS": text, "itemValueRHS": value}
                            for text, value in scale.values
                        ],
                    }
                    if not await _structure(gradebook, "scoreScales", "scoreScale", record):
                        result.structure_accepted = False
                        break
                    scales.add(scale.key)
                    result.score_scales += 1
                for item in book.items:
                    record = {
                        "sourcedId": f"{prefix}-{item.key}",
                        "status": "active",
                        "dateLastModified": now,
                        "title": item.title,
                        "assignDate": item.assign_date,
                        "dueDate": item.due_date,
                        "class": klass,
                        "school": ref(ROSTERING, "orgs", "org", school_id),
                        "resultValueMin": item.result_min,
                        "resultValueMax": item.result_max,
                    }
                    if item.category in categories:
                        record["category"] = ref(
                            GRADEBOOK, "categories", "category", f"{prefix}-c{item.category}"
                        )
                    if item.scale in scales:
                        record["scoreScale"] = ref(
                            GRADEBOOK, "scoreScales", "scoreScale", f"{prefix}-s{item.scale}"
                        )
                    await gradebook.put_gradebook("lineItems", "lineItem", record)
                    result.line_items += 1
                    activity.heartbeat(f"{input.class_id}: line item {item.key}")
                today = now[:10]
                for score in book.scores:
                    item_id = f"{prefix}-{score.item}"
                    record = {
                        "sourcedId": f"{item_id}-{score.student}",
                        "status": "active",
                        "dateLastModified": now,
                        "lineItem": ref(GRADEBOOK, "lineItems", "lineItem", item_id),
                        "student": ref(ROSTERING, "users", "user", score.student),
                        "scoreStatus": "fully graded",
                        "score": score.score,
                        "scoreDate": today,
                    }
                    if score.text_score:
                        record["textScore"] = score.text_score
                    await gradebook.put_gradebook("results", "result", record)
                    result.results += 1
        return result
