"""Event triggers: a designed process started by the events of other runs (``run.completed``,
``record.synced``, ``integration.unhealthy``, ...), where those events are published
(atrium/events/triggers.py). A filter (JMESPath over the event, true to start) narrows which
events; an input mapping (as a webhook rule's) builds the run's input from the event."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from atrium.bounds import JsonObject, Line, Text
from atrium.models.integration import utcnow
from atrium.models.process_definition import NAME_PATTERN
from atrium.models.webhook import check_expression

TRIGGER_EVENTS = (
    "run.completed",
    "run.failed",
    "record.synced",
    "integration.unhealthy",
    "integration.recovered",
)


class ProcessTriggerBase(SQLModel):
    process: str = Field(
        min_length=1, max_length=63, index=True, description="the designed process it starts"
    )
    event_type: Line = Field(max_length=64, description=f"one of {', '.join(TRIGGER_EVENTS)}")
    filter: Line = Field(
        "",
        max_length=2000,
        description="JMESPath over the event ({id, type, created_at, data}); the run starts when "
        "it is true (not false, null or empty). Empty: every event of the type.",
    )
    input_mapping: JsonObject = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="run input field -> JMESPath over the event (a nested object nests)",
    )
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="a published version; none: the latest"
    )
    description: Text = Field("", max_length=1000)
    enabled: bool = True

    @field_validator("process")
    @classmethod
    def _process(cls, value: str) -> str:
        if not re.fullmatch(NAME_PATTERN, value):
            raise ValueError("not a designed process's name")
        return value

    @field_validator("event_type")
    @classmethod
    def _event_type(cls, value: str) -> str:
        if value not in TRIGGER_EVENTS:
            raise ValueError(f"must be one of {', '.join(TRIGGER_EVENTS)}")
        return value

    @field_validator("filter")
    @classmethod
    def _filter(cls, value: str) -> str:
        return check_expression(value) if value else value


class ProcessTriggerCreate(ProcessTriggerBase):
    pass


class ProcessTriggerUpdate(SQLModel):
    filter: Line | None = Field(default=None, max_length=2000)
    input_mapping: JsonObject | None = None
    version: int | None = Field(default=None, ge=1, le=2**31 - 1)
    description: Text | None = Field(default=None, max_length=1000)
    enabled: bool | None = None

    @field_validator("filter")
    @classmethod
    def _filter(cls, value: str | None) -> str | None:
        return check_expression(value) if value else value


class ProcessTrigger(ProcessTriggerBase, table=True):
    __tablename__ = "process_trigger"

    id: int | None = Field(default=None, primary_key=True)
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessTriggerPublic(ProcessTriggerBase):
    id: int
    created_by: str
    created_at: datetime
    updated_at: datetime
