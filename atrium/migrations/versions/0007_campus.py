"""campus processes: notification preferences, sent notifications, proctored exam links

Revision ID: 0007_campus
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0007_campus"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", String(length=320), nullable=False),
        sa.Column("channel", String(length=8), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_notification_preference_recipient",
        "notification_preference",
        ["recipient"],
        unique=True,
    )
    op.create_table(
        "sent_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", String(length=255), nullable=False),
        sa.Column("recipient", String(length=320), nullable=False),
        sa.Column("channel", String(length=8), nullable=False),
        sa.Column("template", String(length=63), nullable=False),
        sa.Column("detail", String(length=1000), nullable=False),
        sa.Column("sent_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_sent_notification_message_key", "sent_notification", ["message_key"], unique=True
    )
    op.create_table(
        "proctored_exam_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", String(length=128), nullable=False),
        sa.Column("integration", String(length=63), nullable=False),
        sa.Column("workflow_id", String(length=255), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_proctored_exam_link_exam_id", "proctored_exam_link", ["exam_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_proctored_exam_link_exam_id", table_name="proctored_exam_link")
    op.drop_table("proctored_exam_link")
    op.drop_index("ix_sent_notification_message_key", table_name="sent_notification")
    op.drop_table("sent_notification")
    op.drop_index("ix_notification_preference_recipient", table_name="notification_preference")
    op.drop_table("notification_preference")
