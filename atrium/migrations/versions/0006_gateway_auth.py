"""gateway: users, API keys and the hash-chained audit log

Revision ID: 0006_gateway_auth
Revises: 0001_foundation
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_gateway_auth"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString  # type: ignore[attr-defined]
UTC = sqlmodel.sql.sqltypes.UTCDateTime  # type: ignore[attr-defined]


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("username", String(length=63), nullable=False),
        sa.Column("role", String(length=32), nullable=False),
        sa.Column("full_name", String(length=200), nullable=False),
        sa.Column("person_id", String(length=100), nullable=True),
        sa.Column("class_ids", sa.JSON(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", String(length=255), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_username"), ["username"], unique=True)

    op.create_table(
        "api_key",
        sa.Column("name", String(length=100), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", String(length=16), nullable=False),
        sa.Column("key_hash", String(length=64), nullable=False),
        sa.Column("owner", String(length=63), nullable=False),
        sa.Column("revoked_at", UTC(), nullable=True),
        sa.Column("last_used_at", UTC(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("api_key") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_key_prefix"), ["prefix"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("at", UTC(), nullable=False),
        sa.Column("actor", String(length=100), nullable=False),
        sa.Column("actor_kind", String(length=16), nullable=False),
        sa.Column("action", String(length=200), nullable=False),
        sa.Column("path", String(length=2048), nullable=False),
        sa.Column("client_ip", String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("outcome", String(length=16), nullable=False),
        sa.Column("correlation_id", String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prev_hash", String(length=64), nullable=False),
        sa.Column("hash", String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prev_hash"),
    )
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("audit_event")
    op.drop_table("api_key")
    op.drop_table("app_user")
