"""The activities of outbound events: the delivery workflow's signed POST and dead letter, and
publishing from a run. The events themselves (envelope, subscribers, ``publish``, delivery
settings) are a domain of their own: atrium/events/.

A delivery's signing secret is read from Vault inside the activity, so it never appears in a
workflow history; the body is signed like inbound webhooks (``atrium.signatures``).
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import structlog
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from atrium.credentials import CredentialError, Credentials, SecretNotFound
from atrium.db import session_scope
from atrium.egress import EgressPolicy, EgressRefused, guarded_client
from atrium.events.delivery import DeliveryRetry, start_delivery
from atrium.events.envelope import EventEnvelope
from atrium.events.subscribers import SubscriberDirectory
from atrium.events.triggers import TriggerDirectory, start_triggered
from atrium.metrics import sync as metrics
from atrium.models import DeadLetter, Subscription
from atrium.models.integration import utcnow
from atrium.settings import EventsSettings
from atrium.signatures import sign_headers
from atrium.ttl_cache import TTLCache

__all__ = [
    "DeadLetterInput",
    "DeliverInput",
    "DeliverResult",
    "EventActivities",
    "PublishInput",
]

log = structlog.get_logger("events")


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
        self.triggers = TriggerDirectory(engine, subscriber_ttl)  # designed processes started
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
            metrics.dead_letter(input.event.type)
            return int(row.id or 0)

    @activity.defn(name="publish_events")
    async def publish_events(self, input: PublishInput) -> int:
        """Publish from a workflow: events carry ids derived from the run, so a retry of this
        activity starts no second delivery."""
        return await self.fan_out(input.events)

    async def wants(self, event_type: str) -> bool:
        """Whether anyone (a subscriber, a designed process's trigger) wants such events now."""
        return bool(
            await self.subscribers.matching(event_type) or await self.triggers.matching(event_type)
        )

    async def fan_out(self, events: list[EventEnvelope], concurrency: int = 16) -> int:
        """From inside an activity: one delivery per (event, subscriber that wants it), at most
        ``concurrency`` starts at a time, and the runs of the designed processes the events
        trigger (atrium/events/triggers.py). Returns how many deliveries started now (an event id
        already given to a subscriber starts nothing)."""
        kinds = {e.type for e in events}
        wanted = {kind: await self.subscribers.matching(kind) for kind in kinds}
        triggered = [kind for kind in kinds if await self.triggers.matching(kind)]
        if not any(wanted.values()) and not triggered:
            return 0
        client = activity.client()
        queue = self.delivery_queue or activity.info().task_queue
        if triggered:  # designed processes run on the main queue, where deliveries go
            await start_triggered(
                client, queue, self.triggers, [e for e in events if e.type in triggered]
            )
        gate = asyncio.Semaphore(concurrency)

        async def one(sid: int, event: EventEnvelope) -> bool:
            async with gate:
                return bool(await start_delivery(client, queue, sid, event, self.retry))

        jobs = [one(sid, event) for event in events for sid in wanted[event.type]]
        return sum(await asyncio.gather(*jobs))
