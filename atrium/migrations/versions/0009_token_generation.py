"""users: a token generation, bumped when a password, role or the disabled flag changes, so the
login tokens issued before stop working

Revision ID: 0009_token_generation
Revises: 0006_gateway_auth
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_token_generation"
down_revision: str | Sequence[str] | None = "0006_gateway_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(
            sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("token_generation")
