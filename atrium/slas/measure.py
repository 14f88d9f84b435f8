"""Measuring an SLA now: its status (met, breached, unknown: nothing to measure yet) and its value,
stored as a sample (the SLA's history).

Run figures come from Temporal's visibility store through ``Runs`` (the runs carry the
``AtriumIntegration`` search attribute), freshness from the sync state (the latest record written
to the connection, or its incremental cursor moving), people from ``people``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import Client

from atrium.alerting.conditions import _aware, _visibility_time
from atrium.db import session_scope
from atrium.models import SlaSample, SyncCursor, SyncRecord
from atrium.models.integration import utcnow
from atrium.models.slas import Sla
from atrium.slas import people

DURATIONS_MAX = 1000  # the latest closed runs the p95 is taken over


@dataclass(frozen=True)
class Runs:
    """Reads of Temporal's visibility store: (query) -> count, (query, limit) -> run seconds."""

    count: Callable[[str], Awaitable[int]]
    durations: Callable[[str, int], Awaitable[list[float]]]


@dataclass(frozen=True)
class Measurement:
    status: str  # met | breached | unknown
    value: float | None
    breaches: int
    detail: str


def _runs_clause(sla: Sla) -> str:
    # The connection's name matched the name pattern at the edge: no quote reaches the query.
    since = _visibility_time(utcnow() - timedelta(minutes=sla.window_minutes))
    return f"AtriumIntegration = '{sla.integration}' AND CloseTime > '{since}'"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def _success_rate(sla: Sla, runs: Runs) -> Measurement:
    clause = _runs_clause(sla)
    closed = await runs.count(f"{clause} AND ExecutionStatus != 'Running'")
    if not closed:
        return Measurement("unknown", None, 0, f"no run of {sla.integration} closed in window")
    good = await runs.count(f"{clause} AND ExecutionStatus = 'Completed'")
    rate = 100.0 * good / closed
    status = "met" if rate >= sla.objective else "breached"
    return Measurement(status, rate, 0, f"{good} of {closed} runs succeeded ({rate:.1f}%)")


async def _latency(sla: Sla, runs: Runs) -> Measurement:
    seconds = await runs.durations(
        f"{_runs_clause(sla)} AND ExecutionStatus = 'Completed'", DURATIONS_MAX
    )
    if not seconds:
        return Measurement("unknown", None, 0, f"no completed run of {sla.integration} in window")
    p95 = percentile(seconds, 0.95)
    status = "met" if p95 <= sla.objective else "breached"
    return Measurement(status, p95, 0, f"p95 {p95:.1f} s over {len(seconds)} runs")


def _freshness(session: Session, sla: Sla) -> Measurement:
    written = session.exec(
        select(func.max(SyncRecord.synced_at)).where(SyncRecord.integration == sla.integration)
    ).one()
    cursor = session.exec(
        select(func.max(SyncCursor.updated_at)).where(SyncCursor.integration == sla.integration)
    ).one()
    moments = [_aware(m) for m in (written, cursor) if m is not None]
    if not moments:
        return Measurement("unknown", None, 0, f"{sla.integration} has never been synced")
    minutes = (utcnow() - max(moments)).total_seconds() / 60
    status = "met" if minutes <= sla.objective else "breached"
    return Measurement(status, minutes, 0, f"last good sync {minutes:.0f} min ago")


def _people(session: Session, sla: Sla) -> Measurement:
    people.track(session, sla)
    found = people.breaches(session, sla)
    still = sum(b.state == "open" for b in found)
    status = "breached" if found else "met"
    detail = f"{len(found)} people not in every target within {sla.within_hours:g} h"
    return Measurement(status, float(len(found)), len(found), f"{detail} ({still} still missing)")


async def measure(engine: Engine, sla: Sla, runs: Runs) -> Measurement:
    """Measure one SLA now (store reads run in a thread)."""
    if sla.kind == "success_rate":
        return await _success_rate(sla, runs)
    if sla.kind == "latency_p95":
        return await _latency(sla, runs)

    def read() -> Measurement:
        with session_scope(engine) as session:
            return _freshness(session, sla) if sla.kind == "freshness" else _people(session, sla)

    return await asyncio.to_thread(read)


def record(engine: Engine, sla: Sla, measured: Measurement) -> SlaSample:
    """Store a measurement as a sample of the SLA's history."""
    with session_scope(engine) as session:
        sample = SlaSample(
            sla_id=int(sla.id or 0),
            status=measured.status,
            value=measured.value,
            breaches=measured.breaches,
            detail=measured.detail[:1000],
        )
        session.add(sample)
        session.commit()
        session.refresh(sample)
        return sample


async def evaluate(engine: Engine, sla: Sla, runs: Runs) -> SlaSample:
    """Measure and record: one point of the SLA's history."""
    measured = await measure(engine, sla, runs)
    return await asyncio.to_thread(record, engine, sla, measured)


def temporal_runs(client: Client) -> Runs:
    """``Runs`` over a Temporal client's visibility store."""

    async def count(query: str) -> int:
        return (await client.count_workflows(query)).count

    async def durations(query: str, limit: int) -> list[float]:
        found = []
        async for run in client.list_workflows(query, limit=limit):
            if run.close_time is not None:
                found.append((run.close_time - run.start_time).total_seconds())
        return found

    return Runs(count=count, durations=durations)
