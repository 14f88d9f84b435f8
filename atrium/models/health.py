"""Results of integration health checks, one row per check."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow


class HealthCheck(SQLModel, table=True):
    __tablename__ = "health_check"

    id: int | None = Field(default=None, primary_key=True)
    integration: str = Field(index=True, max_length=63)
    run_id: str = Field(max_length=255, unique=True, description="idempotency key of the check")
    healthy: bool
    status_code: int | None = None
    latency_ms: float | None = None
    detail: str = Field("", max_length=1000)
    checked_at: datetime = Field(default_factory=utcnow, index=True)
