"""Outbound event subscriptions, and the dead letters their failed deliveries leave behind.

Subscriber URLs pass the SSRF guard (atrium/egress.py) when registered or changed, and again on
every delivery."""

from __future__ import annotations

import contextlib
import secrets
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlmodel import col, select

from api.deps import CredentialsDep, SessionDep, SettingsDep, TemporalDep
from api.events.hub import EventsDep
from api.security import require
from atrium.bounds import Limit, Offset, RowId
from atrium.credentials import CredentialError
from atrium.egress import EgressPolicy, EgressRefused, HostNotFound
from atrium.events.delivery import DeliveryRetry, start_delivery
from atrium.events.envelope import EventEnvelope
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

log = structlog.get_logger("api")
router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])
manage = [require("subscriptions:manage")]


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
    body: SubscriptionCreate,
    session: SessionDep,
    credentials: CredentialsDep,
    events: EventsDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    await _check_egress(body.url, settings)
    subscription = Subscription.model_validate(body, update={"secret_name": "pending"})  # nosec B105  # a placeholder name
    session.add(subscription)
    session.commit()
    secret = secrets.token_urlsafe(32)
    subscription.secret_name = _secret_name(subscription)
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


def _secret_name(subscription: Subscription) -> str:
    # A new name for every secret, never reused (SQLite may hand a deleted row's id out again):
    # no cache can mix two up, and a rotation takes effect with the next delivery attempt.
    return f"subscription-{subscription.id}-{secrets.token_hex(4)}"


async def _check_egress(url: str, settings: SettingsDep) -> None:
    """A 422 naming ``url`` unless the SSRF guard lets Atrium call it."""
    try:
        await EgressPolicy.from_settings(settings.events).check(url)
    except (EgressRefused, HostNotFound) as exc:
        error = {"loc": ("body", "url"), "msg": str(exc), "type": "value_error"}
        raise RequestValidationError([error]) from None


def _subscription_or_404(session: SessionDep, subscription_id: int) -> Subscription:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise HTTPException(404, f"subscription: no subscription {subscription_id}")
    return subscription


@router.get("/dead-letters", response_model=list[DeadLetterPublic], dependencies=manage)
async def list_dead_letters(
    session: SessionDep,
    subscription_id: RowId | None = None,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(" + "|".join(DEAD_LETTER_STATES) + ")$")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
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
    subscription_id: RowId,
    body: SubscriptionUpdate,
    session: SessionDep,
    events: EventsDep,
    settings: SettingsDep,
) -> Subscription:
    subscription = _subscription_or_404(session, subscription_id)
    if body.url is not None:
        await _check_egress(body.url, settings)
    subscription.sqlmodel_update(body.model_dump(exclude_unset=True, exclude_none=True))
    subscription.updated_at = utcnow()
    session.add(subscription)
    session.commit()
    events.subscribers.invalidate()
    return subscription


@router.post(
    "/{subscription_id}/rotate-secret", response_model=SubscriptionCreated, dependencies=manage
)
async def rotate_subscription_secret(
    subscription_id: RowId, session: SessionDep, credentials: CredentialsDep
) -> dict[str, Any]:
    """A new signing secret, shown once. Delivery attempts that start after this answer sign with
    it, on every worker; the old secret is deleted from Vault (an attempt already under way may
    still carry it)."""
    subscription = _subscription_or_404(session, subscription_id)
    old_name, new_name = subscription.secret_name, _secret_name(subscription)
    secret = secrets.token_urlsafe(32)
    # Vault first, then the row: a delivery that reads the new name finds its secret in Vault.
    await credentials.store(new_name, {"secret": secret})
    subscription.secret_name = new_name
    subscription.updated_at = utcnow()
    session.add(subscription)
    try:
        session.commit()
    except Exception:
        with contextlib.suppress(CredentialError):
            await credentials.delete(new_name)
        raise
    try:
        await credentials.delete(old_name)
    except CredentialError as exc:  # rotated all the same: the old secret is no longer used
        log.warning("old subscription secret left in vault", secret_name=old_name, error=str(exc))
    return {**subscription.model_dump(), "secret": secret}


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
