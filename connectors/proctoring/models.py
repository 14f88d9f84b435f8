"""Typed proctoring platform objects (see ``sandbox/proctoring`` for the API this models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ExamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, description="The LMS assignment id")
    title: str = Field(min_length=1)
    course_external_id: str | None = None
    duration_minutes: int = Field(gt=0)
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class Exam(ExamCreate):
    model_config = ConfigDict(extra="ignore")

    id: str
    created_at: datetime


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_student_id: str = Field(min_length=1)
    student_name: str | None = None
    student_email: str | None = None
    scheduled_at: datetime | None = None


class IntegrityFlag(BaseModel):
    type: str
    severity: Literal["low", "medium", "high"]
    at_seconds: int
    detail: str | None = None


class SessionResult(BaseModel):
    score: float
    integrity_flags: list[IntegrityFlag]
    flag_count: int
    review_status: Literal["clear", "flagged", "pending"]


class Session(SessionCreate):
    model_config = ConfigDict(extra="ignore")

    id: str
    exam_id: str
    status: Literal["scheduled", "in_progress", "completed", "cancelled"]
    completed_at: datetime | None = None
    result: SessionResult | None = None
    created_at: datetime


class WebhookEndpoint(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    url: str
    events: list[str]
    secret: str | None = None  # only in the answer that created it
    created_at: datetime


class WebhookEvent(BaseModel):
    """A verified webhook body; ``data.object`` is the session for ``session.*`` events."""

    model_config = ConfigDict(extra="ignore")

    id: str
    type: str
    created: int
    data: dict[str, Any]

    def session(self) -> Session:
        return Session.model_validate(self.data["object"])
