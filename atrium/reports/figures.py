"""The figures of a monthly report, read from the store (records, quarantine, conflicts, SLA
samples) and from Temporal's visibility store (runs carry the ``AtriumIntegration`` search
attribute). Month boundaries are UTC."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from atrium.alerting.conditions import _visibility_time
from atrium.db import session_scope
from atrium.models import Integration, QuarantinedRecord, Sla, SlaSample, SyncConflict, SyncRecord
from atrium.models.integration import utcnow
from atrium.reports.models import (
    DayCount,
    ErrorCount,
    IntegrationMonth,
    MonthlyReport,
    RecordCounts,
    RunCounts,
    SlaMonth,
)
from atrium.reports.month import span

TOP_ERRORS = 5
COUNTS_AT_ONCE = 8  # connections whose runs are counted at once (4 queries each)
REASON_CHARS = 300
# Only a name of this shape is put into a visibility query (no quote can reach it).
QUERYABLE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
FAILED = "(ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut'"
FAILED += " OR ExecutionStatus = 'Terminated')"

Count = Callable[[str], Awaitable[int]]


@dataclass
class _Store:
    systems: dict[str, str] = field(default_factory=dict)
    records: dict[str, RecordCounts] = field(default_factory=dict)
    errors: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    slas: dict[str, list[SlaMonth]] = field(default_factory=dict)
    days: list[DayCount] = field(default_factory=list)


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _per_day(session: Session, column: Any, start: datetime, end: datetime) -> dict[date, int]:
    if session.get_bind().dialect.name == "postgresql":
        bucket = func.date_trunc("day", column)
    else:
        bucket = func.strftime("%Y-%m-%d", column)
    query = select(bucket, func.count()).where(column >= start, column < end).group_by(bucket)
    rows = session.exec(query).all()
    return {_day(day): int(n) for day, n in rows}


def _records(session: Session, start: datetime, end: datetime, found: _Store) -> None:
    def counts(name: str) -> RecordCounts:
        return found.records.setdefault(name, RecordCounts())

    synced = col(SyncRecord.synced_at)
    for name, n in session.exec(
        select(SyncRecord.integration, func.count())
        .where(synced >= start, synced < end)
        .group_by(col(SyncRecord.integration))
    ).all():
        counts(name).written = int(n)
    made = col(QuarantinedRecord.created_at)
    for name, stage, reason, n in session.exec(
        select(
            QuarantinedRecord.integration,
            QuarantinedRecord.stage,
            QuarantinedRecord.reason,
            func.count(),
        )
        .where(made >= start, made < end)
        .group_by(
            col(QuarantinedRecord.integration),
            col(QuarantinedRecord.stage),
            col(QuarantinedRecord.reason),
        )
    ).all():
        if stage == "target":
            counts(name).failed += int(n)
        else:
            counts(name).quarantined += int(n)
        errors = found.errors.setdefault(name, Counter())
        errors[(stage, reason[:REASON_CHARS])] += int(n)
    parked = col(SyncConflict.created_at)
    for name, n in session.exec(
        select(SyncConflict.integration, func.count())
        .where(parked >= start, parked < end)
        .group_by(col(SyncConflict.integration))
    ).all():
        counts(name).conflicts = int(n)
    written = _per_day(session, synced, start, end)
    rejected = _per_day(session, made, start, end)
    days = (end - start).days
    found.days = [
        DayCount(day=d, written=written.get(d, 0), rejected=rejected.get(d, 0))
        for d in ((start + timedelta(days=i)).date() for i in range(days))
    ]


def _sla_connections(sla: Sla) -> list[str]:
    if sla.kind == "person":  # targets are "<connection>:<record type>"
        return list(dict.fromkeys(t.split(":", 1)[0] for t in sla.targets))
    return [sla.integration] if sla.integration else []


def _slas(session: Session, start: datetime, end: datetime, found: _Store) -> None:
    at = col(SlaSample.at)
    tallies: dict[int, Counter[str]] = {}
    for sla_id, status, n in session.exec(
        select(SlaSample.sla_id, SlaSample.status, func.count())
        .where(at >= start, at < end)
        .group_by(col(SlaSample.sla_id), col(SlaSample.status))
    ).all():
        tallies.setdefault(sla_id, Counter())[status] = int(n)
    for sla in session.exec(select(Sla).order_by(col(Sla.name))).all():
        tally = tallies.get(int(sla.id or 0), Counter())
        status = "breached" if tally["breached"] else "met" if tally["met"] else "unknown"
        month = SlaMonth(
            name=sla.name,
            kind=sla.kind,
            objective=sla.objective if sla.kind != "person" else sla.within_hours,
            samples=sum(tally.values()),
            met=tally["met"],
            breached=tally["breached"],
            status=status,
        )
        for name in _sla_connections(sla):
            found.slas.setdefault(name, []).append(month)


def read_store(engine: Engine, start: datetime, end: datetime) -> _Store:
    found = _Store()
    with session_scope(engine) as session:
        found.systems = {row.name: row.system for row in session.exec(select(Integration)).all()}
        _records(session, start, end, found)
        _slas(session, start, end, found)
    return found


async def count_runs(count: Count, name: str, start: datetime, end: datetime) -> RunCounts | None:
    if not QUERYABLE.fullmatch(name):
        return None
    clause = f"AtriumIntegration = '{name}'"
    clause += f" AND StartTime >= '{_visibility_time(start)}'"
    clause += f" AND StartTime < '{_visibility_time(end)}'"
    total, completed, failed, running = await asyncio.gather(
        count(clause),
        count(f"{clause} AND ExecutionStatus = 'Completed'"),
        count(f"{clause} AND {FAILED}"),
        count(f"{clause} AND ExecutionStatus = 'Running'"),
    )
    other = max(0, total - completed - failed - running)
    return RunCounts(total=total, completed=completed, failed=failed, running=running, other=other)


def _sla_status(slas: list[SlaMonth]) -> str:
    if not slas:
        return "none"
    states = {s.status for s in slas}
    return next(s for s in ("breached", "met", "unknown") if s in states)


def _sum_runs(months: list[IntegrationMonth]) -> RunCounts:
    total = RunCounts()
    for month in months:
        if month.runs is not None:
            for name in RunCounts.model_fields:
                setattr(total, name, getattr(total, name) + getattr(month.runs, name))
    return total


def _sum_records(months: list[IntegrationMonth]) -> RecordCounts:
    total = RecordCounts()
    for month in months:
        for name in RecordCounts.model_fields:
            setattr(total, name, getattr(total, name) + getattr(month.records, name))
    return total


async def _runs_of(
    count: Count | None, names: list[str], start: datetime, end: datetime
) -> dict[str, RunCounts | None]:
    """Every connection's runs, a few connections at a time (a school may have hundreds)."""
    if count is None:
        return {}
    asking = asyncio.Semaphore(COUNTS_AT_ONCE)

    async def one(name: str) -> RunCounts | None:
        async with asking:
            return await count_runs(count, name, start, end)

    return dict(zip(names, await asyncio.gather(*(one(n) for n in names)), strict=True))


