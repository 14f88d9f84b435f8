"""A report month: ``YYYY-MM`` between 2000-01 and 2100-12, and the UTC instants it spans."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator

FIRST, LAST = "2000-01", "2100-12"
PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def check_month(value: str) -> str:
    found = PATTERN.fullmatch(value)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValueError("must be YYYY-MM (a month 01-12)")
    if not FIRST <= value <= LAST:
        raise ValueError(f"must be between {FIRST} and {LAST}")
    return value


Month = Annotated[str, AfterValidator(check_month)]


def span(month: str) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) in UTC."""
    year, number = (int(part) for part in check_month(month).split("-"))
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def previous(moment: datetime) -> str:
    """The month before the one ``moment`` falls in (what a scheduled delivery reports)."""
    year, number = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return f"{year:04d}-{number:02d}"
