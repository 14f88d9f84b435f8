"""Outbound event subscriptions, and the dead letters their failed deliveries leave behind."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel
from sqlmodel import col, select

from activities.events import DeliveryRetry, EventEnvelope, start_delivery
from api.deps import CredentialsDep, SessionDep, SettingsDep, TemporalDep
from api.events.hub import EventsDep
from api.security import require
from atrium.models import DeadLetter, Subscription
from atrium.models.integration import utcnow
from atrium.models.subscription import (
    DEAD_LETTER_STATES,
    DeadLetterPublic,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])
manage = [require("subscriptions:manage")]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Redelivery(BaseModel):
    dead_letter_id: int
    workflow_id: str
    status: str


@router.get("", response_model=list[SubscriptionPublic], dependencies=manage)
async def list_subscriptions(session: SessionDep) -> list[Subscription]:
    return list(session.exec(select(Subscription).order_by(col(Subscription.id))).all())


@router.post(
    "",
    response_model=SubscriptionCreated,
    status_code=status.HTTP_201_CREATED,
    dependencies=manage,
)
async def create_subscription(
    body: SubscriptionCreate, session: SessionDep, credentials: CredentialsDep, events: EventsDep
) -> dict[str, Any]:
    subscription = Subscription.model_validate(body, update={"secret_name": "pending"})
    session.add(subscription)
    session.commit()
    secret = secrets.token_urlsafe(32)
    # Never reused (SQLite may hand a deleted row's id out again): no cache can mix two up.
    subscription.secret_name = f"subscription-{subscription.id}-{secrets.token_hex(4)}"
    try:
        await credentials.store(subscription.secret_name, {"secret": secret})
    except Exception:
        session.delete(subscription)  # no secret, no subscription: never sign with nothing
        session.commit()
        raise
    session.add(subscription)
    session.commit()
    events.subscribers.invalidate()
    return {**subscription.model_dump(), "secret": secret}


def _subscription_or_404(session: SessionDep, subscription_id: int) -> Subscription:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise HTTPException(404, f"subscription: no subscription {subscription_id}")
    return subscription


@router.get("/dead-letters", response_model=list[DeadLetterPublic], dependencies=manage)
async def list_dead_letters(
    session: SessionDep,
    subscription_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(" + "|".join(DEAD_LETTER_STATES) + ")$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[DeadLetter]:
    query = select(DeadLetter).order_by(col(DeadLetter.id).desc())
    if subscription_id:
        query = query.where(DeadLetter.subscription_id == subscription_id)
    if status_:
        query = query.where(DeadLetter.status == status_)
    return list(session.exec(query.offset(offset).limit(limit)).all())


@router.post(
    "/dead-letters/{dead_letter_id}/redeliver",
    response_model=Redelivery,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=manage,
)
async def redeliver(
    dead_letter_id: RowId, session: SessionDep, client: TemporalDep, settings: SettingsDep
) -> Redelivery:
    letter = session.get(DeadLetter, dead_letter_id)
    if letter is None:
        raise HTTPException(404, f"dead letter: no dead letter {dead_letter_id}")
    if letter.status != "dead":
        raise HTTPException(409, f"dead letter {dead_letter_id} is {letter.status}, not dead")
    subscription = _subscription_or_404(session, letter.subscription_id)
    if not subscription.active:
        raise HTTPException(409, f"subscription {subscription.id} is paused: resume it first")
    letter.redeliveries += 1
    letter.status = "redelivering"
    letter.updated_at = utcnow()
    session.add(letter)
    session.commit()
    # A fresh id per redelivery: the original delivery's id is spent (and refused for reuse).
    workflow_id = f"event-redelivery-{letter.id}-{letter.redeliveries}"
    await start_delivery(
        client,
        settings.temporal.task_queue,
        letter.subscription_id,
        EventEnvelope.model_validate(letter.event),
        DeliveryRetry.from_settings(settings.events),
        workflow_id=workflow_id,
        dead_letter_id=letter.id,
    )
    return Redelivery(dead_letter_id=dead_letter_id, workflow_id=workflow_id, status=letter.status)


@router.get("/{subscription_id}", response_model=SubscriptionPublic, dependencies=manage)
async def get_subscription(subscription_id: RowId, session: SessionDep) -> Subscription:
    return _subscription_or_404(session, subscription_id)


@router.patch("/{subscription_id}", response_model=SubscriptionPublic, dependencies=manage)
async def update_subscription(
    subscription_id: RowId, body: SubscriptionUpdate, session: SessionDep, events: EventsDep
) -> Subscription:
    subscription = _subscription_or_404(session, subscription_id)
    subscription.sqlmodel_update(body.model_dump(exclude_unset=True, exclude_none=True))
    subscription.updated_at = utcnow()
    session.add(subscription)
    session.commit()
    events.subscribers.invalidate()
    return subscription


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=manage)
async def delete_subscription(
    subscription_id: RowId, session: SessionDep, credentials: CredentialsDep, events: EventsDep
) -> Response:
    subscription = _subscription_or_404(session, subscription_id)
    session.delete(subscription)
    session.commit()
    await credentials.delete(subscription.secret_name)
    events.subscribers.invalidate()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
