"""Fault injection for ``malformed_rate``: records that lose a key the API promises (``id``)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

Records = Callable[[Any], list[dict[str, Any]]]


def _top_level(result: Any) -> list[dict[str, Any]]:
    return result if isinstance(result, list) else []


def _grade_items(result: Any) -> list[dict[str, Any]]:
    return [item for ug in result.get("usergrades", []) for item in ug["gradeitems"]]


# Which records of each function's answer may come back malformed.
RECORDS: dict[str, Records] = {
    "core_user_create_users": _top_level,
    "core_user_get_users_by_field": _top_level,
    "core_enrol_get_enrolled_users": _top_level,
    "core_course_create_courses": _top_level,
    "core_course_get_courses_by_field": lambda r: r.get("courses", []),
    "gradereport_user_get_grade_items": _grade_items,
}


def malform(function: str, result: Any, rate: float, rng: random.Random) -> Any:
    if rate <= 0 or function not in RECORDS:
        return result
    for record in RECORDS[function](result):
        if rng.random() < rate:
            record.pop("id", None)
    return result
