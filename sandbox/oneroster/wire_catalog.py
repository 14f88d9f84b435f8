"""Generator records -> rows of the gradebook's categories, score scales and assessments, and of
the resources service (see ``wire.py`` for the row layout)."""

from __future__ import annotations

from typing import Any

from sandbox.generator.records import (
    AssessmentItemRecord,
    AssessmentResultRecord,
    CategoryRecord,
    ResourceRecord,
    ScoreScaleRecord,
)
from sandbox.oneroster.wire import Refs, Row, dumps


def _head(sid: str, modified: str) -> dict[str, Any]:
    return {"sourcedId": sid, "status": "active", "dateLastModified": modified}


def category(rec: CategoryRecord) -> Row:
    body = {**_head(rec.source_id, rec.modified), "title": rec.title, "weight": rec.weight}
    return (rec.source_id, "active", rec.modified, dumps(body))


def score_scale(refs: Refs, rec: ScoreScaleRecord) -> Row:
    body = {
        **_head(rec.source_id, rec.modified),
        "title": rec.title,
        "type": "letter",
        "course": refs.ref("courses", "course", rec.course_id),
        "class": refs.ref("classes", "class", rec.class_id),
        "scoreScaleValue": [{"itemValueLHS": lhs, "itemValueRHS": rhs} for lhs, rhs in rec.values],
    }
    return (rec.source_id, "active", rec.modified, rec.class_id, rec.course_id, dumps(body))


def assessment_item(rec: AssessmentItemRecord) -> Row:
    body = {
        **_head(rec.source_id, rec.modified),
        "title": rec.title,
        "resultValueMin": 0.0,
        "resultValueMax": rec.max_score,
    }
    return (rec.source_id, "active", rec.modified, None, dumps(body))


def assessment_result(refs: Refs, rec: AssessmentResultRecord) -> Row:
    body = {
        **_head(rec.source_id, rec.modified),
        "assessmentLineItem": refs.ref("assessmentLineItems", "assessmentLineItem", rec.item_id),
        "student": refs.ref("users", "user", rec.student_id),
        "score": rec.score,
        "scoreDate": rec.score_date,
        "scoreStatus": "fully graded",
    }
    return (rec.source_id, "active", rec.modified, rec.item_id, rec.student_id, dumps(body))


def resource(rec: ResourceRecord) -> Row:
    body = {
        **_head(rec.source_id, rec.modified),
        "title": rec.title,
        "roles": ["student", "teacher"],
        "importance": "primary",
        "vendorResourceId": rec.vendor_resource_id,
        "vendorId": rec.vendor_id,
    }
    return (rec.source_id, "active", rec.modified, dumps(body))
