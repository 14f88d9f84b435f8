"""intake: the durable webhook intake log (committed before the 202, dispatched after)

Revision ID: 0010_intake
Revises: 0009_webhook_intake
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0010_intake"
down_revision: str | Sequence[str] | None = "0009_webhook_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString


def upgrade() -> None:
    op.create_table(
        "intake_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", String(length=127), nullable=False),
        sa.Column("event_id", String(length=255), nullable=False),
        sa.Column("event_type", String(length=200), nullable=False),
        sa.Column("process", String(length=100), nullable=False),
        sa.Column("subject", String(length=255), nullable=True),
        sa.Column("workflow_id", String(length=255), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("mode", String(length=8), nullable=True),
        sa.Column("claimed_by", String(length=127), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("run_id", String(length=64), nullable=True),
        sa.Column("batch_id", String(length=255), nullable=True),
        sa.Column("reason", String(length=1000), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "event_id", name="uq_intake_event_source_event"),
    )
    op.create_index("ix_intake_event_status_id", "intake_event", ["status", "id"])
    op.create_index("ix_intake_event_subject_id", "intake_event", ["subject", "id"])


def downgrade() -> None:
    op.drop_index("ix_intake_event_subject_id", table_name="intake_event")
    op.drop_index("ix_intake_event_status_id", table_name="intake_event")
    op.drop_table("intake_event")
