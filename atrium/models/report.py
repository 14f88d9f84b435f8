"""Scheduled delivery of the monthly integration report: who receives it, on which day, through
which comms connection (one row), and each (month, recipient) already sent, so a retried run
sends nobody the same month twice."""

from __future__ import annotations

from datetime import datetime

from pydantic import EmailStr
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

DELIVERY_ID = 1  # one delivery setting per installation
NAME = r"^[a-z0-9][a-z0-9._-]*$"


class ReportDeliveryBase(SQLModel):
    enabled: bool = True
    recipients: list[EmailStr] = Field(
        default_factory=list, max_length=50, sa_column=Column(JSON, nullable=False)
    )
    day_of_month: int = Field(
        default=1, ge=1, le=28, description="the day (UTC) last month's report is sent"
    )
    hour: int = Field(default=6, ge=0, le=23, description="the hour (UTC) it is sent")
    comms_integration: str | None = Field(
        default=None,
        max_length=63,
        schema_extra={"pattern": NAME},
        description="the comms connection whose mail relay sends it",
    )


class ReportDelivery(ReportDeliveryBase, table=True):
    __tablename__ = "report_delivery"

    id: int = Field(default=DELIVERY_ID, primary_key=True)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="", max_length=255)


class ReportDeliveryPublic(ReportDeliveryBase):
    updated_at: datetime | None = None
    updated_by: str = ""
    schedule_id: str = ""


class ReportSent(SQLModel, table=True):
    """One monthly report mailed to one recipient (the key that makes a resend a no-op)."""

    __tablename__ = "report_sent"

    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    recipient: str = Field(primary_key=True, max_length=320)
    message_id: str = Field(default="", max_length=998)
    sent_at: datetime = Field(default_factory=utcnow)
