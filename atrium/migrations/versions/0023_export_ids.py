"""export_ids: SQLite gave a new subject-access export the id of the last one deleted (by
retention or an erasure), so a stale download link or a part still keyed by that id named another
person's export; the table is rebuilt with AUTOINCREMENT (PostgreSQL's sequences never reuse)

Revision ID: 0023_export_ids
Revises: 0022_report_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_export_ids"
down_revision: str | Sequence[str] | None = "0022_report_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "privacy_export", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
