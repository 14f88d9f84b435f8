"""The integration inventory: one row per connection to a school system."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, select

from atrium.bounds import JsonObject, Line, Text

SYSTEM_TYPES = (
    "oneroster",
    "canvas",
    "moodle",
    "koha",
    "finance",
    "proctoring",
    "comms",
    "generic",
)


NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


def utcnow() -> datetime:
    return datetime.now(UTC)


class IntegrationBase(SQLModel):
    name: str = Field(min_length=1, max_length=63, index=True, unique=True)
    system: Line = Field(max_length=32, description=f"one of {', '.join(SYSTEM_TYPES)}")
    base_url: Line = Field(max_length=2048)
    health_path: Line = Field("/", max_length=512, description="path checked by the health check")
    description: Text = Field("", max_length=1000)
    enabled: bool = True
    # Non-secret connector settings, e.g. {"sftp_port": 22} for a bursar's batch channel.
    options: JsonObject = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        # SQLModel does not enforce Field(regex=...), so the pattern is checked here.
        if not NAME.fullmatch(value):
            raise ValueError(
                "must be 1-63 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
            )
        return value

    @field_validator("system")
    @classmethod
    def _known_system(cls, value: str) -> str:
        if value not in SYSTEM_TYPES:
            raise ValueError(f"must be one of {', '.join(SYSTEM_TYPES)}")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("health_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value


class IntegrationCreate(IntegrationBase):
    pass


class IntegrationUpdate(SQLModel):
    base_url: Line | None = Field(default=None, max_length=2048)
    health_path: Line | None = Field(default=None, max_length=512)
    description: Text | None = Field(default=None, max_length=1000)
    enabled: bool | None = None
    options: JsonObject | None = None


class Integration(IntegrationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)

    @staticmethod
    def named(session: Session, name: str) -> Integration | None:
        """The connection called ``name`` (the one lookup by name)."""
        return session.exec(select(Integration).where(Integration.name == name)).first()

    secret_path: str | None = Field(default=None, max_length=512)
    status: str = Field(default="unknown", max_length=16)  # unknown | healthy | unhealthy
    last_checked_at: datetime | None = None
    last_health_detail: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class IntegrationPublic(IntegrationBase):
    id: int
    has_secret: bool
    status: str
    last_checked_at: datetime | None
    last_health_detail: str | None
    created_at: datetime
    updated_at: datetime
