"""A worker SIGKILLed in the middle of a roster sync: after a new worker starts, the run ends
with every record in Canvas exactly once and nothing missing."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from atrium.credentials import Credentials
from atrium.settings import Settings
from bench.sync_stack import WorkerProcess
from tests.workflows.sync_env import SyncSandbox, pair, start_sandbox, start_sync
from workflows.roster_sync import RosterSync


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("crash-sandbox"))


async def test_killed_worker_resumes_without_duplicates_or_gaps(
    sandbox: SyncSandbox,
    engine: Engine,
    credentials: Credentials,
    temporal_client: Client,
    settings: Settings,
    tmp_path: Path,
) -> None:
    queue = f"crash-{uuid.uuid4().hex[:6]}"  # only the subprocess workers poll it
    own = settings.model_copy(
        update={"temporal": settings.temporal.model_copy(update={"task_queue": queue})}
    )
    p = await pair(engine, credentials, sandbox)
    first = WorkerProcess(own, tmp_path / "worker-1.log")
    first.start()
    handle = await start_sync(
        temporal_client, queue, p, page_size=100, concurrency=2, heartbeat_seconds=3
    )
    status = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # kill once enrollments are being written
        try:
            status = await handle.query(RosterSync.status, rpc_timeout=timedelta(seconds=10))
        except RPCError:  # no worker answers queries yet (its process is still starting)
            await asyncio.sleep(0.2)
            continue
        if status.phase == "enrollments" and status.pages_done >= 8:
            break
        await asyncio.sleep(0.05)
    assert status is not None and status.phase == "enrollments", status
    first.kill()
    second = WorkerProcess(own, tmp_path / "worker-2.log")
    second.start()
    try:
        result = await asyncio.wait_for(handle.result(), 120)
    finally:
        second.stop()
    assert result.totals["enrollments"].fetched >= 1560
    with sqlite3.connect(sandbox.contexts["oneroster"].db_path()) as sis_db:
        expected = set(
            sis_db.execute("SELECT user_id, class_id FROM enrollments WHERE status = 'active'")
        )
    with sqlite3.connect(sandbox.contexts["canvas"].db_path()) as lms:
        rows = list(
            lms.execute(
                "SELECT l.sis_user_id, s.sis_section_id FROM enrollments e"
                " JOIN logins l ON l.user_id = e.user_id"
                " JOIN sections s ON s.id = e.course_section_id"
                " WHERE s.sis_section_id LIKE 'cls-%'"
            )
        )
    assert len(rows) == len(set(rows)), "an enrollment is in Canvas twice"
    assert set(rows) == expected, (
        f"missing {len(expected - set(rows))}, extra {len(set(rows) - expected)}"
    )
