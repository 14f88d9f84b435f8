"""Alert rules, the alerts they raise (one per outage and group: firing -> acknowledged ->
resolved) and the notifications sent for them (one row per alert, channel and transition: the
idempotency key of a delivery)."""

from __future__ import annotations

from datetime import datetime

from pydantic import EmailStr, model_validator
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from atrium.models.integration import utcnow

RULE_KINDS = ("health_down", "threshold", "absence", "sla_breach", "security_event")
SEVERITIES = ("low", "medium", "high")  # a security_event rule's min_severity
FIGURES = ("quarantine_size", "dead_letters", "failed_runs")
CHATS = ("slack", "teams")
ALERT_STATES = ("firing", "acknowledged", "resolved")
NAME = r"^[a-z0-9][a-z0-9._-]*$"
TARGET = r"^(\*|[a-z0-9][a-z0-9._-]*)$"


class AlertRuleBase(SQLModel):
    name: str = Field(
        min_length=1, max_length=63, schema_extra={"pattern": NAME}, unique=True, index=True
    )
    rule_set: str = Field(
        "default", min_length=1, max_length=63, schema_extra={"pattern": NAME}, index=True
    )
    kind: str = Field(max_length=16, description=f"one of {', '.join(RULE_KINDS)}")
    description: str = Field(default="", max_length=500)
    enabled: bool = True
    # health_down: a connection's name, or "*" for every enabled one; threshold: optionally one
    # connection (quarantine) or process (failed runs); absence: the process expected to succeed;
    # sla_breach: the SLA (its name) measured at each evaluation, a sample of its history each.
    target: str = Field(default="*", min_length=1, max_length=63, schema_extra={"pattern": TARGET})
    figure: str | None = Field(
        default=None, max_length=32, description=f"one of {', '.join(FIGURES)}"
    )
    threshold: int = Field(
        default=1, ge=0, le=1_000_000, description="fires when the figure reaches it"
    )
    window_minutes: int = Field(
        default=60, ge=1, le=10_080, description="dead letters, runs, absence"
    )
    # Deliveries go through a comms connection: SMTP login and chat webhook URLs in its secret.
    comms_integration: str | None = Field(
        default=None, max_length=63, schema_extra={"pattern": NAME}
    )
    email_to: list[EmailStr] = Field(
        default_factory=list, max_length=20, sa_column=Column(JSON, nullable=False)
    )
    chat: str | None = Field(default=None, max_length=8, description=f"one of {', '.join(CHATS)}")
    publish_event: bool = Field(
        default=True, description="alert.firing / alert.resolved to subscribers"
    )
    # security_event: events of this severity and above (target: one event kind, or "*"),
    # each one alert while unacknowledged and younger than window_minutes.
    min_severity: str | None = Field(
        default=None, max_length=16, description=f"one of {', '.join(SEVERITIES)}"
    )

    @model_validator(mode="after")
    def _complete(self) -> AlertRuleBase:
        check_rule(self)
        return self


def check_rule(rule: AlertRuleBase) -> None:
    """The rule's fields fit together (each message names the field)."""
    if rule.kind not in RULE_KINDS:
        raise ValueError(f"kind: must be one of {', '.join(RULE_KINDS)}")
    if rule.kind == "threshold" and rule.figure not in FIGURES:
        raise ValueError(f"figure: a threshold rule needs one of {', '.join(FIGURES)}")
    if rule.kind == "absence" and rule.target == "*":
        raise ValueError("target: an absence rule names one process")
    if rule.kind == "sla_breach" and rule.target == "*":
        raise ValueError("target: an sla_breach rule names one SLA")
    if rule.kind == "security_event" and rule.min_severity not in SEVERITIES:
        raise ValueError(
            f"min_severity: a security_event rule needs one of {', '.join(SEVERITIES)}"
        )
    if rule.chat is not None and rule.chat not in CHATS:
        raise ValueError(f"chat: must be one of {', '.join(CHATS)}")
    if (rule.email_to or rule.chat) and not rule.comms_integration:
        raise ValueError("comms_integration: required to send email or chat")


class AlertRuleCreate(AlertRuleBase):
    pass


class AlertRuleUpdate(SQLModel):
    """Every field but the name and the rule set (a rule set is one evaluator workflow)."""

    kind: str | None = Field(default=None, max_length=16)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None
    target: str | None = Field(
        default=None, min_length=1, max_length=63, schema_extra={"pattern": TARGET}
    )
    figure: str | None = Field(default=None, max_length=32)
    threshold: int | None = Field(default=None, ge=0, le=1_000_000)
    window_minutes: int | None = Field(default=None, ge=1, le=10_080)
    comms_integration: str | None = Field(
        default=None, max_length=63, schema_extra={"pattern": NAME}
    )
    email_to: list[EmailStr] | None = Field(default=None, max_length=20)
    chat: str | None = Field(default=None, max_length=8)
    publish_event: bool | None = None
    min_severity: str | None = Field(default=None, max_length=16)


class AlertRule(AlertRuleBase, table=True):
    __tablename__ = "alert_rule"
    # Alerts outlive their rule (the history): a new rule must never reuse a deleted one's id,
    # which SQLite does without AUTOINCREMENT (PostgreSQL's sequences never do).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AlertRulePublic(AlertRuleBase):
    id: int
    created_at: datetime
    updated_at: datetime


class AlertBase(SQLModel):
    rule_id: int = Field(index=True)
    rule_name: str = Field(max_length=63)
    group_key: str = Field(max_length=127, description="what is down: a connection, a figure")
    status: str = Field(default="firing", max_length=16, index=True)
    summary: str = Field(default="", max_length=1000)
    condition_at: datetime = Field(description="when the condition was first seen")
    fired_at: datetime = Field(default_factory=utcnow)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = Field(default=None, max_length=255)
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(
        default=None, max_length=255, description="a person, or 'condition'"
    )
    note: str = Field(default="", max_length=1000)


class Alert(AlertBase, table=True):
    __tablename__ = "alert"
    __table_args__ = {"sqlite_autoincrement": True}  # a late delivery never lands on a new alert

    id: int | None = Field(default=None, primary_key=True)
    # A person resolved it while the condition held: no new alert for this group until the
    # condition has cleared once (the same outage is not announced twice).
    quiet_until_clear: bool = False


class AlertPublic(AlertBase):
    id: int


class AlertDelivery(SQLModel, table=True):
    """One notification sent: (alert, channel, transition) is the idempotency key."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", "transition", name="uq_alert_delivery"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(index=True)
    channel: str = Field(max_length=16, description="email | slack | teams | event")
    transition: str = Field(max_length=16, description="firing | resolved")
    ok: bool = Field(
        default=True, description="false: refused for good (bad address, revoked webhook)"
    )
    detail: str = Field(default="", max_length=1000)
    delivered_at: datetime = Field(default_factory=utcnow)


class AlertDeliveryPublic(SQLModel):
    channel: str
    transition: str
    ok: bool
    detail: str
    delivered_at: datetime
