"""Security events are delivered like alerts: a ``security_event`` rule (min_severity) in the
existing alert rules gives each event of that severity or above one alert, mailed through the
sandbox's SMTP relay like any other; a lesser event gives none; acknowledging the event
resolves its alert (and the resolution is mailed too)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select
from temporalio.client import Client
from temporalio.worker import Worker

from atrium.db import session_scope
from atrium.models import Alert, AlertRule, SecurityEvent
from atrium.models.integration import utcnow
from atrium.security_signals import SignalMonitor
from atrium.settings import Settings
from tests.workflows.alert_support import (
    Watched,
    chat_listener,  # noqa: F401 - fixture
    drop_rules,
    mail_to,
    watched_systems,  # noqa: F401 - fixture
)
from tests.workflows.sync_env import eventually
from workflows.alert_evaluators import ensure_evaluator
from workflows.alerts import AlertEvaluatorResult, evaluator_id


@dataclass(frozen=True)
class Reader:
    subject: str
    kind: str = "user"
    owner: str | None = None


def _rule(engine: Engine, rule_set: str, watched: Watched) -> AlertRule:
    rule = AlertRule(
        name=f"security-{uuid.uuid4().hex[:6]}",
        rule_set=rule_set,
        kind="security_event",
        min_severity="high",
        window_minutes=10,
        comms_integration=watched.comms,
        email_to=[watched.mailbox],
        publish_event=False,
    )
    with session_scope(engine) as session:
        session.add(rule)
        session.commit()
        session.refresh(rule)
    return rule


async def _mail_about(watched: Watched, event_id: int, state: str) -> list[dict[str, Any]]:
    mail = await mail_to(watched.sandbox_url, watched.mailbox)
    about = f"security_event:{event_id}"
    return [m for m in mail if f"{state}]" in m["subject"] and about in m["subject"]]


def test_a_security_event_rule_needs_its_min_severity() -> None:
    with pytest.raises(ValueError, match="min_severity"):
        AlertRule.model_validate({"name": "x", "kind": "security_event"})
    with pytest.raises(ValueError, match="min_severity"):
        AlertRule.model_validate({"name": "x", "kind": "security_event", "min_severity": "dire"})


async def test_a_high_event_is_mailed_once_a_medium_one_not_and_acknowledging_resolves(
    temporal_client: Client, worker: Worker, engine: Engine, settings: Settings, watched: Watched
) -> None:
    rule_set = f"tests-{uuid.uuid4().hex[:6]}"
    rule = _rule(engine, rule_set, watched)
    handle = temporal_client.get_workflow_handle(
        evaluator_id(rule_set), result_type=AlertEvaluatorResult
    )
    detector = SignalMonitor(engine, settings.security.model_copy(update={"export_min_records": 1}))
    reader, connection = f"reader-{uuid.uuid4().hex[:8]}", f"conn-{uuid.uuid4().hex[:8]}"
    high = await detector.records_read(Reader(reader), 5, "codec decodes")
    medium = await detector.origin_changed(connection, "http://a", "http://b", Reader(reader))
    assert high is not None and high.severity == "high" and high.id is not None
    assert medium is not None and medium.severity == "medium" and medium.id is not None
    try:
        await ensure_evaluator(temporal_client, worker.task_queue, rule_set)
        [firing] = await eventually(lambda: _mail_about(watched, int(high.id or 0), "FIRING"), 30)
        async with httpx.AsyncClient(base_url=watched.sandbox_url) as http:
            raw = (await http.get(f"/comms/_control/mail/{firing['id']}")).json()["raw"]
        assert "security event (high)" in raw and reader in raw  # the event's summary
        await asyncio.sleep(4)  # more evaluations: no repeat, and nothing for the medium one
        assert len(await _mail_about(watched, int(high.id or 0), "FIRING")) == 1
        assert await _mail_about(watched, int(medium.id or 0), "FIRING") == []
        with session_scope(engine) as session:
            # Other tests' high events may still be open in the session's store (and alert
            # too): this test looks at its own two.
            alerts = session.exec(select(Alert).where(Alert.rule_id == rule.id)).all()
            keys = {a.group_key: a for a in alerts}
            assert f"security_event:{medium.id}" not in keys
            assert reader in keys[f"security_event:{high.id}"].summary
            event = session.get(SecurityEvent, high.id)
            assert event is not None
            event.acknowledged_at, event.acknowledged_by = utcnow(), "tests"
            session.add(event)
            session.commit()
        await handle.signal("evaluate-now")
        await eventually(lambda: _mail_about(watched, int(high.id or 0), "RESOLVED"), 30)
        with session_scope(engine) as session:
            [alert] = session.exec(
                select(Alert).where(
                    Alert.rule_id == rule.id, Alert.group_key == f"security_event:{high.id}"
                )
            ).all()
            assert alert.status == "resolved" and alert.resolved_by == "condition"
    finally:
        drop_rules(engine, rule_set)
        with session_scope(engine) as session:
            subjects = [reader, connection]
            session.exec(delete(SecurityEvent).where(col(SecurityEvent.subject).in_(subjects)))  # type: ignore[call-overload]
            session.commit()
        await handle.signal("evaluate-now")
        result = await handle.result()
    assert result.reason == "no rules"


pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
