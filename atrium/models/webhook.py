"""Inbound webhooks: the sources that may call Atrium, the rules that route their events to a
process, and one row per delivery attempt with its outcome (what the console lists)."""

from __future__ import annotations

import re
from datetime import datetime

import jmespath
import jmespath.exceptions
from pydantic import field_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.bounds import JsonObject, Line, Text
from atrium.models.integration import utcnow

SIGNATURE_SCHEMES = ("atrium", "github")
# Names that would shadow the management routes under /webhooks/.
RESERVED_SOURCES = ("sources", "rules", "deliveries")
OUTCOMES = ("started", "queued", "signalled", "duplicate", "rejected", "unrouted", "error")
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def check_name(value: str) -> str:
    # SQLModel does not enforce ``schema_extra`` patterns: checked here.
    if not re.fullmatch(NAME_PATTERN, value):
        raise ValueError("lower-case letters, digits, '_' and '-', starting alphanumeric")
    return value


def check_expression(value: str) -> str:
    try:
        jmespath.compile(value)
    except jmespath.exceptions.JMESPathError as exc:
        raise ValueError(f"not a JMESPath expression: {exc}") from None
    return value


class WebhookSourceBase(SQLModel):
    # 55, not 63: the signing secret lives in Vault as "webhook-<name>" (63 at most).
    name: str = Field(
        min_length=1, max_length=55, schema_extra={"pattern": NAME_PATTERN}, index=True, unique=True
    )
    scheme: Line = Field(
        "atrium",
        max_length=16,
        description="atrium: 'Atrium-Signature: t=<unix>,v1=<hex>'; github: "
        "'X-Hub-Signature-256: sha256=<hex>' plus 'X-Atrium-Timestamp: <unix>'. "
        "Both are HMAC-SHA256 over '<timestamp>.<body>'.",
    )
    tolerance_seconds: int = Field(300, ge=1, le=86_400, description="replay window, seconds")
    event_type_path: Line = Field("type", max_length=200, description="JMESPath to the event type")
    event_id_path: Line = Field("id", max_length=200, description="JMESPath to the event id")
    description: Text = Field("", max_length=1000)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        check_name(value)
        if value in RESERVED_SOURCES:
            raise ValueError(f"is reserved ({', '.join(RESERVED_SOURCES)})")
        return value

    @field_validator("scheme")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value not in SIGNATURE_SCHEMES:
            raise ValueError(f"must be one of {', '.join(SIGNATURE_SCHEMES)}")
        return value

    @field_validator("event_type_path", "event_id_path")
    @classmethod
    def _expression(cls, value: str) -> str:
        return check_expression(value)


class WebhookSourceCreate(WebhookSourceBase):
    secret: Line | None = Field(
        default=None,
        min_length=16,
        max_length=512,
        description="the shared signing secret; omitted: Atrium generates one and shows it once",
    )


class WebhookSourceUpdate(SQLModel):
    scheme: Line | None = Field(default=None, max_length=16)
    tolerance_seconds: int | None = Field(default=None, ge=1, le=86_400)
    description: Text | None = Field(default=None, max_length=1000)
    enabled: bool | None = None

    @field_validator("scheme")
    @classmethod
    def _scheme(cls, value: str | None) -> str | None:
        if value is not None and value not in SIGNATURE_SCHEMES:
            raise ValueError(f"must be one of {', '.join(SIGNATURE_SCHEMES)}")
        return value


class WebhookSource(WebhookSourceBase, table=True):
    __tablename__ = "webhook_source"

    id: int | None = Field(default=None, primary_key=True)
    # "webhooks/sources/<name>" (atrium.webhook_secrets); "webhook-<name>" in rows from before
    secret_name: str = Field(max_length=127, description="Vault path of the signing key")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WebhookSourcePublic(WebhookSourceBase):
    id: int
    created_at: datetime
    updated_at: datetime


class WebhookSourceCreated(WebhookSourcePublic):
    secret: str | None = Field(
        default=None, description="shown once, only when Atrium generated or rotated it"
    )


class WebhookRuleBase(SQLModel):
    source: str = Field(max_length=63, schema_extra={"pattern": NAME_PATTERN}, index=True)
    event_type: Line = Field(min_length=1, max_length=200)
    process: Line = Field(min_length=1, max_length=100)
    input_mapping: JsonObject = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="process input field -> JMESPath over the event body "
        "(a nested object maps a nested input)",
    )
    description: Text = Field("", max_length=1000)
    enabled: bool = True

    @field_validator("source")
    @classmethod
    def _source_name(cls, value: str) -> str:
        return check_name(value)


class WebhookRuleCreate(WebhookRuleBase):
    pass


class WebhookRuleUpdate(SQLModel):
    process: Line | None = Field(default=None, min_length=1, max_length=100)
    input_mapping: JsonObject | None = None
    description: Text | None = Field(default=None, max_length=1000)
    enabled: bool | None = None


class WebhookRule(WebhookRuleBase, table=True):
    __tablename__ = "webhook_rule"
    __table_args__ = (UniqueConstraint("source", "event_type", name="uq_webhook_rule_event"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WebhookRulePublic(WebhookRuleBase):
    id: int
    created_at: datetime
    updated_at: datetime


class WebhookDeliveryBase(SQLModel):
    source: str = Field(
        max_length=127, index=True, description="a source's name, or '<vendor>/<integration>'"
    )
    event_id: str | None = Field(default=None, max_length=255)
    event_type: str | None = Field(default=None, max_length=200)
    outcome: str = Field(max_length=16, index=True, description=f"one of {', '.join(OUTCOMES)}")
    status_code: int
    reason: str = Field("", max_length=1000)
    workflow_id: str | None = Field(default=None, max_length=255)
    run_id: str | None = Field(default=None, max_length=64)
    remote_addr: str | None = Field(default=None, max_length=64)
    body_bytes: int = 0
    latency_ms: float | None = Field(default=None, description="received -> answered, in the API")
    received_at: datetime = Field(default_factory=utcnow, index=True)


class WebhookDelivery(WebhookDeliveryBase, table=True):
    __tablename__ = "webhook_delivery"

    id: int | None = Field(default=None, primary_key=True)


class WebhookDeliveryPublic(WebhookDeliveryBase):
    id: int
