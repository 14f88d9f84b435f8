"""alerts: rules, alerts (one per outage and group) and their deliveries

Revision ID: 0010_alerts
Revises: 0004_sync_engine, 0006_gateway_auth, 0009_webhook_intake
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0010_alerts"
down_revision: str | Sequence[str] | None = (
    "0004_sync_engine",
    "0006_gateway_auth",
    "0009_webhook_intake",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "alert_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=63), nullable=False),
        sa.Column("rule_set", String(length=63), nullable=False),
        sa.Column("kind", String(length=16), nullable=False),
        sa.Column("description", String(length=500), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("target", String(length=63), nullable=False),
        sa.Column("figure", String(length=32), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("comms_integration", String(length=63), nullable=True),
        sa.Column("email_to", sa.JSON(), nullable=False),
        sa.Column("chat", String(length=8), nullable=True),
        sa.Column("publish_event", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,  # a deleted rule's id, still on its alerts, is never reused
    )
    op.create_index("ix_alert_rule_name", "alert_rule", ["name"], unique=True)
    op.create_index("ix_alert_rule_rule_set", "alert_rule", ["rule_set"], unique=False)
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("rule_name", String(length=63), nullable=False),
        sa.Column("group_key", String(length=127), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("summary", String(length=1000), nullable=False),
        sa.Column("condition_at", UTC(), nullable=False),
        sa.Column("fired_at", UTC(), nullable=False),
        sa.Column("acknowledged_at", UTC(), nullable=True),
        sa.Column("acknowledged_by", String(length=255), nullable=True),
        sa.Column("resolved_at", UTC(), nullable=True),
        sa.Column("resolved_by", String(length=255), nullable=True),
        sa.Column("note", String(length=1000), nullable=False),
        sa.Column("quiet_until_clear", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_rule_id", "alert", ["rule_id"], unique=False)
    op.create_index("ix_alert_status", "alert", ["status"], unique=False)
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", String(length=16), nullable=False),
        sa.Column("transition", String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", String(length=1000), nullable=False),
        sa.Column("delivered_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "channel", "transition", name="uq_alert_delivery"),
    )
    op.create_index("ix_alert_delivery_alert_id", "alert_delivery", ["alert_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alert_delivery_alert_id", table_name="alert_delivery")
    op.drop_table("alert_delivery")
    op.drop_index("ix_alert_status", table_name="alert")
    op.drop_index("ix_alert_rule_id", table_name="alert")
    op.drop_table("alert")
    op.drop_index("ix_alert_rule_rule_set", table_name="alert_rule")
    op.drop_index("ix_alert_rule_name", table_name="alert_rule")
    op.drop_table("alert_rule")
