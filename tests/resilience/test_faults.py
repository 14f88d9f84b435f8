"""The fault suite, short variants (the demo school, 1,560 enrollments): a roster sync runs on
real ``atrium worker`` processes while a fault strikes, completes, and reconciliation reports
nothing lost and nothing twice. The 1M-enrollment variant: ``python -m bench.faults``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from connectors.credentials import static_credentials
from connectors.errors import AuthError, ServerError
from connectors.oneroster import OneRosterClient
from tests.resilience.fault_stack import FaultStack, close, fault_stack, full_sandbox
from tests.resilience.reconcile import canvas_sis_users, reconcile
from tests.workflows.sync_env import SyncSandbox, pair, start_sync
from workflows.roster_sync import RosterSync, RosterSyncResult

Fault = Callable[[FaultStack, WorkflowHandle], Awaitable[None]]


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FaultStack]:
    made = await fault_stack(tmp_path_factory.mktemp("faults"))
    try:
        made.start_worker()
        made.start_worker()
        yield made
    finally:
        close(made)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SyncSandbox]:
    """A fresh institution per fault: what one sync wrote never hides what another lost."""
    yield from full_sandbox(tmp_path / "sandbox")


async def pages_done(handle: WorkflowHandle, at_least: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if (await handle.query(RosterSync.status)).pages_done >= at_least:
                return
        except RPCError:  # not started yet, or the server is away
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"the sync did not reach {at_least} pages in {seconds} s")


async def retried(handle: WorkflowHandle, activity: str) -> int:
    """How many of the run's ``activity`` calls took more than one attempt."""
    count = 0
    scheduled = {}
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = event.activity_task_scheduled_event_attributes
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            kind = scheduled[started.scheduled_event_id].activity_type.name
            count += kind == activity and started.attempt > 1
    return count


async def running(handle: WorkflowHandle) -> bool:
    return (await handle.describe()).status == WorkflowExecutionStatus.RUNNING


async def sync_under(stack: FaultStack, sandbox: SyncSandbox, fault: Fault) -> WorkflowHandle:
    """Run a full sync with ``fault`` striking during it; then reconcile."""
    p = await pair(stack.engine, stack.credentials, sandbox)
    canvas_own = canvas_sis_users(sandbox)
    handle = await start_sync(
        stack.client, stack.queue, p, page_size=100, concurrency=3, heartbeat_seconds=3
    )
    await fault(stack, handle)
    result: RosterSyncResult = await asyncio.wait_for(handle.result(), 180)
    assert result.totals["enrollments"].fetched >= 1560
    await reconcile(stack.client, stack.queue, p, sandbox, canvas_own)
    return handle


async def test_workers_sigkilled_several_times(stack: FaultStack, sandbox: SyncSandbox) -> None:
    killed = []

    async def kill_three_times(stack: FaultStack, handle: WorkflowHandle) -> None:
        for at in (3, 9, 15):
            await pages_done(handle, at)
            victim = stack.alive()[0]
            assert victim.process is not None
            killed.append(victim.process.pid)
            victim.kill()  # SIGKILL: no graceful shutdown
            assert await running(handle)
            stack.start_worker()  # a replacement, as an orchestrator would start

    handle = await sync_under(stack, sandbox, kill_three_times)
    assert await retried(handle, "roster_sync_page") >= 1  # pages the dead held, done again
    assert len(killed) == 3 and all(
        w.process.returncode == -9 for w in stack.workers if w.process and w.process.pid in killed
    )


async def test_temporal_restarted_mid_run(stack: FaultStack, sandbox: SyncSandbox) -> None:
    async def restart(stack: FaultStack, handle: WorkflowHandle) -> None:
        await pages_done(handle, 6)
        stack.restart_temporal()  # same database file: the run's history survives
        assert await running(handle)

    await sync_under(stack, sandbox, restart)
    assert len(stack.alive()) >= 2  # the workers rode it out: nothing restarted them


async def test_vault_sealed_for_seconds(stack: FaultStack, sandbox: SyncSandbox) -> None:
    """Sealed as the run starts, before any worker read the new connections' secrets (a worker
    keeps a connection's client once built, and the payload keys it fetched): nothing moves
    until Vault is unsealed, then the run goes on by itself."""

    async def seal(stack: FaultStack, handle: WorkflowHandle) -> None:
        stack.seal()
        assert stack.sealed()
        await asyncio.sleep(8)
        assert (await handle.query(RosterSync.status)).pages_done == 0
        stack.unseal()

    handle = await sync_under(stack, sandbox, seal)
    assert not stack.sealed()
    assert await retried(handle, "roster_plan") == 1  # failed while sealed, then went through


async def test_sandbox_errors_timeouts_and_rate_limits(
    stack: FaultStack, sandbox: SyncSandbox
) -> None:
    faults = {
        "error_rate": 0.1,  # one answer in ten a 503
        "timeout_rate": 0.02,
        "timeout_seconds": 5,  # longer than the pages' heartbeat timeout
        "rate_limit_per_second": 25,  # 429 with Retry-After beyond that
    }

    async def degrade(stack: FaultStack, handle: WorkflowHandle) -> None:
        async with httpx.AsyncClient(base_url=sandbox.url) as http:
            for system in ("oneroster", "canvas"):
                (await http.put(f"/_control/faults/{system}", json=faults)).raise_for_status()
            # Faults until the writes are done, then off: reconciliation must read a true picture.
            await asyncio.wait_for(handle.result(), 180)
            for system in ("oneroster", "canvas"):
                (await http.delete(f"/_control/faults/{system}")).raise_for_status()

    handle = await sync_under(stack, sandbox, degrade)
    assert await retried(handle, "roster_sync_page") >= 1


async def test_a_busy_token_service_is_transient_and_wrong_credentials_are_not(
    sandbox: SyncSandbox,
) -> None:
    """Found by the suite: a 503 from OneRoster's token endpoint was an AuthError (permanent), so
    one busy answer failed a whole sync. Busy or down is transient; refused credentials are not."""
    secret = dict(sandbox.contexts["oneroster"].credentials)
    right = static_credentials(secret)
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        await http.put("/_control/faults/oneroster", json={"error_rate": 1.0})
        try:
            async with OneRosterClient(sandbox.base("oneroster"), right) as sis:
                with pytest.raises(ServerError) as busy:
                    await sis.raw_page("users", offset=0, limit=1)
        finally:
            await http.delete("/_control/faults/oneroster")
    assert busy.value.retryable and busy.value.status == 503
    wrong = static_credentials({**secret, "client_secret": "not-the-secret"})
    async with OneRosterClient(sandbox.base("oneroster"), wrong) as sis:
        with pytest.raises(AuthError, match="token refused"):
            await sis.raw_page("users", offset=0, limit=1)
