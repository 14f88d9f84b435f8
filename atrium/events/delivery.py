"""One event to one subscriber: the delivery workflow's input and retry settings, how a delivery
is started (once per subscription and event id), and ``publish``, the fan-out every part of
Atrium calls. The workflow itself is workflows/event_delivery.py, started here by its name."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from atrium.events.envelope import EventEnvelope, envelope, event_key
from atrium.events.subscribers import SubscriberDirectory
from atrium.settings import EventsSettings

DELIVERY_WORKFLOW = "event-delivery"


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
    """The delivery workflow's input."""

    subscription_id: int
    event: EventEnvelope
    retry: DeliveryRetry = DeliveryRetry()
    dead_letter_id: int | None = None


def delivery_workflow_id(subscription_id: int, event_id: str) -> str:
    """From the event id: a second publish of the same event to the same subscriber is refused by
    Temporal itself, even after the first delivery finished."""
    return f"event-delivery-{subscription_id}-{event_key(event_id)}"


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
    workflow_id = workflow_id or delivery_workflow_id(subscription_id, event.id)
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
