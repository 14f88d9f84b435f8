"""webhook intake: proctored exam links keyed by integration and exam; room for namespaced
webhook secret paths and '<vendor>/<integration>' delivery-log sources

Revision ID: 0009_webhook_intake
Revises: 0005_events, 0007_campus
"""

from collections.abc import Sequence

from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = "0009_webhook_intake"
down_revision: str | Sequence[str] | None = ("0005_events", "0007_campus")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = AutoString


def upgrade() -> None:
    with op.batch_alter_table("proctored_exam_link") as batch_op:
        batch_op.drop_index("ix_proctored_exam_link_exam_id")
        batch_op.create_index("ix_proctored_exam_link_exam_id", ["exam_id"], unique=False)
        batch_op.create_unique_constraint("uq_proctored_exam_link", ["integration", "exam_id"])
    with op.batch_alter_table("webhook_source") as batch_op:
        batch_op.alter_column(
            "secret_name", type_=String(length=127), existing_type=String(length=63)
        )
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.alter_column("source", type_=String(length=127), existing_type=String(length=63))


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.alter_column("source", type_=String(length=63), existing_type=String(length=127))
    with op.batch_alter_table("webhook_source") as batch_op:
        batch_op.alter_column(
            "secret_name", type_=String(length=63), existing_type=String(length=127)
        )
    with op.batch_alter_table("proctored_exam_link") as batch_op:
        batch_op.drop_constraint("uq_proctored_exam_link", type_="unique")
        batch_op.drop_index("ix_proctored_exam_link_exam_id")
        batch_op.create_index("ix_proctored_exam_link_exam_id", ["exam_id"], unique=True)
