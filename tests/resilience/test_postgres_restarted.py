"""Issue 17's fault "PostgreSQL restarted": Atrium's store on a PostgreSQL cluster of the test's
own, restarted (fast shutdown: every connection cut) while a roster sync runs on two ``atrium
worker`` processes. The run goes on by itself (stale pooled connections are replaced, an activity
caught mid-transaction is retried) and reconciliation finds nothing lost and nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from temporalio.client import WorkflowHandle

from atrium.models import SyncRecord
from tests.resilience.fault_stack import FaultStack, close, fault_stack, full_sandbox
from tests.resilience.private_postgres import PrivatePostgres
from tests.resilience.test_faults import pages_done, running, sync_under
from tests.workflows.sync_env import SyncSandbox


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, postgres: PrivatePostgres
) -> AsyncIterator[FaultStack]:
    made = await fault_stack(tmp_path_factory.mktemp("pg-faults"), postgres.url)
    try:
        made.start_worker()
        made.start_worker()
        yield made
    finally:
        close(made)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SyncSandbox]:
    yield from full_sandbox(tmp_path / "sandbox")


def started_at(stack: FaultStack) -> datetime:
    with stack.engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_postmaster_start_time()")).scalar_one()  # type: ignore[no-any-return]


async def test_postgres_restarted_mid_run(
    stack: FaultStack, sandbox: SyncSandbox, postgres: PrivatePostgres
) -> None:
    assert stack.engine.dialect.name == "postgresql"
    before = started_at(stack)

    async def restart(stack: FaultStack, handle: WorkflowHandle) -> None:
        await pages_done(handle, 6)
        postgres.restart()
        assert await running(handle)

    await sync_under(stack, sandbox, restart)
    assert started_at(stack) > before  # the server the sync finished on is a restarted one
    assert len(stack.alive()) >= 2  # the workers rode it out: nothing restarted them
    with stack.engine.connect() as conn:  # the sync state is in this PostgreSQL
        kept = conn.execute(sa.select(sa.func.count()).select_from(SyncRecord)).scalar_one()
    assert kept >= 1560
