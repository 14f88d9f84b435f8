"""Retention of Atrium's own data: how many days each kind is kept (``privacy_retention``, else
``DEFAULT_DAYS``) and the purge the schedule runs (workflows/retention_purge.py).

Run histories are Temporal's: their retention is the namespace's (``temporal operator namespace
update --retention``). The audit log is hash-chained: its purge deletes the oldest rows, never
the newest, and leaves a checkpoint (the last purged row's id and hash) from which
atrium/audit.py's verification starts, plus an audit row saying what was purged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, delete, func, select

from atrium import audit
from atrium.db import session_scope
from atrium.models import (
    AlertDelivery,
    AuditEvent,
    DeadLetter,
    QuarantinedRecord,
    SentNotification,
    WebhookDelivery,
)
from atrium.models.audit import AuditEventBase
from atrium.models.integration import utcnow
from atrium.models.privacy import AuditCheckpoint, PrivacyExport, RetentionPolicy

DEFAULT_DAYS: dict[str, int] = {
    "quarantine": 90,
    "deliveries": 30,
    "notifications": 365,
    "exports": 30,
    "audit": 730,
}
MIN_DAYS = 1
MAX_DAYS = 36_500

# dataset -> (table, its time column) of the rows it covers
TABLES: dict[str, list[tuple[Any, Any]]] = {
    "quarantine": [(QuarantinedRecord, QuarantinedRecord.updated_at)],
    "deliveries": [
        (WebhookDelivery, WebhookDelivery.received_at),
        (AlertDelivery, AlertDelivery.delivered_at),
        (DeadLetter, DeadLetter.updated_at),
    ],
    "notifications": [(SentNotification, SentNotification.sent_at)],
    "exports": [(PrivacyExport, PrivacyExport.created_at)],
}


def policies(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        chosen = {r.dataset: r.days for r in session.exec(select(RetentionPolicy))}
    return {name: chosen.get(name, days) for name, days in DEFAULT_DAYS.items()}


def set_policy(engine: Engine, dataset: str, days: int, by: str) -> None:
    with session_scope(engine) as session:
        row = session.get(RetentionPolicy, dataset) or RetentionPolicy(dataset=dataset, days=days)
        row.days, row.updated_by, row.updated_at = days, by, utcnow()
        session.add(row)
        session.commit()


def purge_table(engine: Engine, table: Any, column: Any, before: datetime) -> int:
    with session_scope(engine) as session:
        result = session.exec(delete(table).where(col(column) < before))  # type: ignore[call-overload]
        session.commit()
        return int(result.rowcount or 0)


def purge_audit(engine: Engine, before: datetime) -> int:
    """Delete audit rows older than ``before`` (never the newest row), checkpointing the chain."""
    with session_scope(engine) as session:
        # Only the chain's oldest stretch goes: up to the first row young enough to keep, and
        # never the newest row (the next append chains onto it).
        newest = session.exec(select(func.max(AuditEvent.id))).one()
        young = session.exec(
            select(func.min(AuditEvent.id)).where(col(AuditEvent.at) >= before)
        ).one()
        boundary = min(b for b in (newest, young) if b is not None) if newest else None
        last = (
            session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.id) < boundary)
                .order_by(col(AuditEvent.id).desc())
            ).first()
            if boundary is not None
            else None
        )
        if last is None or last.id is None:
            return 0
        # The checkpoint first: a verification between the two statements still holds.
        session.add(AuditCheckpoint(last_id=last.id, last_hash=last.hash, purged=0))
        session.commit()
        result = session.exec(delete(AuditEvent).where(col(AuditEvent.id) <= last.id))  # type: ignore[call-overload]
        purged = int(result.rowcount or 0)
        checkpoint = session.exec(
            select(AuditCheckpoint).order_by(col(AuditCheckpoint.id).desc())
        ).first()
        if checkpoint is not None:
            checkpoint.purged = purged
            session.add(checkpoint)
        session.commit()
    audit.append(
        engine,
        AuditEventBase(
            actor="retention",
            actor_kind="process",
            action=f"PURGE audit: {purged} rows up to id {last.id} (checkpoint {last.hash[:12]})",
            path="/api/v1/privacy/retention",
            client_ip="-",
            status=200,
            outcome="success",
        ),
    )
    return purged


def purge(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """Apply every retention policy once; rows purged per dataset."""
    now = now or utcnow()
    days = policies(engine)
    purged: dict[str, int] = {}
    for dataset, tables in TABLES.items():
        before = now - timedelta(days=days[dataset])
        purged[dataset] = sum(purge_table(engine, t, c, before) for t, c in tables)
    purged["audit"] = purge_audit(engine, now - timedelta(days=days["audit"]))
    return purged
