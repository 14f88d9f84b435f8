"""Retention of Atrium's own data: the purge keeps the audit chain verifiable (a checkpoint), runs
as a workflow, and a Temporal schedule keeps running it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium import audit
from atrium.db import make_engine, session_scope
from atrium.migrations import upgrade
from atrium.models import AuditEvent, QuarantinedRecord
from atrium.models.audit import AuditEventBase
from atrium.models.integration import utcnow
from atrium.models.privacy import AuditCheckpoint
from atrium.privacy import retention
from atrium.settings import Settings
from workflows.privacy_schedule import RETENTION_SCHEDULE_ID, ensure_retention_schedule
from workflows.retention_purge import RetentionPurge, RetentionPurgeInput


def event(n: int, days_ago: int) -> AuditEventBase:
    return AuditEventBase(
        at=utcnow() - timedelta(days=days_ago),
        actor=f"user-{n}",
        actor_kind="user",
        action="POST /api/v1/runs",
        path="/api/v1/runs",
        client_ip="127.0.0.1",
        status=202,
        outcome="success",
    )


def test_the_purge_keeps_the_audit_chain_verifiable_and_a_deletion_still_breaks_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'purge.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        for n, age in enumerate((900, 800, 10, 5, 800)):  # an old row after young ones stays
            audit.append(engine, event(n, age))
        with session_scope(engine) as session:
            session.add(
                QuarantinedRecord(
                    integration="x",
                    record_type="users",
                    source_id="old",
                    stage="mapping",
                    reason="r",
                    run_id="run",
                    payload={},
                    updated_at=utcnow() - timedelta(days=400),
                )
            )
            session.commit()
        purged = retention.purge(engine)
        assert purged["audit"] == 2 and purged["quarantine"] == 1
        with session_scope(engine) as session:
            kept = [e.actor for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
            [checkpoint] = session.exec(select(AuditCheckpoint)).all()
        assert kept == ["user-2", "user-3", "user-4", "retention"] and checkpoint.purged == 2
        assert audit.verify(engine).ok and audit.verify(engine).checked == 4
        with session_scope(engine) as session:  # any other deletion is still caught
            row = session.exec(select(AuditEvent).where(AuditEvent.actor == "user-3")).one()
            session.delete(row)
            session.commit()
        assert not audit.verify(engine).ok
    finally:
        engine.dispose()


async def test_the_purge_runs_as_a_workflow_on_a_schedule(
    temporal_client: Client, settings: Settings, worker: Worker, engine: Engine
) -> None:
    result = await temporal_client.execute_workflow(
        RetentionPurge.run,
        RetentionPurgeInput(),
        id=f"retention-purge-{uuid.uuid4().hex[:6]}",
        task_queue=settings.temporal.task_queue,
    )
    assert set(result.purged) == {*retention.TABLES, "audit"}
    assert audit.verify(engine).ok

    await ensure_retention_schedule(temporal_client, settings.temporal.task_queue)
    await ensure_retention_schedule(temporal_client, settings.temporal.task_queue)  # updates
    handle = temporal_client.get_schedule_handle(RETENTION_SCHEDULE_ID)
    try:
        described = await handle.describe()
        assert described.schedule.spec.intervals[0].every == timedelta(days=1)
    finally:
        await handle.delete()
