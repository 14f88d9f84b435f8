"""process definitions (drafts) and their immutable versions; merges every head

Revision ID: 0011_process_definitions
Revises: 0008_roster_packages, 0009_token_generation, 0010_alerts, 0010_intake
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0011_process_definitions"
down_revision: str | Sequence[str] | None = (
    "0008_roster_packages",
    "0009_token_generation",
    "0010_alerts",
    "0010_intake",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "process_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=63), nullable=False),
        sa.Column("description", String(length=1000), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("created_by", String(length=255), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_by", String(length=255), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "process_definition_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=63), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("content_hash", String(length=64), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("destructive", sa.JSON(), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=True),
        sa.Column("created_by", String(length=255), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("approved_by", String(length=255), nullable=True),
        sa.Column("approved_at", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "version", name="uq_process_version"),
    )
    op.create_index(
        "ix_process_definition_version_name", "process_definition_version", ["name"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_process_definition_version_name", table_name="process_definition_version")
    op.drop_table("process_definition_version")
    op.drop_table("process_definition")
