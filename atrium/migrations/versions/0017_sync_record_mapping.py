"""sync_record_mapping: each synced record keeps which run last wrote it and with which mapping
version (lineage: GET /api/v1/lineage)

Revision ID: 0017_sync_record_mapping
Revises: 0016_slas
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0017_sync_record_mapping"
down_revision: str | Sequence[str] | None = "0016_slas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows written before this revision say nothing of their run or mapping.
    op.add_column("sync_record", sa.Column("written_run", AutoString(length=255), nullable=True))
    op.add_column("sync_record", sa.Column("mapping", AutoString(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_record") as batch:
        batch.drop_column("mapping")
        batch.drop_column("written_run")
