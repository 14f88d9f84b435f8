"""Checks of one member's value in a gradebook write, as the 1.2 schema types it: text, number,
date, date-time, the strings ``"true"``/``"false"``, enumerations and the nested learning-objective
and score-scale structures. Each raises a 422 ``invaliddata`` naming the member."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sandbox.oneroster.errors import invalid_data

MAX_TEXT = 10_000  # characters of one text member
MAX_LIST = 1_000  # items of one list member


def text(name: str, value: Any) -> Any:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise invalid_data(f"{name} must be a string of at most {MAX_TEXT} characters")
    return value


def number(name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise invalid_data(f"{name} must be a number")
    return float(value)


def iso_date(name: str, value: Any) -> Any:
    try:
        date.fromisoformat(text(name, value))
        if len(value) != 10:
            raise ValueError
    except ValueError:
        raise invalid_data(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None
    return value


def iso_datetime(name: str, value: Any) -> Any:
    try:
        moment = datetime.fromisoformat(text(name, value).replace("Z", "+00:00"))
    except ValueError:
        raise invalid_data(f"{name} must be an ISO 8601 date-time, not {value!r}") from None
    if moment.tzinfo is None or "T" not in value:
        raise invalid_data(f"{name} must be a date-time with a time zone, not {value!r}")
    return value


def flag(name: str, value: Any) -> Any:
    if value not in ("true", "false"):
        raise invalid_data(f"{name} must be the string 'true' or 'false'")
    return value


def status(name: str, value: Any) -> Any:
    if value not in ("active", "tobedeleted"):
        raise invalid_data(f"{name} must be 'active' or 'tobedeleted'")
    return value


def score_status(name: str, value: Any) -> Any:
    statuses = {"exempt", "fully graded", "not submitted", "partially graded", "submitted"}
    if value in statuses or (isinstance(value, str) and _is_ext(value)):
        return value
    raise invalid_data(f"{name} must be one of {sorted(statuses)} or ext:...")


def _is_ext(value: str) -> bool:
    rest = value.removeprefix("ext:")
    return value.startswith("ext:") and bool(rest) and all(c.isalnum() or c in ".-_" for c in rest)


def _objects(name: str, value: Any) -> Any:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise invalid_data(f"{name} must be a list of at most {MAX_LIST} items")
    if not all(isinstance(item, dict) for item in value):
        raise invalid_data(f"{name} must be a list of objects")
    return value


def _objective_source(name: str, value: Any) -> None:
    # The schema: "case", "unknown", or "/" + lowercase letters and digits (not those two words).
    ok = value in ("case", "unknown") or (
        isinstance(value, str)
        and re.fullmatch(r"/[a-z0-9]+", value) is not None
        and value not in ("/case", "/unknown")
    )
    if not ok:
        raise invalid_data(f"{name} must be 'case', 'unknown' or '/<lowercase letters/digits>'")


def objective_ids(name: str, value: Any) -> Any:
    """LearningObjectiveSetDType: [{source, learningObjectiveIds: [string]}]."""
    for i, item in enumerate(_objects(name, value)):
        at = f"{name}[{i}]"
        if set(item) != {"source", "learningObjectiveIds"}:
            raise invalid_data(f"{at} must have exactly source and learningObjectiveIds")
        _objective_source(f"{at}.source", item["source"])
        ids = item["learningObjectiveIds"]
        if not isinstance(ids, list) or len(ids) > MAX_LIST:
            raise invalid_data(f"{at}.learningObjectiveIds must be a list")
        for n, sid in enumerate(ids):
            text(f"{at}.learningObjectiveIds[{n}]", sid)
    return value


def objective_scores(name: str, value: Any) -> Any:
    """LearningObjectiveScoreSetDType: [{source, learningObjectiveResults: [{id, score?,
    textScore?}]}]."""
    for i, item in enumerate(_objects(name, value)):
        at = f"{name}[{i}]"
        if set(item) != {"source", "learningObjectiveResults"}:
            raise invalid_data(f"{at} must have exactly source and learningObjectiveResults")
        _objective_source(f"{at}.source", item["source"])
        for n, result in enumerate(
            _objects(f"{at}.learningObjectiveResults", item["learningObjectiveResults"])
        ):
            where = f"{at}.learningObjectiveResults[{n}]"
            if "learningObjectiveId" not in result or not set(result) <= {
                "learningObjectiveId",
                "score",
                "textScore",
            }:
                raise invalid_data(
                    f"{where} needs learningObjectiveId and at most score, textScore"
                )
            text(f"{where}.learningObjectiveId", result["learningObjectiveId"])
            if "score" in result:
                number(f"{where}.score", result["score"])
            if "textScore" in result:
                text(f"{where}.textScore", result["textScore"])
    return value


def scale_values(name: str, value: Any) -> Any:
    for i, item in enumerate(_objects(name, value)):
        if set(item) != {"itemValueLHS", "itemValueRHS"}:
            raise invalid_data(f"{name}[{i}] must have exactly itemValueLHS and itemValueRHS")
        text(f"{name}[{i}].itemValueLHS", item["itemValueLHS"])
        text(f"{name}[{i}].itemValueRHS", item["itemValueRHS"])
    return value


def metadata(name: str, value: Any) -> Any:
    if not isinstance(value, dict):
        raise invalid_data(f"{name} must be an object")
    return value
