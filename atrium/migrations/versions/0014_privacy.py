"""privacy: subject-access exports, erasures and their steps, legal holds, tombstones, erasure
rules, retention of Atrium's own data, audit purge checkpoints

Revision ID: 0014_privacy
Revises: 0013_intake_status
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0014_privacy"
down_revision: str | Sequence[str] | None = "0013_intake_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "privacy_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", String(length=64), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("requested_by", String(length=255), nullable=False),
        sa.Column("connections", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", String(length=64), nullable=False),
        sa.Column("wrapped_key", String(length=1000), nullable=True),
        sa.Column("blob", sa.LargeBinary(), nullable=True),
        sa.Column("error", String(length=1000), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC(), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("workflow_id", String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_export_subject", "privacy_export", ["subject"])
    op.create_table(
        "privacy_export_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("section", String(length=63), nullable=False),
        sa.Column("wrapped_key", String(length=1000), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_export_part_export_id", "privacy_export_part", ["export_id"])
    op.create_table(
        "privacy_erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", String(length=64), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("requested_by", String(length=255), nullable=False),
        sa.Column("connections", sa.JSON(), nullable=False),
        sa.Column("not_before", UTC(), nullable=False),
        sa.Column("reason", String(length=1000), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC(), nullable=True),
        sa.Column("workflow_id", String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_erasure_subject", "privacy_erasure", ["subject"])
    op.create_table(
        "privacy_erasure_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erasure_id", sa.Integer(), nullable=False),
        sa.Column("connection", String(length=63), nullable=False),
        sa.Column("system", String(length=16), nullable=False),
        sa.Column("record_type", String(length=32), nullable=False),
        sa.Column("treatment", String(length=16), nullable=False),
        sa.Column("detail", String(length=1000), nullable=False),
        sa.Column("proof", String(length=64), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_erasure_step_erasure_id", "privacy_erasure_step", ["erasure_id"])
    op.create_table(
        "privacy_tombstone",
        sa.Column("subject", String(length=64), nullable=False),
        sa.Column("erasure_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "privacy_legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", String(length=64), nullable=False),
        sa.Column("reason", String(length=1000), nullable=False),
        sa.Column("placed_by", String(length=255), nullable=False),
        sa.Column("placed_at", UTC(), nullable=False),
        sa.Column("released_at", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_legal_hold_subject", "privacy_legal_hold", ["subject"])
    op.create_table(
        "privacy_rule",
        sa.Column("system", String(length=16), nullable=False),
        sa.Column("record_type", String(length=32), nullable=False),
        sa.Column("treatment", String(length=16), nullable=False),
        sa.Column("updated_by", String(length=255), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("system", "record_type"),
    )
    op.create_table(
        "privacy_retention",
        sa.Column("dataset", String(length=32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_by", String(length=255), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("dataset"),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", String(length=64), nullable=False),
        sa.Column("purged", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    op.drop_table("privacy_retention")
    op.drop_table("privacy_rule")
    op.drop_index("ix_privacy_legal_hold_subject", table_name="privacy_legal_hold")
    op.drop_table("privacy_legal_hold")
    op.drop_table("privacy_tombstone")
    op.drop_index("ix_privacy_erasure_step_erasure_id", table_name="privacy_erasure_step")
    op.drop_table("privacy_erasure_step")
    op.drop_index("ix_privacy_erasure_subject", table_name="privacy_erasure")
    op.drop_table("privacy_erasure")
    op.drop_index("ix_privacy_export_part_export_id", table_name="privacy_export_part")
    op.drop_table("privacy_export_part")
    op.drop_index("ix_privacy_export_subject", table_name="privacy_export")
    op.drop_table("privacy_export")
