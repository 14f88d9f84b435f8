"""Alert rules (CRUD, each rule set evaluated by its own workflow) and alerts: listed by state,
acknowledged and resolved by people, with the notifications each one sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.service import RPCError

from api.deps import SessionDep, SettingsDep, TemporalDep
from api.security import Principal, require
from atrium.models import Alert, AlertDelivery, AlertRule, Integration
from atrium.models.alerts import (
    ALERT_STATES,
    AlertDeliveryPublic,
    AlertPublic,
    AlertRuleCreate,
    AlertRulePublic,
    AlertRuleUpdate,
)
from atrium.models.integration import utcnow
from workflows.alert_evaluators import ensure_evaluator

router = APIRouter(tags=["alerts"])
read = [require("alerts:read")]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class AlertDetail(AlertPublic):
    deliveries: list[AlertDeliveryPublic]


class AlertAction(BaseModel):
    note: str = Field("", max_length=1000)


def _rule(session: Session, rule_id: int) -> AlertRule:
    row = session.get(AlertRule, rule_id)
    if row is None:
        raise HTTPException(404, f"no alert rule {rule_id}")
    return row


def _alert(session: Session, alert_id: int) -> Alert:
    row = session.get(Alert, alert_id)
    if row is None:
        raise HTTPException(404, f"no alert {alert_id}")
    return row


def _check_comms(session: Session, name: str | None) -> None:
    if name is None:
        return
    row = Integration.named(session, name)
    if row is None or row.system != "comms":
        raise HTTPException(422, f"comms_integration: {name!r} is not a comms connection")


async def _wake(client: Client, settings: SettingsDep, rule_set: str) -> None:
    """Start the rule set's evaluator or make it look again now."""
    try:
        await ensure_evaluator(client, settings.temporal.task_queue, rule_set)
    except RPCError as exc:  # the rule is stored; the next worker start-up starts it anyway
        raise HTTPException(503, f"rule saved, evaluator not reached: {exc.message}") from None


@router.get("/alert-rules", response_model=list[AlertRulePublic], dependencies=read)
def list_rules(
    session: SessionDep,
    rule_set: Annotated[str | None, Query(max_length=63)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AlertRule]:
    query = select(AlertRule)
    if rule_set:
        query = query.where(AlertRule.rule_set == rule_set)
    return list(session.exec(query.order_by(col(AlertRule.id)).offset(offset).limit(limit)).all())


@router.get("/alert-rules/{rule_id}", response_model=AlertRulePublic, dependencies=read)
def get_rule(rule_id: RowId, session: SessionDep) -> AlertRule:
    return _rule(session, rule_id)


@router.post(
    "/alert-rules",
    response_model=AlertRulePublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require("alerts:manage")],
)
async def create_rule(
    body: AlertRuleCreate, session: SessionDep, client: TemporalDep, settings: SettingsDep
) -> AlertRule:
    _check_comms(session, body.comms_integration)
    rule = AlertRule.model_validate(body)
    session.add(rule)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(409, f"name: an alert rule {body.name!r} exists") from None
    await _wake(client, settings, rule.rule_set)
    return rule


@router.patch(
    "/alert-rules/{rule_id}",
    response_model=AlertRulePublic,
    dependencies=[require("alerts:manage")],
)
async def update_rule(
    rule_id: RowId,
    body: AlertRuleUpdate,
    session: SessionDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> AlertRule:
    rule = _rule(session, rule_id)
    changes = body.model_dump(exclude_unset=True)
    try:  # the rule as it would be, checked whole: a threshold rule keeps its figure, ...
        AlertRuleCreate.model_validate({**rule.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise HTTPException(422, f"{field}: {first['msg']}") from None
    _check_comms(session, changes.get("comms_integration"))
    for key, value in changes.items():
        setattr(rule, key, value)
    rule.updated_at = utcnow()
    session.add(rule)
    session.commit()
    await _wake(client, settings, rule.rule_set)
    return rule


@router.delete(
    "/alert-rules/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require("alerts:manage")],
)
async def delete_rule(
    rule_id: RowId, session: SessionDep, client: TemporalDep, settings: SettingsDep
) -> Response:
    """The rule goes; its alerts stay in the history, the open ones resolved."""
    rule = _rule(session, rule_id)
    for alert in session.exec(
        select(Alert).where(Alert.rule_id == rule_id, col(Alert.status) != "resolved")
    ):
        alert.status, alert.resolved_at, alert.resolved_by = "resolved", utcnow(), "rule deleted"
        alert.quiet_until_clear = False
        session.add(alert)
    session.delete(rule)
    session.commit()
    await _wake(client, settings, rule.rule_set)  # with no rule left, it ends
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/alerts", response_model=list[AlertPublic], dependencies=read)
def list_alerts(
    session: SessionDep,
    status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
    rule_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Alert]:
    """Newest first; ``status`` one of firing, acknowledged, resolved."""
    query = select(Alert)
    if status_:
        if status_ not in ALERT_STATES:
            raise HTTPException(422, f"status: must be one of {', '.join(ALERT_STATES)}")
        query = query.where(Alert.status == status_)
    if rule_id:
        query = query.where(Alert.rule_id == rule_id)
    query = query.order_by(col(Alert.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query).all())


@router.get("/alerts/{alert_id}", response_model=AlertDetail, dependencies=read)
def get_alert(alert_id: RowId, session: SessionDep) -> AlertDetail:
    alert = _alert(session, alert_id)
    deliveries = session.exec(
        select(AlertDelivery)
        .where(AlertDelivery.alert_id == alert_id)
        .order_by(col(AlertDelivery.id))
    ).all()
    return AlertDetail(
        **alert.model_dump(),
        deliveries=[
            AlertDeliveryPublic.model_validate(d, from_attributes=True) for d in deliveries
        ],
    )


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertPublic)
def acknowledge(
    alert_id: RowId,
    session: SessionDep,
    body: AlertAction | None = None,
    principal: Principal = require("alerts:manage"),
) -> Alert:
    """Someone is on it: the alert stays open (it still resolves when the condition ends)."""
    alert = _alert(session, alert_id)
    if alert.status != "firing":
        raise HTTPException(409, f"alert {alert_id} is {alert.status}, not firing")
    alert.status, alert.acknowledged_at = "acknowledged", utcnow()
    alert.acknowledged_by = principal.subject
    alert.note = (body.note if body else "") or alert.note
    session.add(alert)
    session.commit()
    return alert


@router.post("/alerts/{alert_id}/resolve", response_model=AlertPublic)
def resolve(
    alert_id: RowId,
    session: SessionDep,
    body: AlertAction | None = None,
    principal: Principal = require("alerts:manage"),
) -> Alert:
    """Closed by a person. If the condition still holds, no new alert comes for it until it has
    ended once: the same outage is not announced twice."""
    alert = _alert(session, alert_id)
    if alert.status == "resolved":
        raise HTTPException(409, f"alert {alert_id} is already resolved")
    alert.status, alert.resolved_at, alert.resolved_by = "resolved", utcnow(), principal.subject
    alert.quiet_until_clear = True  # the evaluator clears it once the condition has ended
    alert.note = (body.note if body else "") or alert.note
    session.add(alert)
    session.commit()
    return alert
