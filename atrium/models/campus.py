"""State the campus processes keep: who wants notifications how, what was already sent, and which
proctoring exam belongs to which running workflow (so a webhook can be routed to its run)."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.bounds import Line
from atrium.models.integration import utcnow

CHANNELS = ("email", "slack", "teams", "none")  # "none": opted out, skipped quietly


class NotificationPreferenceBase(SQLModel):
    recipient: Line = Field(
        min_length=3, max_length=320, index=True, unique=True, description="an email address"
    )
    channel: str = Field("email", max_length=8, description=f"one of {', '.join(CHANNELS)}")

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, value: str) -> str:
        if value not in CHANNELS:
            raise ValueError(f"must be one of {', '.join(CHANNELS)}")
        return value


class NotificationPreferenceCreate(NotificationPreferenceBase):
    pass


class NotificationPreference(NotificationPreferenceBase, table=True):
    __tablename__ = "notification_preference"

    id: int | None = Field(default=None, primary_key=True)
    updated_at: datetime = Field(default_factory=utcnow)


class NotificationPreferencePublic(NotificationPreferenceBase):
    id: int
    updated_at: datetime


class SentNotification(SQLModel, table=True):
    """One row per message key: a retried activity finds it and does not send again."""

    __tablename__ = "sent_notification"

    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(max_length=255, index=True, unique=True)
    recipient: str = Field(max_length=320)
    channel: str = Field(max_length=8)
    template: str = Field(max_length=63)
    detail: str = Field("", max_length=1000)  # e.g. the email's Message-ID
    sent_at: datetime = Field(default_factory=utcnow)


class ProctoredExamLink(SQLModel, table=True):
    """A proctoring platform exam, seen through one integration, and the workflow run waiting
    for its session results. Keyed by both: two integrations (two platforms, or two accounts on
    one) may report the same exam id, and neither may reach the other's run."""

    __tablename__ = "proctored_exam_link"
    __table_args__ = (UniqueConstraint("integration", "exam_id", name="uq_proctored_exam_link"),)

    id: int | None = Field(default=None, primary_key=True)
    exam_id: str = Field(max_length=128, index=True)
    integration: str = Field(max_length=63)
    workflow_id: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
