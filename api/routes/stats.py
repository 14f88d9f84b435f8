"""Figures for the console's dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select

from api.deps import SessionDep
from api.security import require
from atrium.models import SyncRecord

router = APIRouter(prefix="/stats", tags=["stats"])


class HourCount(BaseModel):
    hour: datetime
    records: int


@router.get(
    "/records-synced",
    response_model=list[HourCount],
    dependencies=[require("integrations:read")],
)
def records_synced(
    session: SessionDep, hours: Annotated[int, Query(ge=1, le=168)] = 24
) -> list[HourCount]:
    """Records whose latest sync happened in each of the last ``hours`` hours (oldest first)."""
    now = datetime.now(UTC)
    since = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    if session.get_bind().dialect.name == "postgresql":
        bucket = func.date_trunc("hour", col(SyncRecord.synced_at))
    else:
        bucket = func.strftime("%Y-%m-%d %H:00:00", col(SyncRecord.synced_at))
    rows = session.exec(
        select(bucket, func.count()).where(col(SyncRecord.synced_at) >= since).group_by(bucket)
    ).all()
    counts: dict[datetime, int] = {}
    for hour, count in rows:
        when = hour if isinstance(hour, datetime) else datetime.fromisoformat(str(hour))
        counts[when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)] = count
    return [
        HourCount(
            hour=since + timedelta(hours=i), records=counts.get(since + timedelta(hours=i), 0)
        )
        for i in range(hours)
    ]
