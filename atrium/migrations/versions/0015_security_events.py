"""security events: what threat detection noticed (password spraying, bursts of bad webhook
signatures), its severity and the response applied

Revision ID: 0015_security_events
Revises: 0014_privacy
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0015_security_events"
down_revision: str | Sequence[str] | None = "0014_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    op.create_table(
        "security_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", String(length=32), nullable=False),
        sa.Column("severity", String(length=16), nullable=False),
        sa.Column("subject", String(length=255), nullable=False),
        sa.Column("summary", String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("response", String(length=32), nullable=False),
        sa.Column("response_detail", String(length=500), nullable=False),
        sa.Column("response_until", UTC(), nullable=True),
        sa.Column("first_seen", UTC(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("dedup_key", String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key"),
    )
    op.create_index("ix_security_event_kind", "security_event", ["kind"])
    op.create_index("ix_security_event_subject", "security_event", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_security_event_subject", table_name="security_event")
    op.drop_index("ix_security_event_kind", table_name="security_event")
    op.drop_table("security_event")
