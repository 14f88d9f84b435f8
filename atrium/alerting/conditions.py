"""What each rule kind looks at: the recorded health checks, the quarantine, the dead letters and
(through a counter the caller gives, Temporal's visibility store) the runs.

A condition is one group that is bad now (a connection that is down, a figure over its threshold),
with the moment it was first seen, so the alert can say how long it took to arrive.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from atrium.models import (
    AlertRule,
    DeadLetter,
    HealthCheck,
    Integration,
    QuarantinedRecord,
    SecurityEvent,
)
from atrium.models.integration import utcnow
from atrium.models.security_event import RANK

# (visibility query) -> how many runs match it
RunCounter = Callable[[str], Awaitable[int]]


@dataclass(frozen=True)
class Condition:
    group_key: str
    summary: str
    since: datetime


def health_targets(session: Session, rule: AlertRule) -> list[str]:
    """The connections a health rule watches."""
    query = select(Integration.name).where(Integration.enabled == True)  # noqa: E712
    if rule.target != "*":
        query = query.where(Integration.name == rule.target)
    return list(session.exec(query.order_by(Integration.name)).all())


def stale_health_targets(session: Session, rules: list[AlertRule], max_age: float) -> list[str]:
    """Watched connections whose latest recorded check is older than ``max_age`` seconds."""
    names = sorted(
        {n for r in rules if r.kind == "health_down" for n in health_targets(session, r)}
    )
    cutoff = utcnow() - timedelta(seconds=max_age)
    stale = []
    for name in names:
        latest = _latest_check(session, name)
        if latest is None or _aware(latest.checked_at) < cutoff:
            stale.append(name)
    return stale


def _latest_check(session: Session, name: str) -> HealthCheck | None:
    return session.exec(
        select(HealthCheck)
        .where(HealthCheck.integration == name)
        .order_by(col(HealthCheck.id).desc())
        .limit(1)
    ).first()


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every moment Atrium stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _health_down(session: Session, rule: AlertRule) -> list[Condition]:
    found = []
    for name in health_targets(session, rule):
        latest = _latest_check(session, name)
        if latest is None or latest.healthy:
            continue
        last_good = session.exec(
            select(func.max(HealthCheck.id)).where(
                HealthCheck.integration == name,
                HealthCheck.healthy == True,  # noqa: E712
            )
        ).one()
        first_bad = session.exec(
            select(HealthCheck)
            .where(HealthCheck.integration == name, col(HealthCheck.id) > (last_good or 0))
            .order_by(col(HealthCheck.id))
            .limit(1)
        ).one()
        found.append(
            Condition(
                f"health:{name}",
                f"{name} is down: {latest.detail}"[:1000],
                _aware(first_bad.checked_at),
            )
        )
    return found


def _over(rule: AlertRule, figure: int, what: str, key: str) -> list[Condition]:
    if figure < rule.threshold:
        return []
    return [Condition(key, f"{what}: {figure} (threshold {rule.threshold})", utcnow())]


def _since(minutes: int) -> datetime:
    return utcnow() - timedelta(minutes=minutes)


def _visibility_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _process_clause(rule: AlertRule) -> str:
    # The target matched the name pattern at the edge: no quote can reach the query.
    return "" if rule.target == "*" else f" AND AtriumProcess = '{rule.target}'"


def _store_threshold(session: Session, rule: AlertRule) -> list[Condition]:
    if rule.figure == "quarantine_size":
        query = (
            select(func.count())
            .select_from(QuarantinedRecord)
            .where(QuarantinedRecord.status == "open")
        )
        if rule.target != "*":
            query = query.where(QuarantinedRecord.integration == rule.target)
        count = session.exec(query).one()
        return _over(rule, count, "open quarantined records", f"quarantine_size:{rule.target}")
    count = session.exec(
        select(func.count())
        .select_from(DeadLetter)
        .where(
            DeadLetter.status == "dead", col(DeadLetter.created_at) >= _since(rule.window_minutes)
        )
    ).one()
    what = f"new dead letters in {rule.window_minutes} min"
    return _over(rule, count, what, "dead_letters:*")


async def _failed_runs(rule: AlertRule, runs: RunCounter) -> list[Condition]:
    window = _since(rule.window_minutes)
    failed = await runs(
        f"ExecutionStatus = 'Failed' AND CloseTime > '{_visibility_time(window)}'"
        + _process_clause(rule)
    )
    what = f"failed runs in {rule.window_minutes} min"
    return _over(rule, failed, what, f"failed_runs:{rule.target}")


async def _absence(rule: AlertRule, runs: RunCounter) -> list[Condition]:
    window = _since(rule.window_minutes)
    if _aware(rule.created_at) > window:
        return []  # the rule is younger than its window: no absence to speak of yet
    good = await runs(
        f"ExecutionStatus = 'Completed' AND CloseTime > '{_visibility_time(window)}'"
        + _process_clause(rule)
    )
    if good:
        return []
    summary = f"no successful {rule.target} run in {rule.window_minutes} min"
    return [Condition(f"absence:{rule.target}", summary, utcnow())]


def reads_runs(rule: AlertRule) -> bool:
    """Whether the rule looks at Temporal's run history rather than the store."""
    return rule.kind == "absence" or (rule.kind == "threshold" and rule.figure == "failed_runs")


def _security_events(session: Session, rule: AlertRule) -> list[Condition]:
    """Each security event of the rule's severity or above (and kind, unless "*") is one alert,
    while nobody has acknowledged it and it is younger than the rule's window."""
    severities = [s for s, rank in RANK.items() if rank >= RANK.get(rule.min_severity or "", 1)]
    query = select(SecurityEvent).where(
        col(SecurityEvent.severity).in_(severities),
        col(SecurityEvent.acknowledged_at).is_(None),
        col(SecurityEvent.created_at) >= _since(rule.window_minutes),
    )
    if rule.target != "*":
        query = query.where(SecurityEvent.kind == rule.target)
    events = session.exec(query.order_by(col(SecurityEvent.id)).limit(100)).all()
    return [
        Condition(
            f"security_event:{e.id}",
            f"security event ({e.severity}): {e.summary}; response: {e.response}"[:1000],
            _aware(e.created_at),
        )
        for e in events
    ]


def store_conditions(session: Session, rule: AlertRule) -> list[Condition]:
    """The bad groups of a rule that reads the store (blocking: run it in a thread)."""
    if rule.kind == "health_down":
        return _health_down(session, rule)
    if rule.kind == "security_event":
        return _security_events(session, rule)
    if rule.kind == "sla_breach":
        return []  # measured by the evaluator itself (atrium/slas/measure.py), which needs runs
    return _store_threshold(session, rule)


async def run_conditions(rule: AlertRule, runs: RunCounter) -> list[Condition]:
    """The bad groups of a rule that reads the run history."""
    if rule.kind == "absence":
        return await _absence(rule, runs)
    return await _failed_runs(rule, runs)


async def conditions(session: Session, rule: AlertRule, runs: RunCounter) -> list[Condition]:
    """The groups of ``rule`` that are bad now."""
    if reads_runs(rule):
        return await run_conditions(rule, runs)
    return store_conditions(session, rule)
