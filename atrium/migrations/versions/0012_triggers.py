"""event triggers of designed processes

Revision ID: 0012_triggers
Revises: 0011_process_definitions
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0012_triggers"
down_revision: str | Sequence[str] | None = "0011_process_definitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "process_trigger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process", String(length=63), nullable=False),
        sa.Column("event_type", String(length=64), nullable=False),
        sa.Column("filter", String(length=2000), nullable=False),
        sa.Column("input_mapping", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("description", String(length=1000), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", String(length=255), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_process_trigger_process", "process_trigger", ["process"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_process_trigger_process", table_name="process_trigger")
    op.drop_table("process_trigger")
