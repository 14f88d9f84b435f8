"""security responses: API keys suspended by a security event (and the networks each key was
seen from), security events acknowledged by a person, alert rules on security events

Revision ID: 0020_security_responses
Revises: 0016_slas
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0020_security_responses"
down_revision: str | Sequence[str] | None = "0019_report_delivery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString
UTC = UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("suspended_at", UTC(), nullable=True))
        batch.add_column(sa.Column("suspended_by_event", sa.Integer(), nullable=True))
    with op.batch_alter_table("security_event") as batch:
        batch.add_column(sa.Column("acknowledged_at", UTC(), nullable=True))
        batch.add_column(sa.Column("acknowledged_by", String(length=255), nullable=True))
    with op.batch_alter_table("alert_rule") as batch:
        batch.add_column(sa.Column("min_severity", String(length=16), nullable=True))
    op.create_table(
        "api_key_network",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("network", String(length=64), nullable=False),
        sa.Column("first_seen", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_id", "network", name="uq_api_key_network"),
    )
    op.create_index("ix_api_key_network_key_id", "api_key_network", ["key_id"])


def downgrade() -> None:
    op.drop_index("ix_api_key_network_key_id", table_name="api_key_network")
    op.drop_table("api_key_network")
    with op.batch_alter_table("alert_rule") as batch:
        batch.drop_column("min_severity")
    with op.batch_alter_table("security_event") as batch:
        batch.drop_column("acknowledged_by")
        batch.drop_column("acknowledged_at")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("suspended_by_event")
        batch.drop_column("suspended_at")
