"""What the capacity tests share: a tag for what they write, and its removal."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete
from temporalio.client import Client

from atrium.capacity.usage import UsageRecorder
from atrium.models.capacity import RUNS, CapacityUsage
from atrium.outbound_limits import outbound_slot, set_outbound_observer
from connectors.errors import RateLimited
from connectors.koha import KohaClient
from tests.sandbox.control import MutableCredentials, credentials_of, injected_faults


def tag() -> str:
    return uuid.uuid4().hex[:8]


@contextmanager
def removed(engine: Engine, integrations: list[str], run_hours: list[datetime]) -> Iterator[None]:
    """Remove the usage rows of these connections and these hours' run counts afterwards."""
    try:
        yield
    finally:
        with Session(engine) as session:
            session.exec(
                delete(CapacityUsage).where(col(CapacityUsage.integration).in_(integrations))
            )  # type: ignore[call-overload]
            session.exec(
                delete(CapacityUsage).where(  # type: ignore[call-overload]
                    col(CapacityUsage.integration) == RUNS, col(CapacityUsage.hour).in_(run_hours)
                )
            )
            session.commit()


@contextmanager
def recording() -> Iterator[UsageRecorder]:
    """A recorder of this test's own hearing every outbound call; the previous one put back."""
    recorder = UsageRecorder()
    previous = set_outbound_observer(recorder.observe)
    try:
        yield recorder
    finally:
        set_outbound_observer(previous)


@asynccontextmanager
async def unpolled_backlog(client: Client, workflows: int) -> AsyncIterator[str]:
    """A task queue no worker polls, with ``workflows`` runs waiting on it; terminated after."""
    queue = f"capacity-idle-{tag()}"
    handles = [
        await client.start_workflow("NobodyServesThis", id=f"{queue}-{i}", task_queue=queue)
        for i in range(workflows)
    ]
    try:
        yield queue
    finally:
        for handle in handles:
            await handle.terminate("test over")


async def _koha_calls(koha: KohaClient, name: str, calls: int) -> list[object]:
    """``calls`` requests at once through connection ``name``'s outbound budget."""
    koha.gate = lambda: outbound_slot(name)
    return await asyncio.gather(*(koha.get_patron(1) for _ in range(calls)), return_exceptions=True)


async def throttled_koha(sandbox_url: str, throttled: str, calm: str, calls: int = 6) -> int:
    """``calls`` calls at once through connection ``throttled`` while the Koha sandbox takes one a
    second, then three through ``calm`` with no limit; returns how many were refused (429)."""
    credentials = MutableCredentials(await credentials_of(sandbox_url, "koha"))
    async with KohaClient(f"{sandbox_url}/koha", credentials, timeout=5.0) as koha:
        await koha.get_patron(1)  # its token, fetched before the limit starts
        async with injected_faults(sandbox_url, "koha", rate_limit_per_second=1.0):
            answers = await _koha_calls(koha, throttled, calls)
        refused = sum(isinstance(a, RateLimited) for a in answers)
        assert refused >= calls // 2, answers
        calm_answers = await _koha_calls(koha, calm, 3)
        assert not any(isinstance(a, BaseException) for a in calm_answers), calm_answers
    return refused
