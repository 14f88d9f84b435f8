"""The hourly usage roll-up: what each process saw, added into ``capacity_usage``.

Every call through a connection's outbound budget (atrium/outbound_limits.py) is counted in this
process with how long it waited and whether the target answered 429; ``flush`` adds the counts
into the hour's row (many workers add into the same rows), and the runs started in the current
and previous hour are counted from Temporal's visibility and set (idempotent: every process may
do it). ``rolled_up`` runs both every ``flush_seconds`` beside a worker or the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio.client import Client

from atrium.models.capacity import RUNS, CapacityUsage
from atrium.outbound_limits import set_outbound_observer

log = structlog.get_logger("atrium.capacity")
# Upper bounds (seconds) of the wait buckets; a last bucket holds the longer waits.
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def hour_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def bucket_of(seconds: float) -> int:
    for index, bound in enumerate(WAIT_BUCKETS):
        if seconds <= bound:
            return index
    return len(WAIT_BUCKETS)


def quantile(waits: Sequence[int], q: float) -> float:
    """The upper bound of the bucket holding the ``q`` quantile (inf: beyond the last bound)."""
    total = sum(waits)
    if not total:
        return 0.0
    seen = 0
    for index, count in enumerate(waits):
        seen += count
        if seen >= q * total:
            return WAIT_BUCKETS[index] if index < len(WAIT_BUCKETS) else float("inf")
    return float("inf")


def merged(a: Sequence[int], b: Sequence[int]) -> list[int]:
    size = len(WAIT_BUCKETS) + 1
    return [(a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(size)]


@dataclass
class Counts:
    calls: int = 0
    throttled: int = 0
    wait_seconds: float = 0.0
    waits: list[int] = field(default_factory=lambda: [0] * (len(WAIT_BUCKETS) + 1))


class UsageRecorder:
    """This process's counts since the last flush, by (hour, connection). Thread-safe: the
    observer runs on the event loop, the flush in a thread."""

    def __init__(self) -> None:
        # keyed by the hour's number since the epoch: cheaper per call than a datetime
        self._counts: dict[tuple[int, str], Counts] = {}
        self._lock = threading.Lock()

    def observe(self, integration: str, waited: float, failed: BaseException | None) -> None:
        throttled = getattr(failed, "status", None) == 429
        key = (int(time.time() // 3600), integration)
        with self._lock:
            counts = self._counts.setdefault(key, Counts())
            counts.calls += 1
            counts.throttled += throttled
            counts.wait_seconds += waited
            counts.waits[bucket_of(waited)] += 1

    def flush(self, engine: Engine) -> int:
        """Add the counts into the store; returns the rows written. Counts that fail to write
        are kept for the next flush."""
        with self._lock:
            taken, self._counts = self._counts, {}
        written = 0
        try:
            for (hour, integration), counts in taken.items():
                _add(engine, datetime.fromtimestamp(hour * 3600, UTC), integration, counts)
                written += 1
        except Exception:
            with self._lock:  # put back what was not written
                for key, counts in list(taken.items())[written:]:
                    into = self._counts.setdefault(key, Counts())
                    into.calls += counts.calls
                    into.throttled += counts.throttled
                    into.wait_seconds += counts.wait_seconds
                    into.waits = merged(into.waits, counts.waits)
            raise
        return written


def _add(engine: Engine, hour: datetime, integration: str, counts: Counts) -> None:
    for attempt in range(3):  # another process may insert the hour's row between our read and write
        try:
            with Session(engine) as session:
                query = select(CapacityUsage).where(
                    CapacityUsage.hour == hour, CapacityUsage.integration == integration
                )
                row = session.exec(query.with_for_update()).first()
                if row is None:
                    row = CapacityUsage(hour=hour, integration=integration, waits=[])
                row.calls += counts.calls
                row.throttled += counts.throttled
                row.wait_seconds += counts.wait_seconds
                row.waits = merged(row.waits, counts.waits)
                session.add(row)
                session.commit()
                return
        except IntegrityError:
            if attempt == 2:
                raise


def set_runs(engine: Engine, hour: datetime, runs: int) -> None:
    for attempt in range(3):
        try:
            with Session(engine) as session:
                row = session.get(CapacityUsage, (hour, RUNS))
                if row is None:
                    row = CapacityUsage(hour=hour, integration=RUNS, waits=[])
                row.runs = runs
                session.add(row)
                session.commit()
                return
        except IntegrityError:
            if attempt == 2:
                raise


async def count_runs(client: Client, task_queues: Sequence[str], hour: datetime) -> int:
    """Workflow runs started on these queues within the hour (Temporal's visibility)."""
    queues = " OR ".join(f"TaskQueue = '{q}'" for q in task_queues)
    end = hour + timedelta(hours=1)
    query = f"StartTime >= '{hour.isoformat()}' AND StartTime < '{end.isoformat()}' AND ({queues})"
    return (await client.count_workflows(query)).count


async def roll_up(
    engine: Engine, client: Client, task_queues: Sequence[str], recorder: UsageRecorder
) -> None:
    """One pass: this process's call counts, and the runs of the current and previous hour."""
    await asyncio.to_thread(recorder.flush, engine)
    now = hour_of(datetime.now(UTC))
    for hour in (now - timedelta(hours=1), now):
        runs = await count_runs(client, task_queues, hour)
        await asyncio.to_thread(set_runs, engine, hour, runs)


RECORDER = UsageRecorder()


def install() -> UsageRecorder:
    """Count every outbound call made in this process from now on."""
    set_outbound_observer(RECORDER.observe)
    return RECORDER


@contextlib.asynccontextmanager
async def rolled_up(
    engine: Engine, client: Client, task_queues: Sequence[str], every: float
) -> AsyncIterator[UsageRecorder]:
    """Record this process's outbound calls and roll usage up every ``every`` seconds while the
    block runs (and once more when it ends)."""
    recorder = install()

    async def loop() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await roll_up(engine, client, task_queues, recorder)
            except Exception as exc:  # store or Temporal away: the counts wait for the next pass
                log.warning("capacity roll-up failed", error=type(exc).__name__)

    task = asyncio.create_task(loop())
    try:
        yield recorder
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(Exception):
            await asyncio.to_thread(recorder.flush, engine)
