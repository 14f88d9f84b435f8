"""Capacity advice on the real engine: each rule fires with its figures when its condition is
made (a backlog on a queue nobody polls, a throttling sandbox, a tight outbound budget, last
year's term-start peak) and stays silent when it is absent."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.capacity.advise import CapacityReport, report
from atrium.capacity.rules import Advice
from atrium.models.capacity import RUNS, CapacityUsage
from atrium.outbound_limits import configure, outbound_slot
from atrium.settings import (
    CalendarEvent,
    CapacitySettings,
    OutboundLimit,
    OutboundSettings,
    Settings,
)
from tests.atrium.capacity.support import (
    recording,
    removed,
    tag,
    throttled_koha,
    unpolled_backlog,
)
from tests.workflows.sync_env import eventually

CFG = CapacitySettings()


def about(found: CapacityReport, kind: str, subject: str) -> list[Advice]:
    return [a for a in found.advice if a.kind == kind and a.subject == subject]


async def test_a_backlog_nobody_polls_asks_for_a_worker(
    engine: Engine, temporal_client: Client, settings: Settings
) -> None:
    async with unpolled_backlog(temporal_client, 3) as queue:

        async def advised() -> list[Advice]:
            found = await report(engine, temporal_client, [queue], CFG, OutboundSettings())
            fired = about(found, "start_workers", queue)
            return fired if fired and fired[0].figures["backlog"] == 3 else []

        (advice,) = await eventually(advised, 30)
    assert advice.figures["type"] == "workflow" and advice.figures["pollers"] == 0
    assert (
        f"Start a worker on {queue}" in advice.advice and "3 workflow tasks wait" in advice.advice
    )


async def test_a_polled_queue_without_backlog_gets_no_advice(
    engine: Engine, temporal_client: Client, worker: Worker, settings: Settings
) -> None:
    queue = settings.temporal.task_queue  # the session's worker polls it, and it is idle

    async def polled() -> CapacityReport | None:  # the worker's first poll reaches Temporal
        found = await report(engine, temporal_client, [queue], CFG, OutboundSettings())
        return found if found.workers >= 1 else None

    found = await eventually(polled, 20)
    assert [a for a in found.advice if a.subject == queue] == [] and not found.unreadable
    assert {q.backlog for q in found.queues if q.task_queue == queue} == {0}


async def test_a_throttling_target_is_named_with_its_429s(
    engine: Engine, temporal_client: Client, sandbox_url: str
) -> None:
    throttled, calm = f"koha-{tag()}", f"koha-{tag()}"
    cfg = CapacitySettings(throttled_calls=3)
    with removed(engine, [throttled, calm], []), recording() as recorder:
        refused = await throttled_koha(sandbox_url, throttled, calm)
        recorder.flush(engine)
        found = await report(engine, temporal_client, ["unused"], cfg, OutboundSettings())
    (advice,) = about(found, "throttled", throttled)
    assert advice.figures["throttled"] == refused and advice.figures["calls"] == 6
    assert f"{throttled} is throttled by the target ({refused} 429s" in advice.advice
    assert [a for a in found.advice if a.subject == calm] == []
    (seen,) = [c for c in found.connections if c.integration == calm]
    assert (seen.calls, seen.throttled) == (3, 0)


async def test_long_waits_for_the_budget_ask_to_raise_it(
    engine: Engine, temporal_client: Client, settings: Settings
) -> None:
    tight, roomy = f"canvas-{tag()}", f"canvas-{tag()}"
    limits = OutboundSettings(
        per_integration={
            tight: OutboundLimit(rate="4/second", concurrency=1),
            roomy: OutboundLimit(rate="1000/second", concurrency=10),
        }
    )
    configure(limits)
    try:
        with removed(engine, [tight, roomy], []), recording() as recorder:

            async def call(name: str) -> None:
                async with outbound_slot(name):
                    await asyncio.sleep(0.01)

            await asyncio.gather(*(call(tight) for _ in range(12)))  # 3 s of budget for 12
            await asyncio.gather(*(call(roomy) for _ in range(12)))
            recorder.flush(engine)
            found = await report(engine, temporal_client, ["unused"], CFG, limits)
    finally:
        configure(settings.outbound)
    (advice,) = about(found, "raise_budget", tight)
    assert advice.figures["calls"] == 12 and advice.figures["rate"] == "4/second"
    assert float(advice.figures["wait_p95_seconds"]) >= CFG.wait_p95_seconds
    assert f"Raise {tight}'s outbound budget (requests waited p95" in advice.advice
    assert [a for a in found.advice if a.subject == roomy] == []


def _store_peak(engine: Engine, hours: dict[datetime, int]) -> None:
    with Session(engine) as session:
        for hour, runs in hours.items():
            session.merge(CapacityUsage(hour=hour, integration=RUNS, runs=runs, waits=[]))
        session.commit()


async def test_last_years_term_start_peak_asks_for_workers_before_it(
    engine: Engine, temporal_client: Client, worker: Worker, settings: Settings
) -> None:
    today = datetime.now(UTC).date()
    term = today + timedelta(days=20)
    last = datetime(term.year - 1, term.month, min(term.day, 28), 9, tzinfo=UTC)
    # Last year's busiest hour near term start, and a quieter one the day before.
    peak = {last: 5_000 + int(tag(), 16) % 97, last - timedelta(days=1): 800}
    cfg = CapacitySettings(
        calendar=[
            CalendarEvent(name="term start", date=date(2000, term.month, min(term.day, 28))),
            # far off: no advice yet, whatever its history
            CalendarEvent(name="exams", date=today + timedelta(days=200)),
        ],
        runs_per_worker_hour=1000,
    )
    with removed(engine, [], list(peak)):
        _store_peak(engine, peak)
        found = await report(engine, temporal_client, ["unused"], cfg, OutboundSettings())
        # One worker polls the session's queue, and one sustains the peak: nothing to add.
        quiet = CapacitySettings(calendar=cfg.calendar, runs_per_worker_hour=100_000)
        queue = [settings.temporal.task_queue]

        async def polled() -> CapacityReport | None:
            found = await report(engine, temporal_client, queue, quiet, OutboundSettings())
            return found if found.workers >= 1 else None

        unneeded = await eventually(polled, 20)
    (advice,) = about(found, "add_workers", "term start")
    runs = peak[last]
    need = -(-runs * 13 // 10_000)  # ceil(runs * 1.3 / 1000)
    assert advice.figures["peak_runs_per_hour"] == runs and advice.figures["needed"] == need
    assert advice.figures["workers"] == 0 and advice.figures["add"] == need
    assert advice.by is not None and advice.by == max(today, advice.by)
    assert f"Add {need} workers before {advice.by.isoformat()}" in advice.advice
    assert f"(term start peak last year was {runs} runs/h)" in advice.advice
    assert about(found, "add_workers", "exams") == []
    assert [a for a in unneeded.advice if a.subject == "term start"] == []
