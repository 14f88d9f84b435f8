"""Records a sync could not map, validate or write, kept with the reason so the run goes on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

QUARANTINE_STATES = ("open", "retried", "resolved")


class QuarantineBase(SQLModel):
    integration: str = Field(max_length=63, index=True)
    record_type: str = Field(max_length=32)
    source_id: str = Field(max_length=255)
    stage: str = Field(max_length=16, description="mapping | validation | target")
    reason: str = Field(max_length=2000)


class QuarantinedRecord(QuarantineBase, table=True):
    __tablename__ = "quarantined_record"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(max_length=255, index=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", max_length=16, index=True)
    attempts: int = 1
    created_at: datetime = Field(default_factory=utcnow, index=True)  # a month's report
    updated_at: datetime = Field(default_factory=utcnow)


class QuarantinePublic(QuarantineBase):
    id: int
    run_id: str
    payload: dict[str, Any]
    status: str
    attempts: int
    created_at: datetime
    updated_at: datetime
