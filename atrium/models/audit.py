"""The append-only audit log. Each row stores the previous row's hash and its own sha256 over a
canonical JSON of its content, so editing or deleting any row breaks the chain after it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

GENESIS = "0" * 64


class AuditEventBase(SQLModel):
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=100, index=True, description="username, api-key id or anonymous")
    actor_kind: str = Field(max_length=16, description="user | api_key | anonymous")
    action: str = Field(max_length=200, index=True, description="METHOD route, e.g. POST /runs")
    path: str = Field(max_length=2048)
    client_ip: str = Field(max_length=64)
    status: int
    outcome: str = Field(max_length=16, description="success | denied | failed")
    correlation_id: str = Field(default="", max_length=64)


class AuditEvent(AuditEventBase, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    # unique: two concurrent appends can never both chain onto the same row.
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64)


class AuditEventPublic(AuditEventBase):
    id: int
    prev_hash: str
    hash: str
