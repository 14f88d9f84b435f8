"""Outbound events: subscribers (a URL and the event types it wants) and the dead letters left
when a delivery failed its last try."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.bounds import Line, Text
from atrium.models.integration import utcnow

EVENT_TYPES = (
    "run.started",
    "run.completed",
    "run.failed",
    "conflict.raised",
    "record.synced",
    "integration.unhealthy",  # a health check failed after one that passed (or the first one)
    "integration.recovered",  # a health check passed after one that failed
    "alert.firing",  # an alert rule's condition began (once per outage and group)
    "alert.resolved",  # it ended, or a person resolved the alert
)
DEAD_LETTER_STATES = ("dead", "redelivering", "redelivered")


def check_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) < 10:
        raise ValueError("must be an http:// or https:// URL")
    return value


def check_event_types(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("name at least one event type")
    unknown = [t for t in value if t != "*" and t not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown {unknown}; known: {', '.join(EVENT_TYPES)} or '*'")
    return sorted(set(value))


class SubscriptionBase(SQLModel):
    url: Line = Field(max_length=2048, description="where Atrium POSTs signed events")
    event_types: list[Line] = Field(
        sa_column=Column(JSON, nullable=False),
        max_length=20,
        description=f"any of {', '.join(EVENT_TYPES)}, or '*' for all",
    )
    description: Text = Field("", max_length=1000)
    active: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        return check_event_types(value)


class SubscriptionCreate(SubscriptionBase):
    pass


class SubscriptionUpdate(SQLModel):
    url: Line | None = Field(default=None, max_length=2048)
    event_types: list[Line] | None = Field(default=None, max_length=20)
    description: Text | None = Field(default=None, max_length=1000)
    active: bool | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_event_types(value)


class Subscription(SubscriptionBase, table=True):
    __tablename__ = "subscription"

    id: int | None = Field(default=None, primary_key=True)
    secret_name: str = Field(max_length=63, description="Vault secret holding the signing key")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def wants(self, event_type: str) -> bool:
        return self.active and ("*" in self.event_types or event_type in self.event_types)


class SubscriptionPublic(SubscriptionBase):
    id: int
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(description="the signing secret: shown once, keep it")


class DeadLetterBase(SQLModel):
    subscription_id: int = Field(index=True)
    event_id: str = Field(max_length=255)
    event_type: str = Field(max_length=64)
    event: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    last_error: str = Field("", max_length=1000)
    status: str = Field("dead", max_length=16, index=True)
    redeliveries: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DeadLetter(DeadLetterBase, table=True):
    __tablename__ = "dead_letter"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id", name="uq_dead_letter_event"),)

    id: int | None = Field(default=None, primary_key=True)


class DeadLetterPublic(DeadLetterBase):
    id: int
