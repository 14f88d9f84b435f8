"""report_indexes: a month's report reads records, quarantine and conflicts by time; without an
index on those times every report scans the whole table (a school keeps millions of records)

Revision ID: 0022_report_indexes
Revises: 0021_second_factor
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_report_indexes"
down_revision: str | Sequence[str] | None = "0021_second_factor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_sync_record_synced_at", "sync_record", "synced_at"),
    ("ix_quarantined_record_created_at", "quarantined_record", "created_at"),
    ("ix_sync_conflict_created_at", "sync_conflict", "created_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
