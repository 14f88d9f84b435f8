"""Read every figure the rules need and apply them: the capacity report."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import structlog
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client

from atrium.capacity import rules, signals
from atrium.capacity.rules import Advice, ConnectionUsage
from atrium.capacity.usage import merged, quantile
from atrium.models.capacity import RUNS, CapacityUsage
from atrium.settings import CapacitySettings, OutboundSettings

log = structlog.get_logger("atrium.capacity")
HISTORY_DAYS = 400  # last year's peak week, wherever in the year it falls


class QueuePublic(BaseModel):
    task_queue: str
    type: str
    backlog: int
    oldest_seconds: float
    add_rate: float
    dispatch_rate: float
    pollers: int


class ConnectionPublic(BaseModel):
    integration: str
    calls: int
    throttled: int
    wait_p95_seconds: float | None  # None: beyond the last bucket (60 s)


class CapacityReport(BaseModel):
    at: datetime
    advice: list[Advice]
    queues: list[QueuePublic]
    workers: int  # live workers on the deployment's main queue
    slots_used: int | None  # activity slots in use across them (None: no heartbeats)
    slots: int | None
    connections: list[ConnectionPublic]
    runs_last_hour: int
    unreadable: list[str]  # parts that could not be read (their rules are skipped)


def _read_store(
    engine: Engine, window_hours: int, now: datetime
) -> tuple[dict[str, ConnectionUsage], dict[datetime, int]]:
    since_window = now - timedelta(hours=window_hours)
    since_history = now - timedelta(days=HISTORY_DAYS)
    usage: dict[str, ConnectionUsage] = {}
    runs: dict[datetime, int] = {}
    recent = (col(CapacityUsage.integration) == RUNS) & (col(CapacityUsage.hour) >= since_history)
    recent |= col(CapacityUsage.hour) >= since_window  # connections: the window only
    with Session(engine) as session:
        for row in session.exec(select(CapacityUsage).where(recent)):
            hour = row.hour if row.hour.tzinfo else row.hour.replace(tzinfo=UTC)
            if row.integration == RUNS:
                runs[hour] = row.runs
            else:
                u = usage.get(row.integration, ConnectionUsage())
                usage[row.integration] = ConnectionUsage(
                    calls=u.calls + row.calls,
                    throttled=u.throttled + row.throttled,
                    wait_seconds=u.wait_seconds + row.wait_seconds,
                    waits=merged(u.waits, row.waits),
                )
    return usage, runs


async def report(
    engine: Engine,
    client: Client,
    task_queues: Sequence[str],
    cfg: CapacitySettings,
    outbound: OutboundSettings,
) -> CapacityReport:
    now = datetime.now(UTC)
    unreadable: list[str] = []
    queues: list[signals.QueueState] = []
    workers: list[signals.WorkerState] = []
    reads = await asyncio.gather(
        signals.queues(client, task_queues),
        signals.workers(client, task_queues),
        asyncio.to_thread(_read_store, engine, cfg.window_hours, now),
        return_exceptions=True,
    )
    found_queues, found_workers, stored = reads
    if isinstance(found_queues, BaseException):
        log.warning("capacity: task queues unreadable", error=type(found_queues).__name__)
        unreadable.append("task_queues")
    else:
        queues = found_queues
    if isinstance(found_workers, BaseException):
        log.warning("capacity: workers unreadable", error=type(found_workers).__name__)
        unreadable.append("workers")
    else:
        workers = found_workers
    if isinstance(stored, BaseException):
        raise stored  # the store is Atrium's own: an error there is a real error
    usage, runs = stored

    main = task_queues[0]
    main_pollers = max((q.pollers for q in queues if q.task_queue == main), default=0)
    live = sum(1 for w in workers if w.task_queue == main) or main_pollers
    mine = [w for w in workers if w.task_queue == main]
    limits = {name: outbound.per_integration.get(name, outbound.default) for name in usage}
    advice = [
        *rules.backlog(queues, workers, cfg),
        *rules.slots(workers, cfg),
        *rules.calendar_peaks(cfg, runs, live, now.date()),
        *rules.outbound(usage, limits, cfg),
    ]
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    return CapacityReport(
        at=now,
        advice=advice,
        queues=[QueuePublic(**{**vars(q), "type": q.kind}) for q in queues],
        workers=live,
        slots_used=sum(w.activity_used for w in mine) if mine else None,
        slots=sum(w.activity_used + w.activity_free for w in mine) if mine else None,
        connections=[
            ConnectionPublic(
                integration=name,
                calls=u.calls,
                throttled=u.throttled,
                wait_p95_seconds=_finite(quantile(u.waits, 0.95)),
            )
            for name, u in sorted(usage.items())
        ],
        runs_last_hour=runs.get(this_hour - timedelta(hours=1), 0),
        unreadable=unreadable,
    )


def _finite(value: float) -> float | None:
    return None if value == float("inf") else value