async def monthly_report(engine: Engine, month: str, count: Count | None) -> MonthlyReport:
    """The report of ``month``; ``count`` answers a visibility query with a number of runs
    (``None``: no run figures)."""
    start, end = span(month)
    store = await asyncio.to_thread(read_store, engine, start, end)
    names = sorted({*store.systems, *store.records, *store.slas})
    runs_of = await _runs_of(count, names, start, end)
    months = []
    for name in names:
        runs = runs_of.get(name)
        records = store.records.get(name, RecordCounts())
        slas = store.slas.get(name, [])
        errors = store.errors.get(name, Counter())
        months.append(
            IntegrationMonth(
                integration=name,
                system=store.systems.get(name, ""),
                runs=runs,
                records=records,
                failures=(runs.failed if runs else 0) + records.failed,
                sla_status=_sla_status(slas),
                slas=slas,
                top_errors=[
                    ErrorCount(stage=stage, reason=reason, count=n)
                    for (stage, reason), n in sorted(
                        errors.items(), key=lambda item: (-item[1], item[0])
                    )[:TOP_ERRORS]
                ],
            )
        )
    return MonthlyReport(
        month=month,
        start=start,
        end=end,
        generated_at=utcnow(),
        integrations=months,
        runs=_sum_runs(months),
        records=_sum_records(months),
        days=store.days,
    )
