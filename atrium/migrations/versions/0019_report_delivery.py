"""report delivery: who receives the monthly integration report and when, and each (month,
recipient) already sent

Revision ID: 0019_report_delivery
Revises: 0016_slas
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0019_report_delivery"
down_revision: str | Sequence[str] | None = "0018_capacity_usage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "report_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("day_of_month", sa.Integer(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("comms_integration", String(length=63), nullable=True),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("updated_by", String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "report_sent",
        sa.Column("month", String(length=7), nullable=False),
        sa.Column("recipient", String(length=320), nullable=False),
        sa.Column("message_id", String(length=998), nullable=False),
        sa.Column("sent_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("month", "recipient"),
    )


def downgrade() -> None:
    op.drop_table("report_sent")
    op.drop_table("report_delivery")
