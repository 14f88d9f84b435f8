"""Outbound events: the envelope, the fan-out ``publish`` every part of Atrium calls, and the
activities of the delivery workflow (signed POST, dead letter, publish from a workflow).

A delivery's signing secret is read from Vault inside the activity, so it never appears in a
workflow history; the body is signed like inbound webhooks (``atrium.signatures``).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from atrium.credentials import CredentialError, Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.egress import EgressPolicy, EgressRefused, guarded_client
from atrium.models import DeadLetter, Subscription
from atrium.models.integration import utcnow
from atrium.settings import EventsSettings
from atrium.signatures import sign_headers
from atrium.ttl_cache import TTLCache

log = structlog.get_logger("events")

DELIVERY_WORKFLOW = "event-delivery"  # by name: workflows.event_delivery imports this module
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,120}$")


class EventEnvelope(BaseModel):
    """What a subscriber receives: ``id`` is stable across retries (deduplicate on it)."""

    id: str = Field(max_length=255)
    type: str = Field(max_length=64)
    created_at: datetime
    data: dict[str, Any] = Field(default_factory=dict)


class DeliveryRetry(BaseModel):
    """How hard Atrium tries before a delivery becomes a dead letter (settings: ``events``)."""

    initial_interval_seconds: float = 1.0
    backoff: float = 2.0
    max_interval_seconds: float = 300.0
    max_attempts: int = 8
    timeout_seconds: float = 10.0

    @classmethod
    def from_settings(cls, events: EventsSettings) -> DeliveryRetry:
        return cls(
            initial_interval_seconds=events.delivery_initial_interval_seconds,
            backoff=events.delivery_backoff,
            max_interval_seconds=events.delivery_max_interval_seconds,
            max_attempts=events.delivery_max_attempts,
            timeout_seconds=events.delivery_timeout_seconds,
        )


class EventDeliveryInput(BaseModel):
    """The delivery workflow's input (workflows/event_delivery.py); here, where deliveries are
    started, so that activities never import a workflow module."""

    subscription_id: int
    event: EventEnvelope
    retry: DeliveryRetry = DeliveryRetry()
    dead_letter_id: int | None = None


class DeliverInput(BaseModel):
    subscription_id: int
    event: EventEnvelope
    dead_letter_id: int | None = None  # set on a redelivery: marked redelivered on success


class DeliverResult(BaseModel):
    status_code: int
    attempt: int


class DeadLetterInput(BaseModel):
    subscription_id: int
    event: EventEnvelope
    attempts: int
    last_error: str


class PublishInput(BaseModel):
    events: list[EventEnvelope]


def event_key(event_id: str) -> str:
    """A workflow-id-safe form of an event id (hashed when it has unusual characters)."""
    if SAFE_ID.match(event_id):
        return event_id
    return hashlib.sha256(event_id.encode()).hexdigest()[:40]


def envelope(event_type: str, data: dict[str, Any], event_id: str | None = None) -> EventEnvelope:
    return EventEnvelope(
        id=event_id or f"evt_{uuid.uuid4().hex}",
        type=event_type,
        created_at=datetime.now(UTC),
        data=data,
    )


class SubscriberDirectory:
    """Active subscriptions, cached for a few seconds so publishing costs no query per event."""

    def __init__(self, engine: Engine, ttl: float = 5.0) -> None:
        self.engine = engine
        self._cache: TTLCache[str, list[tuple[int, list[str]]]] = TTLCache(ttl, self._load)

    def _query(self) -> list[tuple[int, list[str]]]:
        with session_scope(self.engine) as session:
            rows = session.exec(select(Subscription).where(Subscription.active == True)).all()  # noqa: E712
            return [(int(s.id or 0), list(s.event_types)) for s in rows]

    async def _load(self, _: str) -> list[tuple[int, list[str]]]:
        return await asyncio.to_thread(self._query)

    def invalidate(self) -> None:
        self._cache.invalidate()

    async def matching(self, event_type: str) -> list[int]:
        rows = await self._cache.get("all")
        return [sid for sid, types in rows if "*" in types or event_type in types]


async def start_delivery(
    client: Client,
    task_queue: str,
    subscription_id: int,
    event: EventEnvelope,
    retry: DeliveryRetry,
    *,
    workflow_id: str | None = None,
    dead_letter_id: int | None = None,
) -> str | None:
    """Start one delivery workflow; None when this event was already given to this subscriber."""
    workflow_id = workflow_id or f"event-delivery-{subscription_id}-{event_key(event.id)}"
    try:
        await client.start_workflow(
            DELIVERY_WORKFLOW,
            EventDeliveryInput(
                subscription_id=subscription_id,
                event=event,
                retry=retry,
                dead_letter_id=dead_letter_id,
            ),
            id=workflow_id,
            task_queue=task_queue,
            # The id comes from the event id: a second publish of the same event is refused by
            # Temporal itself, even after the first delivery finished.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        return None
    return workflow_id


async def publish(
    client: Client,
    event_type: str,
    payload: dict[str, Any],
    *,
    subscribers: SubscriberDirectory,
    task_queue: str,
    event_id: str | None = None,
    retry: DeliveryRetry | None = None,
) -> list[str]:
    """Fan an event out to every subscription that wants it: one delivery workflow each, exactly
    once per (subscription, event id). Returns the delivery workflow ids started now."""
    event = envelope(event_type, payload, event_id)
    targets = await subscribers.matching(event_type)
    retry = retry or DeliveryRetry()
    started = await asyncio.gather(
        *(start_delivery(client, task_queue, sid, event, retry) for sid in targets)
    )
    return [wid for wid in started if wid]


class EventActivities:
    """Deliveries go through ``atrium.egress``: a subscriber URL that is (or has come to resolve
    to) an inside address is refused for good, and the event dead-lettered with the reason.

    Signing secrets are cached by their Vault name, and rotating one writes it under a new name
    (api/routes/subscriptions.py). The row is read on every attempt, so every attempt that starts
    after a rotation signs with the new secret, on every worker, without waiting for the cache.
    """

    def __init__(
        self,
        engine: Engine,
        credentials: Credentials,
        *,
        retry: DeliveryRetry | None = None,
        secret_ttl: float = 30.0,
        http: httpx.AsyncClient | None = None,
        egress: EgressPolicy | None = None,  # default: the strict one of EventsSettings()
        delivery_queue: str | None = None,
        subscriber_ttl: float = 5.0,  # a new subscription reaches publishing runs within this
    ) -> None:
        self.engine = engine
        self.delivery_queue = delivery_queue  # None: the queue of the publishing workflow
        self.credentials = credentials
        self.retry = retry or DeliveryRetry()
        self.subscribers = SubscriberDirectory(engine, subscriber_ttl)
        self._secrets: TTLCache[str, str] = TTLCache(secret_ttl, self._read_secret)
        self.egress = egress or EgressPolicy.from_settings(EventsSettings())
        self._http = http or guarded_client(self.egress)

    async def _read_secret(self, name: str) -> str:
        return (await self.credentials.read(name))["secret"]

    async def _signing_secret(self, sub: Subscription) -> str:
        try:
            return await self._secrets.get(sub.secret_name)
        except SecretNotFound:
            # A rotation between reading the row and reading Vault deletes the old secret: the
            # row names the new one now.
            fresh = await asyncio.to_thread(self._subscription, int(sub.id or 0))
            if fresh is None or fresh.secret_name == sub.secret_name:
                raise
            return await self._secrets.get(fresh.secret_name)

    def _subscription(self, subscription_id: int) -> Subscription | None:
        with session_scope(self.engine) as session:
            return session.get(Subscription, subscription_id)

    @activity.defn(name="deliver_event")
    async def deliver(self, input: DeliverInput) -> DeliverResult:
        attempt = activity.info().attempt
        sub = await asyncio.to_thread(self._subscription, input.subscription_id)
        if sub is None or not sub.active:
            raise ApplicationError(
                f"subscription {input.subscription_id} is gone or paused",
                type="SubscriptionGone",
                non_retryable=True,
            )
        try:
            secret = await self._signing_secret(sub)
        except SecretNotFound:
            raise ApplicationError(
                "subscription secret missing from vault",
                type="SubscriptionGone",
                non_retryable=True,
            ) from None
        except CredentialError as exc:
            raise ApplicationError(str(exc), type="VaultUnavailable") from exc
        body = input.event.model_dump_json().encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Atrium-Events/1",
            "Atrium-Event-Id": input.event.id,
            "Atrium-Event-Type": input.event.type,
            "Idempotency-Key": input.event.id,
            **sign_headers(secret, int(time.time()), body),
        }
        try:
            response = await self._http.post(
                sub.url, content=body, headers=headers, timeout=self.retry.timeout_seconds
            )
        except EgressRefused as exc:  # not worth a retry: only a change of URL or settings helps
            raise ApplicationError(
                f"attempt {attempt}: refused by the egress guard: url: {exc}",
                attempt,
                type="EgressRefused",
                non_retryable=True,
            ) from None
        except httpx.HTTPError as exc:
            raise ApplicationError(
                f"attempt {attempt}: {type(exc).__name__}", attempt, type="DeliveryFailed"
            ) from None
        status = response.status_code
        if 200 <= status < 300:
            if input.dead_letter_id is not None:
                await asyncio.to_thread(self._mark_redelivered, input.dead_letter_id)
            return DeliverResult(status_code=status, attempt=attempt)
        delay = None
        if status == 429 and (after := response.headers.get("Retry-After", "")).isdigit():
            delay = timedelta(seconds=min(int(after), 3600))
        raise ApplicationError(
            f"attempt {attempt}: HTTP {status}",
            attempt,
            type="DeliveryFailed",
            non_retryable=status == 410,  # the subscriber says the endpoint is gone for good
            next_retry_delay=delay,
        )

    def _mark_redelivered(self, dead_letter_id: int) -> None:
        with session_scope(self.engine) as session:
            row = session.get(DeadLetter, dead_letter_id)
            if row is not None:
                row.status = "redelivered"
                row.updated_at = utcnow()
                session.add(row)
                session.commit()

    @activity.defn(name="record_dead_letter")
    async def record_dead_letter(self, input: DeadLetterInput) -> int:
        return await asyncio.to_thread(self._record_dead_letter, input)

    def _record_dead_letter(self, input: DeadLetterInput) -> int:
        # Keyed by (subscription, event id): a retried activity or a failed redelivery updates
        # the same row instead of adding another.
        with session_scope(self.engine) as session:
            row = session.exec(
                select(DeadLetter).where(
                    DeadLetter.subscription_id == input.subscription_id,
                    DeadLetter.event_id == input.event.id,
                )
            ).first()
            if row is None:
                row = DeadLetter(
                    subscription_id=input.subscription_id,
                    event_id=input.event.id,
                    event_type=input.event.type,
                    event=input.event.model_dump(mode="json"),
                    last_error="",
                    status="dead",
                )
            row.attempts += input.attempts
            row.last_error = input.last_error[:1000]
            row.status = "dead"
            row.updated_at = utcnow()
            session.add(row)
            session.commit()
            log.warning(
                "event dead-lettered", subscription=input.subscription_id, event_id=input.event.id
            )
            return int(row.id or 0)

    @activity.defn(name="publish_events")
    async def publish_events(self, input: PublishInput) -> int:
        """Publish from a workflow: events carry ids derived from the run, so a retry of this
        activity starts no second delivery."""
        return await self.fan_out(input.events)

    async def fan_out(self, events: list[EventEnvelope], concurrency: int = 16) -> int:
        """From inside an activity: one delivery per (event, subscriber that wants it), at most
        ``concurrency`` starts at a time. Returns how many deliveries started now (an event id
        already given to a subscriber starts nothing)."""
        wanted = {kind: await self.subscribers.matching(kind) for kind in {e.type for e in events}}
        if not any(wanted.values()):
            return 0
        client = activity.client()
        queue = self.delivery_queue or activity.info().task_queue
        gate = asyncio.Semaphore(concurrency)

        async def one(sid: int, event: EventEnvelope) -> bool:
            async with gate:
                return bool(await start_delivery(client, queue, sid, event, self.retry))

        jobs = [one(sid, event) for event in events for sid in wanted[event.type]]
        return sum(await asyncio.gather(*jobs))
