"""second_factor: when a user's TOTP second factor was confirmed, and the last step accepted

Revision ID: 0021_second_factor
Revises: 0016_slas
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision: str = "0021_second_factor"
down_revision: str | Sequence[str] | None = "0020_security_responses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("second_factor_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("second_factor_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("second_factor_step")
        batch.drop_column("second_factor_at")
