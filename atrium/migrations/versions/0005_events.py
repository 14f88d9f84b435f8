"""events: webhook sources, rules and deliveries; subscriptions and dead letters

Revision ID: 0005_events
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0005_events"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "webhook_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=55), nullable=False),
        sa.Column("scheme", String(length=16), nullable=False),
        sa.Column("tolerance_seconds", sa.Integer(), nullable=False),
        sa.Column("event_type_path", String(length=200), nullable=False),
        sa.Column("event_id_path", String(length=200), nullable=False),
        sa.Column("description", String(length=1000), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret_name", String(length=63), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_source_name", "webhook_source", ["name"], unique=True)

    op.create_table(
        "webhook_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", String(length=63), nullable=False),
        sa.Column("event_type", String(length=200), nullable=False),
        sa.Column("process", String(length=100), nullable=False),
        sa.Column("input_mapping", sa.JSON(), nullable=False),
        sa.Column("description", String(length=1000), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "event_type", name="uq_webhook_rule_event"),
    )
    op.create_index("ix_webhook_rule_source", "webhook_rule", ["source"], unique=False)

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", String(length=63), nullable=False),
        sa.Column("event_id", String(length=255), nullable=True),
        sa.Column("event_type", String(length=200), nullable=True),
        sa.Column("outcome", String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("reason", String(length=1000), nullable=False),
        sa.Column("workflow_id", String(length=255), nullable=True),
        sa.Column("run_id", String(length=64), nullable=True),
        sa.Column("remote_addr", String(length=64), nullable=True),
        sa.Column("body_bytes", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("received_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_delivery_outcome", "webhook_delivery", ["outcome"], unique=False)
    op.create_index(
        "ix_webhook_delivery_received_at", "webhook_delivery", ["received_at"], unique=False
    )
    op.create_index("ix_webhook_delivery_source", "webhook_delivery", ["source"], unique=False)

    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", String(length=2048), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("description", String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret_name", String(length=63), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", String(length=255), nullable=False),
        sa.Column("event_type", String(length=64), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", String(length=1000), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("redeliveries", sa.Integer(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_dead_letter_event"),
    )
    op.create_index("ix_dead_letter_status", "dead_letter", ["status"], unique=False)
    op.create_index(
        "ix_dead_letter_subscription_id", "dead_letter", ["subscription_id"], unique=False
    )


def downgrade() -> None:
    for table in (
        "dead_letter",
        "subscription",
        "webhook_delivery",
        "webhook_rule",
        "webhook_source",
    ):
        op.drop_table(table)
