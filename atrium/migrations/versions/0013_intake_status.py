"""intake status: which event a coalesced event was folded into (the console's deliveries page
shows what became of each inbound event; its run, batch and failure reason had columns already)

Revision ID: 0013_intake_status
Revises: 0012_triggers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_intake_status"
down_revision: str | Sequence[str] | None = "0012_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("intake_event", sa.Column("coalesced_into", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("intake_event") as batch:  # SQLite drops a column by copying
        batch.drop_column("coalesced_into")
