"""Appending to and verifying the hash-chained audit log (atrium/models/audit.py).

Appends are serialised so the chain never forks: an in-process lock, plus the database's own lock
for other processes (``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock on
PostgreSQL). The unique ``prev_hash`` column is the last line of defence.

The retention purge (atrium/privacy/retention.py) deletes the oldest rows and leaves a checkpoint
(``audit_checkpoint``: the last purged id and its hash): verification starts there, so the chain
stays verifiable after a purge and any other deletion still breaks it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from atrium.models.audit import GENESIS, AuditEvent, AuditEventBase
from atrium.models.privacy import AuditCheckpoint

_APPEND_LOCK = threading.Lock()
_PG_LOCK_KEY = 0x41545249554D  # "ATRIUM": any constant shared by every replica
HASHED_FIELDS = tuple(AuditEventBase.model_fields)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def row_hash(content: dict[str, Any], prev_hash: str) -> str:
    """sha256 over canonical JSON (sorted keys, no spaces) of the content and the previous hash."""
    doc = {k: content[k] for k in HASHED_FIELDS} | {"prev_hash": prev_hash}
    doc["at"] = as_utc(doc["at"]).isoformat(timespec="microseconds")
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@contextmanager
def _serialised(engine: Engine) -> Iterator[Connection]:
    with _APPEND_LOCK, engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, taken before reading the tail
            try:
                yield conn
                conn.exec_driver_sql("COMMIT")
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
        else:
            with conn.begin():
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
                yield conn


def append(engine: Engine, event: AuditEventBase) -> str:
    """Chain ``event`` onto the log; returns its hash."""
    return append_many(engine, [event])[0]


def append_many(engine: Engine, events: list[AuditEventBase]) -> list[str]:
    """Chain ``events`` onto the log in order, in one transaction; returns their hashes."""
    rows = []
    for event in events:
        content = event.model_dump()
        content["at"] = as_utc(content["at"])
        rows.append(content)
    with _serialised(engine) as conn:
        last = conn.execute(
            select(col(AuditEvent.hash)).order_by(col(AuditEvent.id).desc()).limit(1)
        ).scalar()
        prev_hash = last or GENESIS
        for content in rows:
            content["prev_hash"] = prev_hash
            content["hash"] = prev_hash = row_hash(content, prev_hash)
        conn.execute(insert(AuditEvent), rows)
    return [content["hash"] for content in rows]


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None


def verify(engine: Engine, batch: int = 1000) -> Verification:
    """Walk the chain in id order, from the last purge's checkpoint; name the first row whose
    hash or link does not hold."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    with engine.connect() as conn:
        checkpoint = conn.execute(
            select(col(AuditCheckpoint.last_id), col(AuditCheckpoint.last_hash))
            .order_by(col(AuditCheckpoint.last_id).desc())
            .limit(1)
        ).first()
        if checkpoint is not None:
            last_id, expected_prev = checkpoint
        while True:
            rows = conn.execute(
                select(AuditEvent)
                .where(col(AuditEvent.id) > last_id)
                .order_by(col(AuditEvent.id))
                .limit(batch)
            ).all()
            if not rows:
                return Verification(ok=True, checked=checked)
            for row in rows:
                data = row._asdict()
                if data["prev_hash"] != expected_prev:
                    return Verification(
                        False,
                        checked,
                        data["id"],
                        "prev_hash does not match the previous row: "
                        "a row before it was deleted, inserted or reordered",
                    )
                if row_hash(data, data["prev_hash"]) != data["hash"]:
                    return Verification(
                        False, checked, data["id"], "content does not match its hash: row edited"
                    )
                expected_prev = data["hash"]
                last_id = data["id"]
                checked += 1
