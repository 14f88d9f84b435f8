"""The durable webhook intake: one row per accepted event, committed before the sender gets its
202, then dispatched (one run per event, or many events in one batch run) and marked done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

# pending: committed, waiting for a dispatcher; claimed: a dispatcher took it (claimed_by, until
# claimed_at + the lease); done: applied by its run or batch (or coalesced into a later event of
# its subject, whose write carried it); failed: will not be applied (reason).
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
    # Done without a write of its own: superseded by this later event (its intake id) of the same
    # subject in the same batch, whose one write carried both.
    coalesced_into: int | None = None
    received_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None


# What the API shows of an event (never its input: it carries personal data). ``status`` there:
# queued (waiting for a dispatcher), running (taken into a run: ``run_workflow_id``), started (its
# own run was started: the run's page says how it ended), applied (its batch run wrote it),
# coalesced (a later event of its subject, ``coalesced_into``, carried its change in one write),
# failed (``reason``).
PUBLIC_STATUSES = ("queued", "running", "started", "applied", "coalesced", "failed")


class IntakeEventPublic(SQLModel):
    id: int
    source: str
    event_id: str
    event_type: str
    process: str
    subject: str | None
    status: str = Field(description=f"one of {', '.join(PUBLIC_STATUSES)}")
    mode: str | None = Field(description="run (a run of its own) or batch (an event-batch run)")
    run_workflow_id: str | None = Field(description="the run that applies (or applied) it")
    run_id: str | None
    coalesced_into: int | None = Field(description="the intake id of the event that carried it")
    coalesced_into_event_id: str | None
    reason: str | None
    received_at: datetime
    done_at: datetime | None
