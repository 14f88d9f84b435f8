"""Field-level conflicts of a two-way sync that a policy left to an administrator."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from atrium.bounds import Line, Text
from atrium.models.integration import utcnow


class ConflictBase(SQLModel):
    integration: str = Field(max_length=63, index=True, description="the two-way sync pair")
    record_type: str = Field(max_length=32)
    source_id: str = Field(max_length=255)
    field: str = Field(max_length=63)


class SyncConflict(ConflictBase, table=True):
    __tablename__ = "sync_conflict"

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(max_length=255, index=True, description="the run waiting for it")
    key: str = Field(max_length=400, unique=True, description="idempotency key of the detection")
    values: dict[str, Any] = Field(
        sa_column=Column(JSON, nullable=False), description="base and each system's value"
    )
    status: str = Field(default="open", max_length=16, index=True)  # open | resolved
    resolution: str | None = Field(default=None, max_length=63)
    resolved_value: str | None = Field(default=None, max_length=2000)
    resolved_by: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, index=True)  # a month's report
    resolved_at: datetime | None = None


class ConflictPublic(ConflictBase):
    id: int
    workflow_id: str
    values: dict[str, Any]
    status: str
    resolution: str | None
    resolved_value: str | None
    resolved_by: str | None
    created_at: datetime
    resolved_at: datetime | None


class ConflictResolve(SQLModel):
    """Keep one system's value (``choose``) or give a value of your own (``value``)."""

    choose: Line | None = Field(default=None, max_length=63, description="a system name or 'base'")
    value: Text | None = Field(default=None, max_length=2000)
