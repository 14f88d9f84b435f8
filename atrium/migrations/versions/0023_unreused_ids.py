"""unreused_ids: SQLite gives a new row the id of the last one deleted. A subject-access export
deleted by retention or an erasure gave its id to the next person's export (a stale download link
named it), and an alert deleted with its rule gave its id to the next alert, which then carried a
delivery recorded late for the old one. Both tables are rebuilt with AUTOINCREMENT (PostgreSQL's
sequences never reuse an id).

Revision ID: 0023_unreused_ids
Revises: 0022_report_indexes
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_unreused_ids"
down_revision: str | Sequence[str] | None = "0022_report_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("privacy_export", "alert")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
