"""API keys for machine clients: only a hash of the key is stored; the key is shown once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.bounds import BoundedDatetime, Line
from atrium.models.integration import utcnow


class ApiKeyBase(SQLModel):
    name: Line = Field(min_length=1, max_length=100, description="what the key is for")
    scopes: list[Line] = Field(
        sa_column=Column(JSON, nullable=False),
        min_length=1,
        max_length=50,
        description="permissions the key carries (a subset of its owner's)",
    )
    expires_at: datetime | None = Field(default=None, description="none: never expires")


class ApiKeyCreate(ApiKeyBase):
    expires_at: BoundedDatetime | None = Field(default=None, description="none: never expires")


class ApiKey(ApiKeyBase, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=16, index=True, description="first characters, to recognise it")
    key_hash: str = Field(max_length=64, unique=True, description="sha256 of the whole key")
    owner: str = Field(max_length=63, index=True, description="username that created it")
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Suspended by a security event's response (a key used from a new network): refused until
    # someone with api_keys:manage resumes it (POST /api-keys/{id}/resume).
    suspended_at: datetime | None = None
    suspended_by_event: int | None = None


class ApiKeyPublic(ApiKeyBase):
    id: int
    prefix: str
    owner: str
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
    suspended_at: datetime | None = None
    suspended_by_event: int | None = None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the key itself: shown this once, store it now")


class ApiKeyNetwork(SQLModel, table=True):
    """A network (an IPv4 /24, an IPv6 /64) a key has been used from: a key used from one never
    seen before is a security event (atrium/security_signals/)."""

    __tablename__ = "api_key_network"
    __table_args__ = (UniqueConstraint("key_id", "network", name="uq_api_key_network"),)

    id: int | None = Field(default=None, primary_key=True)
    key_id: int = Field(index=True)
    network: str = Field(max_length=64)
    first_seen: datetime = Field(default_factory=utcnow)
