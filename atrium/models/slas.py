"""Service-level agreements: per connection (success rate, p95 run latency, freshness) and per
person across systems ("a new enrollee has an LMS account and a library card within N hours of
appearing in the SIS"), the status samples that make their history, and each person's progress
through a person SLA (when they appeared, when every target had them)."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import model_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

SLA_KINDS = ("success_rate", "latency_p95", "freshness", "person")
SAMPLE_STATES = ("met", "breached", "unknown")
NAME = r"^[a-z0-9][a-z0-9._-]*$"
# One target system of a person SLA: "<connection>:<record type>", as the sync state keys it.
PERSON_TARGET = r"^[a-z0-9][a-z0-9._-]*:[a-z][a-z0-9_]*$"


class SlaBase(SQLModel):
    name: str = Field(
        min_length=1, max_length=63, schema_extra={"pattern": NAME}, unique=True, index=True
    )
    kind: str = Field(max_length=16, description=f"one of {', '.join(SLA_KINDS)}")
    description: str = Field(default="", max_length=500)
    enabled: bool = True
    # success_rate, latency_p95, freshness: the connection measured (its runs, its sync state).
    integration: str | None = Field(default=None, max_length=63, schema_extra={"pattern": NAME})
    objective: float = Field(
        default=0.0,
        ge=0.0,
        le=1_000_000.0,
        description="success_rate: minimum percent; latency_p95: maximum seconds;"
        " freshness: maximum minutes since the last good sync",
    )
    window_minutes: int = Field(
        default=1440, ge=1, le=44_640, description="the runs measured (success rate, latency)"
    )
    # person: the systems every person must reach, and how soon after appearing.
    targets: list[str] = Field(
        default_factory=list, max_length=10, sa_column=Column(JSON, nullable=False)
    )
    within_hours: float = Field(default=24.0, gt=0.0, le=8760.0)
    new_since: datetime | None = Field(
        default=None, description="person: people who appeared earlier are not new enrollees"
    )

    @model_validator(mode="after")
    def _complete(self) -> SlaBase:
        check_sla(self)
        return self


def check_sla(sla: SlaBase) -> None:
    """The fields fit together (each message names the field)."""

    if sla.kind not in SLA_KINDS:
        raise ValueError(f"kind: must be one of {', '.join(SLA_KINDS)}")
    if sla.kind == "person":
        if not sla.targets:
            raise ValueError("targets: a person SLA names at least one connection:record_type")
        for target in sla.targets:
            if not re.match(PERSON_TARGET, target) or len(target) > 100:
                raise ValueError(f"targets: {target[:100]!r} is not connection:record_type")
        return
    if sla.integration is None:
        raise ValueError(f"integration: a {sla.kind} SLA measures one connection")
    if sla.kind == "success_rate" and sla.objective > 100:
        raise ValueError("objective: a success rate is a percentage (0-100)")
    if sla.objective <= 0 and sla.kind != "success_rate":
        raise ValueError("objective: must be above 0")


class SlaCreate(SlaBase):
    pass


class Sla(SlaBase, table=True):
    __tablename__ = "sla"
    __table_args__ = {"sqlite_autoincrement": True}  # samples outlive a deleted SLA's id

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SlaPublic(SlaBase):
    id: int
    created_at: datetime
    updated_at: datetime


class SlaSampleBase(SQLModel):
    sla_id: int = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    status: str = Field(max_length=16, description=f"one of {', '.join(SAMPLE_STATES)}")
    value: float | None = Field(default=None, description="percent, seconds or minutes")
    breaches: int = Field(default=0, description="person: people in breach")
    detail: str = Field(default="", max_length=1000)


class SlaSample(SlaSampleBase, table=True):
    """One evaluation of one SLA: its history."""

    __tablename__ = "sla_sample"

    id: int | None = Field(default=None, primary_key=True)


class SlaSamplePublic(SlaSampleBase):
    id: int


class SlaPerson(SQLModel, table=True):
    """One person's progress through one person SLA. ``appeared_at`` is fixed when the person is
    first seen in the sync state (a later rewrite of their records does not move the deadline)."""

    __tablename__ = "sla_person"

    sla_id: int = Field(primary_key=True)
    source_id: str = Field(primary_key=True, max_length=255)
    appeared_at: datetime
    met_at: datetime | None = None
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    checked_at: datetime = Field(default_factory=utcnow)
