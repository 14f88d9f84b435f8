"""The sync-state store: what was last written for each record, idempotency keys and cursors.

The hot paths (look up a page of versions, save a page of versions) run as one batched
``SELECT ... IN`` and one ``executemany`` of ``INSERT ... ON CONFLICT DO UPDATE`` on the driver
connection: a million-record sync cannot afford an ORM object per row. The SQL is the same for
SQLite (3.24+) and PostgreSQL except for the parameter marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from atrium.sync.changes import Known

IN_BATCH = 900  # below SQLite's oldest host-parameter limit


@dataclass(slots=True)
class Saved:
    source_id: str
    version: str
    status: str = "active"
    target_id: str | None = None
    date_last_modified: datetime | None = None
    snapshot: str | None = None
    mapping: str | None = None  # the mapping version it was mapped with (lineage)


def _chunks(items: Sequence[str], size: int = IN_BATCH) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SyncStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"

    # -- plumbing -------------------------------------------------------------------------
    def _sql(self, text: str) -> str:
        return text if self.sqlite else text.replace("?", "%s")

    def _time(self, value: datetime | None) -> Any:
        """SQLite keeps UTC text in SQLAlchemy's own format, so ORM reads of the table work."""
        if value is None:
            return None
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.engine.begin() as conn:
            result = conn.exec_driver_sql(self._sql(sql), tuple(params))
            return [tuple(row) for row in result] if result.returns_rows else []

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(self._sql(sql), rows)

    # -- versions ---------------------------------------------------------------------------
    def known(
        self, integration: str, record_type: str, source_ids: Sequence[str]
    ) -> dict[str, Known]:
        found: dict[str, Known] = {}
        with self.engine.connect() as conn:
            for batch in _chunks(list(source_ids)):
                marks = ",".join("?" * len(batch))
                sql = self._sql(
                    "SELECT source_id, version, status, target_id FROM sync_record WHERE"  # noqa: S608  # nosec B608  # only placeholders and constants are interpolated
                    f" integration = ? AND record_type = ? AND source_id IN ({marks})"
                )
                for sid, version, status, target in conn.exec_driver_sql(
                    sql, (integration, record_type, *batch)
                ):
                    found[sid] = Known(version, status, target)
        return found

    def save(self, integration: str, record_type: str, run: str, rows: Sequence[Saved]) -> None:
        now = self._time(datetime.now(UTC))
        self._many(
            "INSERT INTO sync_record (integration, record_type, source_id, version, target_id,"
            " status, date_last_modified, seen_run, snapshot, synced_at, written_run, mapping)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (integration, record_type, source_id) DO UPDATE SET"
            " version = excluded.version, status = excluded.status,"
            " target_id = COALESCE(excluded.target_id, sync_record.target_id),"
            " date_last_modified = excluded.date_last_modified, seen_run = excluded.seen_run,"
            " snapshot = COALESCE(excluded.snapshot, sync_record.snapshot),"
            " synced_at = excluded.synced_at, written_run = excluded.written_run,"
            " mapping = excluded.mapping",
            [
                (
                    integration,
                    record_type,
                    r.source_id,
                    r.version,
                    r.target_id,
                    r.status,
                    self._time(r.date_last_modified),
                    run,
                    r.snapshot,
                    now,
                    run,
                    r.mapping,
                )
                for r in rows
            ],
        )

    def mark_seen(
        self, integration: str, record_type: str, run: str, source_ids: Sequence[str]
    ) -> None:
        self._many(
            "UPDATE sync_record SET seen_run = ? WHERE integration = ? AND record_type = ?"
            " AND source_id = ?",
            [(run, integration, record_type, sid) for sid in source_ids],
        )

    def set_status(
        self, integration: str, record_type: str, source_ids: Sequence[str], status: str
    ) -> None:
        now = self._time(datetime.now(UTC))
        self._many(
            "UPDATE sync_record SET status = ?, synced_at = ? WHERE integration = ?"
            " AND record_type = ? AND source_id = ?",
            [(status, now, integration, record_type, sid) for sid in source_ids],
        )

    def _pending_clause(self, full: bool) -> str:
        # Marked tobedeleted by the SIS, or (full runs only) gone from the export.
        gone = " OR (status = 'active' AND seen_run != ?)" if full else ""
        return f"(status = 'tobedeleted'{gone})"

    def deletion_candidates(
        self,
        integration: str,
        record_type: str,
        run: str,
        *,
        full: bool,
        after: str = "",
        limit: int = 5000,
    ) -> list[tuple[str, str | None, str | None]]:
        """(source id, snapshot, target id) of records to deactivate, in id order from ``after``."""
        params: list[Any] = [integration, record_type, *([run] if full else []), after, limit]
        return [
            (r[0], r[1], r[2])
            for r in self._run(
                "SELECT source_id, snapshot, target_id FROM sync_record WHERE integration = ?"  # noqa: S608  # nosec B608  # only placeholders and constants are interpolated
                f" AND record_type = ? AND {self._pending_clause(full)} AND source_id > ?"
                " ORDER BY source_id LIMIT ?",
                params,
            )
        ]

    def count_deletions(self, integration: str, record_type: str, run: str, *, full: bool) -> int:
        params: list[Any] = [integration, record_type, *([run] if full else [])]
        rows = self._run(
            "SELECT COUNT(*) FROM sync_record WHERE integration = ? AND record_type = ?"  # noqa: S608  # nosec B608  # only placeholders and constants are interpolated
            f" AND {self._pending_clause(full)}",
            params,
        )
        return int(rows[0][0])

    def forget(self, integration: str, record_type: str, source_ids: Sequence[str]) -> None:
        """Drop what was last synced, so the next run writes these records again (repair)."""
        self._many(
            "UPDATE sync_record SET version = '' WHERE integration = ? AND record_type = ?"
            " AND source_id = ?",
            [(integration, record_type, sid) for sid in source_ids],
        )

    def count(self, integration: str, record_type: str) -> int:
        """Records currently live in the target (active, or marked but not yet deactivated)."""
        rows = self._run(
            "SELECT COUNT(*) FROM sync_record WHERE integration = ? AND record_type = ?"
            " AND status IN ('active', 'tobedeleted')",
            (integration, record_type),
        )
        return int(rows[0][0])

    def snapshots(
        self, integration: str, record_type: str, source_ids: Sequence[str]
    ) -> dict[str, str]:
        out: dict[str, str] = {}
        for batch in _chunks(list(source_ids)):
            marks = ",".join("?" * len(batch))
            for sid, snap in self._run(
                "SELECT source_id, snapshot FROM sync_record WHERE integration = ?"  # noqa: S608  # nosec B608  # only placeholders and constants are interpolated
                f" AND record_type = ? AND source_id IN ({marks})",
                (integration, record_type, *batch),
            ):
                if snap is not None:
                    out[sid] = snap
        return out

    # -- cursors ----------------------------------------------------------------------------
    def cursor(self, integration: str, record_type: str) -> datetime | None:
        rows = self._run(
            "SELECT date_last_modified FROM sync_cursor WHERE integration = ? AND record_type = ?",
            (integration, record_type),
        )
        if not rows or rows[0][0] is None:
            return None
        value = rows[0][0]
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def advance_cursor(self, integration: str, record_type: str, value: datetime) -> None:
        """Move the cursor forward only (a late, retried activity never moves it back)."""
        current = self.cursor(integration, record_type)
        if current is not None and current >= value:
            return
        self._run(
            "INSERT INTO sync_cursor (integration, record_type, date_last_modified, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (integration, record_type) DO UPDATE SET"
            " date_last_modified = excluded.date_last_modified, updated_at = excluded.updated_at",
            (integration, record_type, self._time(value), self._time(datetime.now(UTC))),
        )

    # -- idempotency keys -------------------------------------------------------------------
    def outcome(self, key: str) -> str | None:
        rows = self._run("SELECT outcome FROM sync_idempotency_key WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def done(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for batch in _chunks(list(keys)):
            marks = ",".join("?" * len(batch))
            found.update(
                r[0]
                for r in self._run(
                    f"SELECT key FROM sync_idempotency_key WHERE key IN ({marks})",  # noqa: S608  # nosec B608  # only placeholders
                    batch,
                )
            )
        return found

    def record(self, keys: Sequence[tuple[str, str]]) -> None:
        """Remember writes done: (key, outcome). A key already there keeps its first outcome."""
        now = self._time(datetime.now(UTC))
        self._many(
            "INSERT INTO sync_idempotency_key (key, outcome, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO NOTHING",
            [(key, outcome[:400], now) for key, outcome in keys],
        )
