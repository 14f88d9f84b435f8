"""Quarantine bookkeeping: one open row per (integration, record type, source id)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from atrium.db import session_scope
from atrium.models.integration import utcnow
from atrium.models.quarantine import QuarantinedRecord
from atrium.sync.changes import Rejected


def quarantine(
    engine: Engine, integration: str, record_type: str, run: str, rejected: Sequence[Rejected]
) -> int:
    """Park rejected records; a record already parked gets the new reason and one more attempt.

    Keyed on the record, so a retried activity parks each record once.
    """
    if not rejected:
        return 0
    by_id = {r.source_id: r for r in rejected}
    with session_scope(engine) as session:
        existing = session.exec(
            select(QuarantinedRecord).where(
                QuarantinedRecord.integration == integration,
                QuarantinedRecord.record_type == record_type,
                QuarantinedRecord.status == "open",
                col(QuarantinedRecord.source_id).in_(list(by_id)),
            )
        ).all()
        for row in existing:
            item = by_id.pop(row.source_id)
            if row.run_id != run:
                row.attempts += 1
            row.run_id, row.reason, row.stage = run, item.reason[:2000], item.stage
            row.payload, row.updated_at = _jsonable(item.payload), utcnow()
            session.add(row)
        for item in by_id.values():
            session.add(
                QuarantinedRecord(
                    integration=integration,
                    record_type=record_type,
                    source_id=item.source_id,
                    stage=item.stage,
                    reason=item.reason[:2000],
                    run_id=run,
                    payload=_jsonable(item.payload),
                )
            )
        session.commit()
    return len(rejected)


def has_open(engine: Engine, integration: str, record_type: str) -> bool:
    with session_scope(engine) as session:
        found = session.exec(
            select(QuarantinedRecord.id).where(
                QuarantinedRecord.integration == integration,
                QuarantinedRecord.record_type == record_type,
                QuarantinedRecord.status == "open",
            )
        ).first()
    return found is not None


def resolve(engine: Engine, integration: str, record_type: str, source_ids: Sequence[str]) -> None:
    """Records that went through after all leave the quarantine."""
    if not source_ids or not has_open(engine, integration, record_type):
        return
    with session_scope(engine) as session:
        rows = session.exec(
            select(QuarantinedRecord).where(
                QuarantinedRecord.integration == integration,
                QuarantinedRecord.record_type == record_type,
                QuarantinedRecord.status == "open",
                col(QuarantinedRecord.source_id).in_(list(source_ids)),
            )
        ).all()
        for row in rows:
            row.status, row.updated_at = "resolved", utcnow()
            session.add(row)
        session.commit()


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(payload, default=str)))
