"""sync engine: sync state, idempotency keys, cursors, mappings, quarantine, conflicts

Revision ID: 0004_sync_engine
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0004_sync_engine"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "sync_mapping",
        sa.Column("name", S(length=63), nullable=False),
        sa.Column("record_type", S(length=32), nullable=False),
        sa.Column("description", S(length=1000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_by", S(length=255), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "version", name="uq_mapping_name_version"),
    )
    with op.batch_alter_table("sync_mapping", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_mapping_name"), ["name"], unique=False)

    op.create_table(
        "quarantined_record",
        sa.Column("integration", S(length=63), nullable=False),
        sa.Column("record_type", S(length=32), nullable=False),
        sa.Column("source_id", S(length=255), nullable=False),
        sa.Column("stage", S(length=16), nullable=False),
        sa.Column("reason", S(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", S(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", S(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quarantined_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantined_record_integration"), ["integration"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_quarantined_record_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quarantined_record_status"), ["status"], unique=False)

    op.create_table(
        "sync_conflict",
        sa.Column("integration", S(length=63), nullable=False),
        sa.Column("record_type", S(length=32), nullable=False),
        sa.Column("source_id", S(length=255), nullable=False),
        sa.Column("field", S(length=63), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", S(length=255), nullable=False),
        sa.Column("key", S(length=400), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("status", S(length=16), nullable=False),
        sa.Column("resolution", S(length=63), nullable=True),
        sa.Column("resolved_value", S(length=2000), nullable=True),
        sa.Column("resolved_by", S(length=255), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("resolved_at", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_conflict_integration"), ["integration"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sync_conflict_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sync_conflict_workflow_id"), ["workflow_id"], unique=False
        )

    op.create_table(
        "sync_cursor",
        sa.Column("integration", S(length=63), nullable=False),
        sa.Column("record_type", S(length=32), nullable=False),
        sa.Column("date_last_modified", UTC(), nullable=True),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("integration", "record_type"),
    )
    op.create_table(
        "sync_idempotency_key",
        sa.Column("key", S(length=400), nullable=False),
        sa.Column("outcome", S(length=400), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sync_record",
        sa.Column("integration", S(length=63), nullable=False),
        sa.Column("record_type", S(length=32), nullable=False),
        sa.Column("source_id", S(length=255), nullable=False),
        sa.Column("version", S(length=32), nullable=False),
        sa.Column("target_id", S(length=255), nullable=True),
        sa.Column("status", S(length=16), nullable=False),
        sa.Column("date_last_modified", UTC(), nullable=True),
        sa.Column("seen_run", S(length=255), nullable=False),
        sa.Column("snapshot", S(), nullable=True),
        sa.Column("synced_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("integration", "record_type", "source_id"),
    )
    op.create_index(
        "ix_sync_record_status",
        "sync_record",
        ["integration", "record_type", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_sync_record_status", table_name="sync_record")
    op.drop_table("sync_record")
    op.drop_table("sync_idempotency_key")
    op.drop_table("sync_cursor")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_workflow_id"))
        batch_op.drop_index(batch_op.f("ix_sync_conflict_status"))
        batch_op.drop_index(batch_op.f("ix_sync_conflict_integration"))
    op.drop_table("sync_conflict")
    with op.batch_alter_table("quarantined_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantined_record_status"))
        batch_op.drop_index(batch_op.f("ix_quarantined_record_run_id"))
        batch_op.drop_index(batch_op.f("ix_quarantined_record_integration"))
    op.drop_table("quarantined_record")
    with op.batch_alter_table("sync_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_mapping_name"))
    op.drop_table("sync_mapping")
