"""The durable webhook intake: one row per accepted event, committed before the sender gets its
202, then dispatched (one run per event, or many events in one batch run) and marked done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

# pending: committed, waiting for a dispatcher; claimed: a dispatcher took it (claimed_by, until
# claimed_at + the lease); done: applied by its run or batch; failed: will not be applied (reason).
STATUSES = ("pending", "claimed", "done", "failed")


class IntakeEvent(SQLModel, table=True):
    __tablename__ = "intake_event"
    __table_args__ = (
        UniqueConstraint("source", "event_id", name="uq_intake_event_source_event"),
        Index("ix_intake_event_status_id", "status", "id"),
        Index("ix_intake_event_subject_id", "subject", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=127)
    event_id: str = Field(max_length=255)
    event_type: str = Field(max_length=200)
    process: str = Field(max_length=100)
    # Events of one subject (a process's business key, e.g. a person) are applied in intake order.
    subject: str | None = Field(default=None, max_length=255)
    workflow_id: str = Field(max_length=255)  # the per-event run's id (also its idempotency key)
    input: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field("pending", max_length=16)
    mode: str | None = Field(default=None, max_length=8)  # "run" or "batch"
    claimed_by: str | None = Field(default=None, max_length=127)
    claimed_at: datetime | None = None
    run_id: str | None = Field(default=None, max_length=64)
    batch_id: str | None = Field(default=None, max_length=255)  # the batch run's workflow id
    reason: str | None = Field(default=None, max_length=1000)
    received_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None
