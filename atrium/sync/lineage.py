"""Lineage: where one person or class was written, from the sync state. Each row of
``sync_record`` is a record as last written to one system: when, by which run (``written_run``,
``<workflow id>:<run id>``) and with which mapping version (``mapping``). A person's own records
are those whose source id is theirs; their enrollments are found by the person id their snapshot
keeps (``person|class|school|role``, atrium/sync/snapshots.py); a class's likewise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from atrium.models import Integration, SyncRecord

LIMIT = 500  # rows answered at most (a class's enrollments across every system)
ENROLLMENT_SLOT = {"person": 0, "class": 1}


@dataclass(frozen=True)
class Written:
    system: str  # the connection written to
    system_type: str | None  # canvas, moodle, koha...; None: not a connection (a profile pair)
    record_type: str
    source_id: str
    target_id: str | None
    status: str
    written_at: datetime
    workflow_id: str | None
    run_id: str | None
    mapping: str | None  # None: written before Atrium kept it, or not mapped (a profile write)
    version: str


def _run(row: SyncRecord) -> tuple[str | None, str | None]:
    """(workflow id, run id) of the run that wrote the row; none for a row written before runs
    were kept, or by a writer that names no run (profile sync keeps a constant)."""
    workflow_id, _, run_id = (row.written_run or "").rpartition(":")
    return (workflow_id, run_id) if workflow_id else (None, None)


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def trace(session: Session, kind: str, source_id: str) -> list[Written]:
    """Every system the person's (``kind`` "person") or class's records were written to,
    newest first."""
    own_types = ("classes",) if kind == "class" else ("users", "profiles", "patrons")
    rows = list(
        session.exec(
            select(SyncRecord)
            .where(SyncRecord.source_id == source_id, col(SyncRecord.record_type).in_(own_types))
            .limit(LIMIT)
        )
    )
    pattern = f"{_escaped(source_id)}|%" if kind == "person" else f"%|{_escaped(source_id)}|%"
    slot = ENROLLMENT_SLOT[kind]
    for row in session.exec(
        select(SyncRecord)
        .where(
            SyncRecord.record_type == "enrollments",
            col(SyncRecord.snapshot).like(pattern, escape="\\"),
        )
        .limit(LIMIT)
    ):
        parts = (row.snapshot or "").split("|")
        if len(parts) > slot and parts[slot] == source_id:
            rows.append(row)
    systems = {
        i.name: i.system
        for i in session.exec(
            select(Integration).where(col(Integration.name).in_({r.integration for r in rows}))
        )
    }
    found = []
    for row in rows[:LIMIT]:
        workflow_id, run_id = _run(row)
        found.append(
            Written(
                system=row.integration,
                system_type=systems.get(row.integration),
                record_type=row.record_type,
                source_id=row.source_id,
                target_id=row.target_id,
                status=row.status,
                written_at=row.synced_at,
                workflow_id=workflow_id,
                run_id=run_id,
                mapping=row.mapping,
                version=row.version,
            )
        )
    return sorted(found, key=lambda w: (w.written_at, w.system, w.record_type), reverse=True)
