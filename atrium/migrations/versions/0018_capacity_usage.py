"""capacity_usage: the hourly usage roll-up capacity advice reads (runs per hour; per connection
calls, outbound waits and 429s)

Revision ID: 0018_capacity_usage
Revises: 0016_slas
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0018_capacity_usage"
down_revision: str | Sequence[str] | None = "0017_sync_record_mapping"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capacity_usage",
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("integration", AutoString(length=63), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("throttled", sa.Integer(), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=False),
        sa.Column("waits", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "integration"),
    )


def downgrade() -> None:
    op.drop_table("capacity_usage")
