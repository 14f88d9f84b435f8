"""slas: SLA definitions, their status samples (history) and each person's progress through a
person SLA

Revision ID: 0016_slas
Revises: 0015_security_events
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0016_slas"
down_revision: str | Sequence[str] | None = "0015_security_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "sla",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=63), nullable=False),
        sa.Column("kind", String(length=16), nullable=False),
        sa.Column("description", String(length=500), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("integration", String(length=63), nullable=True),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("within_hours", sa.Float(), nullable=False),
        sa.Column("new_since", UTC(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sla_name", "sla", ["name"], unique=True)
    op.create_table(
        "sla_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sla_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("breaches", sa.Integer(), nullable=False),
        sa.Column("detail", String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sla_sample_sla_id", "sla_sample", ["sla_id"])
    op.create_index("ix_sla_sample_at", "sla_sample", ["at"])
    op.create_table(
        "sla_person",
        sa.Column("sla_id", sa.Integer(), nullable=False),
        sa.Column("source_id", String(length=255), nullable=False),
        sa.Column("appeared_at", UTC(), nullable=False),
        sa.Column("met_at", UTC(), nullable=True),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("checked_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("sla_id", "source_id"),
    )


def downgrade() -> None:
    op.drop_table("sla_person")
    op.drop_index("ix_sla_sample_at", table_name="sla_sample")
    op.drop_index("ix_sla_sample_sla_id", table_name="sla_sample")
    op.drop_table("sla_sample")
    op.drop_index("ix_sla_name", table_name="sla")
    op.drop_table("sla")
