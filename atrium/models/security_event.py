"""Security events: what the threat detector (atrium/security_events.py) noticed, how severe it
is, and the response it applied. One row per kind, subject and window: ``dedup_key`` is unique,
so replicas noticing the same attack write one event between them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

EVENT_KINDS = (
    "password_spraying",
    "webhook_signature_burst",
    "api_key_new_network",
    "export_volume",
    "connection_origin_changed",
    "second_factor_failure",
)
SEVERITIES = ("high", "medium", "low")
RANK = {"low": 1, "medium": 2, "high": 3}  # a rule's min_severity takes this rank and above
RESPONSES = (
    "block_address", "lock_accounts", "pause_source", "lock_account", "suspend_key", "none"
)  # fmt: skip


class SecurityEventBase(SQLModel):
    kind: str = Field(max_length=32, index=True, description=f"one of {', '.join(EVENT_KINDS)}")
    severity: str = Field(max_length=16, description=f"one of {', '.join(SEVERITIES)}")
    subject: str = Field(
        max_length=255, index=True, description="the address, webhook source or account"
    )
    summary: str = Field(max_length=500)
    details: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    response: str = Field(max_length=32, description=f"one of {', '.join(RESPONSES)}")
    response_detail: str = Field(default="", max_length=500)
    response_until: datetime | None = None  # a block or pause in force until then
    first_seen: datetime
    created_at: datetime = Field(default_factory=utcnow)
    acknowledged_at: datetime | None = None  # a person has seen it: its alerts resolve
    acknowledged_by: str | None = Field(default=None, max_length=255)


class SecurityEvent(SecurityEventBase, table=True):
    __tablename__ = "security_event"

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=300, unique=True)


class SecurityEventPublic(SecurityEventBase):
    id: int
