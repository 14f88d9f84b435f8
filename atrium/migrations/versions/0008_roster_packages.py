"""OneRoster CSV packages: the packages a SIS sent, their staged records, uploads waiting

Revision ID: 0008_roster_packages
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0008_roster_packages"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "roster_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", String(length=63), nullable=False),
        sa.Column("name", String(length=255), nullable=False),
        sa.Column("sha256", String(length=64), nullable=False),
        sa.Column("origin", String(length=16), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("mode", String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("received_by", String(length=255), nullable=True),
        sa.Column("received_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "name", "sha256", name="uq_roster_package"),
    )
    op.create_index("ix_roster_package_source", "roster_package", ["source"], unique=False)
    op.create_index("ix_roster_package_status", "roster_package", ["status"], unique=False)
    op.create_table(
        "roster_package_record",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("record_type", String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "record_type", "seq"),
    )
    op.create_table(
        "roster_package_blob",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("chunk", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("roster_package_blob")
    op.drop_table("roster_package_record")
    op.drop_index("ix_roster_package_status", table_name="roster_package")
    op.drop_index("ix_roster_package_source", table_name="roster_package")
    op.drop_table("roster_package")
