"""Conditions become alerts: one alert per outage and group (firing -> acknowledged -> resolved),
and the notifications still owed for them.

Deliveries are owed, not announced: whatever has no delivery row yet for an alert, channel and
transition is owed, so an evaluation retried after a crash finds the same work again, and a
delivery done twice is refused by the row's unique key.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session, col, select

from atrium.alerting.conditions import Condition
from atrium.models import Alert, AlertDelivery, AlertRule
from atrium.models.integration import utcnow

OPEN = ("firing", "acknowledged")
OWED_FOR = timedelta(hours=1)  # older transitions are history, not news


class Notice(BaseModel):
    """One notification owed: the delivery activity's input (no secret in it)."""

    alert_id: int
    transition: str  # firing | resolved
    channel: str  # email | slack | teams | event
    rule_name: str
    group_key: str
    summary: str
    condition_at: datetime
    fired_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    comms_integration: str | None = None
    email_to: list[str] = []


def _open_alerts(session: Session, rule_id: int) -> dict[str, Alert]:
    rows = session.exec(
        select(Alert).where(Alert.rule_id == rule_id, col(Alert.status).in_(OPEN))
    ).all()
    return {row.group_key: row for row in rows}


def _quiet_groups(session: Session, rule_id: int) -> dict[str, Alert]:
    rows = session.exec(
        select(Alert).where(Alert.rule_id == rule_id, Alert.quiet_until_clear == True)  # noqa: E712
    ).all()
    return {row.group_key: row for row in rows}


def apply(session: Session, rule: AlertRule, now_bad: list[Condition]) -> None:
    """Open an alert for each new bad group, resolve those whose condition cleared."""
    rule_id = int(rule.id or 0)
    open_alerts, quiet = _open_alerts(session, rule_id), _quiet_groups(session, rule_id)
    bad = {c.group_key: c for c in now_bad}
    now = utcnow()
    for key, condition in bad.items():
        if key in open_alerts or key in quiet:
            continue  # the same outage: already announced, or closed by a person
        session.add(
            Alert(
                rule_id=rule_id,
                rule_name=rule.name,
                group_key=key,
                summary=condition.summary,
                condition_at=condition.since,
                fired_at=now,
            )
        )
    for key, alert in open_alerts.items():
        if key not in bad:
            alert.status, alert.resolved_at, alert.resolved_by = "resolved", now, "condition"
            session.add(alert)
    for key, alert in quiet.items():
        if key not in bad:
            alert.quiet_until_clear = False  # cleared once: the next outage is news again
            session.add(alert)
    session.commit()


def close_for_disabled(session: Session, rule: AlertRule) -> None:
    """A disabled rule watches nothing: its open alerts end, quietly."""
    for alert in _open_alerts(session, int(rule.id or 0)).values():
        alert.status, alert.resolved_at, alert.resolved_by = "resolved", utcnow(), "rule disabled"
        alert.quiet_until_clear = False
        session.add(alert)
    session.commit()


def channels(rule: AlertRule) -> list[str]:
    found = ["email"] if rule.email_to and rule.comms_integration else []
    if rule.chat and rule.comms_integration:
        found.append(rule.chat)
    if rule.publish_event:
        found.append("event")
    return found


def owed(session: Session, rules: list[AlertRule]) -> list[Notice]:
    """Every notification the rules' recent alerts still owe."""
    by_id = {int(r.id or 0): r for r in rules if r.enabled}
    if not by_id:
        return []
    since = utcnow() - OWED_FOR
    alerts = session.exec(
        select(Alert).where(
            col(Alert.rule_id).in_(list(by_id)),
            (col(Alert.fired_at) >= since) | (col(Alert.resolved_at) >= since),
        )
    ).all()
    if not alerts:
        return []
    done = {
        (d.alert_id, d.channel, d.transition)
        for d in session.exec(
            select(AlertDelivery).where(col(AlertDelivery.alert_id).in_([a.id for a in alerts]))
        ).all()
    }
    notices = []
    for alert in alerts:
        rule = by_id[alert.rule_id]
        for channel in channels(rule):
            transitions = ["firing"] + (["resolved"] if alert.status == "resolved" else [])
            for transition in transitions:
                if (alert.id, channel, transition) in done:
                    continue
                if transition == "resolved" and (alert.id, channel, "firing") not in done:
                    continue  # news of the end comes after news of the start
                notices.append(_notice(alert, rule, channel, transition))
    return notices


def _notice(alert: Alert, rule: AlertRule, channel: str, transition: str) -> Notice:
    return Notice(
        alert_id=int(alert.id or 0),
        transition=transition,
        channel=channel,
        rule_name=rule.name,
        group_key=alert.group_key,
        summary=alert.summary,
        condition_at=alert.condition_at,
        fired_at=alert.fired_at,
        resolved_at=alert.resolved_at,
        resolved_by=alert.resolved_by,
        comms_integration=rule.comms_integration,
        email_to=[str(e) for e in rule.email_to],
    )


def record_delivery(session: Session, notice: Notice, ok: bool, detail: str) -> None:
    session.add(
        AlertDelivery(
            alert_id=notice.alert_id,
            channel=notice.channel,
            transition=notice.transition,
            ok=ok,
            detail=detail[:1000],
        )
    )
    session.commit()


def delivered(session: Session, notice: Notice) -> AlertDelivery | None:
    return session.exec(
        select(AlertDelivery).where(
            AlertDelivery.alert_id == notice.alert_id,
            AlertDelivery.channel == notice.channel,
            AlertDelivery.transition == notice.transition,
        )
    ).first()
