"""Grade passback LMS -> SIS: a class's categories, score scales, graded items and scores, from
Canvas or Moodle, written to the OneRoster gradebook.

Every write is an idempotent PUT keyed by a stable sourcedId derived from the LMS's own ids
(``{lms}-{class}-a{assignment}`` or ``-i{grade item}`` for a line item, ``-c{group or category}``,
``-s{grading standard}``, ``{line item}-{student}`` for a result), so a retried or repeated
passback replaces a record with itself and never creates a second one. The records are the
connector's typed gradebook models, written through ``OneRosterClient``'s catalog actions.
"""

from __future__ import annotations

from collections.abc import Awaitable

from pydantic import BaseModel
from temporalio import activity

from activities.sync.context import SyncContext
from activities.sync.grade_sources import ClassGradebook, read_canvas, read_moodle, stamp
from connectors.canvas import CanvasClient
from connectors.errors import NotFound
from connectors.moodle import MoodleClient
from connectors.oneroster import OneRosterClient, models
from connectors.oneroster.endpoints import GRADEBOOK, ROSTERING

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

    def __call__(self, service: str, collection: str, kind: str, sid: str) -> models.GUIDRef:
        href = f"{self.base}{service}/{collection}/{sid}"
        return models.GUIDRef(sourced_id=sid, type=kind, href=href)


async def _structure(put: Awaitable[object]) -> bool:
    """PUT a category or score scale; False when the gradebook has no such collection."""
    try:
        await put
    except NotFound:
        return False
    return True


class GradeActivities:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx

    async def _read(self, lms: str, class_id: str) -> ClassGradebook:
        """The class's gradebook in the LMS, read through the connection's kept client."""
        found = self.ctx.integration(lms, *PASSBACK_SYSTEMS)
        with self.ctx.runtime.translate(lms):
            if found.system == "canvas":
                return await read_canvas(self.ctx.runtime.client(found, CanvasClient), class_id)
            return await read_moodle(self.ctx.runtime.client(found, MoodleClient), class_id)

    @activity.defn(name="grade_passback_class")
    async def passback_class(self, input: PassbackInput) -> PassbackResult:
        book = await self._read(input.lms, input.class_id)
        gradebook = self.ctx.source(input.sis)
        with self.ctx.runtime.translate(input.sis):
            return await _write(gradebook, book, input, stamp())


async def _write(
    gradebook: OneRosterClient, book: ClassGradebook, input: PassbackInput, now: str
) -> PassbackResult:
    """Categories and score scales first (line items point at them), then the line items, then
    the results. Nothing is read back: the PUT's 201 is the confirmation."""
    result = PassbackResult(class_id=input.class_id)
    prefix = f"{input.lms}-{input.class_id}"
    ref = _Refs(gradebook.base_url)
    klass = ref(ROSTERING, "classes", "class", input.class_id)
    found = await gradebook.get_class(input.class_id)
    school = ref(ROSTERING, "orgs", "org", found.school.sourced_id) if found.school else None
    categories: set[str] = set()
    for category in book.categories:
        put = gradebook.put_category(
            models.Category(
                sourced_id=f"{prefix}-c{category.key}",
                status="active",
                date_last_modified=now,
                title=category.title,
                weight=category.weight or None,
            ),
            read_back=False,
        )
        if not await _structure(put):
            result.structure_accepted = False
            break
        categories.add(category.key)
        result.categories += 1
    scales: set[str] = set()
    for scale in book.scales if result.structure_accepted else []:
        put_scale = gradebook.put_score_scale(
            models.ScoreScale(
                sourced_id=f"{prefix}-s{scale.key}",
                status="active",
                date_last_modified=now,
                title=scale.title,
                type="letter",
                class_=klass,
                score_scale_value=[
                    models.ScoreScaleValue(item_value_lhs=text, item_value_rhs=value)
                    for text, value in scale.values
                ],
            ),
            read_back=False,
        )
        if not await _structure(put_scale):
            result.structure_accepted = False
            break
        scales.add(scale.key)
        result.score_scales += 1
    for item in book.items:
        category_id, scale_id = f"{prefix}-c{item.category}", f"{prefix}-s{item.scale}"
        await gradebook.put_line_item(
            models.LineItem(
                sourced_id=f"{prefix}-{item.key}",
                status="active",
                date_last_modified=now,
                title=item.title,
                assign_date=item.assign_date,
                due_date=item.due_date,
                class_=klass,
                school=school,
                result_value_min=item.result_min,
                result_value_max=item.result_max,
                category=ref(GRADEBOOK, "categories", "category", category_id)
                if item.category in categories
                else None,
                score_scale=ref(GRADEBOOK, "scoreScales", "scoreScale", scale_id)
                if item.scale in scales
                else None,
            ),
            read_back=False,
        )
        result.line_items += 1
        activity.heartbeat(f"{input.class_id}: line item {item.key}")
    today = now[:10]
    for score in book.scores:
        item_id = f"{prefix}-{score.item}"
        await gradebook.put_result(
            models.Result(
                sourced_id=f"{item_id}-{score.student}",
                status="active",
                date_last_modified=now,
                line_item=ref(GRADEBOOK, "lineItems", "lineItem", item_id),
                student=ref(ROSTERING, "users", "user", score.student),
                score_status="fully graded",
                score=score.score,
                text_score=score.text_score or None,
                score_date=today,
            ),
            read_back=False,
        )
        result.results += 1
    return result
