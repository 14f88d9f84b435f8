"""Rule conditions read from the real store (and Temporal's visibility for runs), and how they
become alerts: one per outage and group, resolved when the condition ends, quiet after a
person's resolve until the condition has ended once, and the notifications owed for each."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from temporalio.client import Client

from atrium.alerting import state
from atrium.alerting.conditions import Condition, conditions
from atrium.db import session_scope
from atrium.models import Alert, AlertDelivery, AlertRule, QuarantinedRecord
from atrium.models.integration import utcnow


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    made: list[int] = []
    with session_scope(engine) as session:
        session.info["rules"] = made
        yield session
        session.rollback()
        alerts = [a.id for a in session.exec(select(Alert).where(col(Alert.rule_id).in_(made)))]
        session.exec(delete(AlertDelivery).where(col(AlertDelivery.alert_id).in_(alerts)))  # type: ignore[call-overload]
        session.exec(delete(Alert).where(col(Alert.rule_id).in_(made)))  # type: ignore[call-overload]
        session.exec(delete(AlertRule).where(col(AlertRule.id).in_(made)))  # type: ignore[call-overload]
        session.commit()


def _rule(session: Session, **fields: object) -> AlertRule:
    rule = AlertRule.model_validate(
        {"name": f"r-{uuid.uuid4().hex[:8]}", "rule_set": f"s-{uuid.uuid4().hex[:6]}", **fields}
    )
    session.add(rule)
    session.commit()
    session.refresh(rule)
    session.info["rules"].append(rule.id)
    return rule


async def _no_runs(_: str) -> int:
    raise AssertionError("this rule reads no runs")


def _alerts(session: Session, rule: AlertRule) -> list[Alert]:
    return list(session.exec(select(Alert).where(Alert.rule_id == rule.id)).all())


async def test_quarantine_threshold_fires_once_and_resolves(session: Session) -> None:
    integration = f"q-{uuid.uuid4().hex[:6]}"
    rule = _rule(
        session, kind="threshold", figure="quarantine_size", target=integration, threshold=2
    )
    rows = [
        QuarantinedRecord(
            integration=integration,
            record_type="user",
            source_id=f"u{i}",
            stage="mapping",
            reason="no email",
            run_id="r",
            payload={},
        )  # fmt: skip
        for i in range(2)
    ]
    session.add(rows[0])
    session.commit()
    assert await conditions(session, rule, _no_runs) == []
    session.add(rows[1])
    session.commit()
    try:
        for _ in range(2):  # two evaluations of the same condition: one alert
            bad = await conditions(session, rule, _no_runs)
            state.apply(session, rule, bad)
        [alert] = _alerts(session, rule)
        assert alert.status == "firing" and alert.group_key == f"quarantine_size:{integration}"
        assert "2 (threshold 2)" in alert.summary
        [notice] = state.owed(session, [rule])  # only the event channel: no comms connection
        assert (notice.channel, notice.transition) == ("event", "firing")
        state.record_delivery(session, notice, True, "1 subscriber deliveries started")
        assert state.owed(session, [rule]) == []
        rows[0].status = "resolved"
        session.add(rows[0])
        session.commit()
        state.apply(session, rule, await conditions(session, rule, _no_runs))
        [alert] = _alerts(session, rule)
        assert (alert.status, alert.resolved_by) == ("resolved", "condition")
        assert [(n.channel, n.transition) for n in state.owed(session, [rule])] == [
            ("event", "resolved")
        ]
    finally:
        for row in rows:
            session.delete(row)
        session.commit()


async def test_a_person_s_resolve_holds_until_the_condition_ends(session: Session) -> None:
    rule = _rule(session, kind="health_down", target="some-system")
    down = [Condition("health:some-system", "some-system is down", utcnow())]
    state.apply(session, rule, down)
    [alert] = _alerts(session, rule)
    alert.status, alert.resolved_by, alert.quiet_until_clear = "resolved", "ada", True
    session.add(alert)
    session.commit()
    state.apply(session, rule, down)  # the same outage goes on
    assert len(_alerts(session, rule)) == 1
    state.apply(session, rule, [])  # it ends
    state.apply(session, rule, down)  # a new outage
    assert sorted(a.status for a in _alerts(session, rule)) == ["firing", "resolved"]


async def test_absence_and_failed_runs_ask_temporal(
    session: Session, temporal_client: Client
) -> None:
    queries: list[str] = []

    async def count(query: str) -> int:
        queries.append(query)
        return (await temporal_client.count_workflows(query)).count  # Temporal parses it

    process = f"never-run-{uuid.uuid4().hex[:6]}"
    young = _rule(session, kind="absence", target=process, window_minutes=60)
    assert await conditions(session, young, count) == []  # younger than its window
    old = _rule(session, kind="absence", target=process, window_minutes=60)
    old.created_at = utcnow() - timedelta(hours=2)
    session.add(old)
    session.commit()
    [absent] = await conditions(session, old, count)
    assert absent.group_key == f"absence:{process}" and process in absent.summary
    failed = _rule(session, kind="threshold", figure="failed_runs", target=process, threshold=1)
    assert await conditions(session, failed, count) == []
    assert all(f"AtriumProcess = '{process}'" in q for q in queries) and len(queries) == 2
